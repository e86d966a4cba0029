"""`xltasks import`: decomposition documents (重点工作责任分解) → task register (任务台账).

Layouts: web-table (seed 000), numbered (seed 003), pipe-table (seed 004), table (xlsx/xls/csv, Word tables).
    import_paths(paths, layout="auto") -> Register      several files merge into one register
    parse_text(text, source, layout="auto") -> Register  text layouts, independent of files (PDF/Word text)
    table.parse_rows(rows, source) -> Register            a grid of cell strings
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..core.errors import NotADecomposition, XltasksError
from ..core.fileio import decode_text, sha256_file
from ..core.models import Register, SourceInfo, Warning_
from .build import UNPLACED
from . import labelled, numbered, pipe_table, table, web_table
from .build import build_units

LAYOUTS = ("auto", "web-table", "numbered", "pipe-table", "labelled", "table")
TEXT_LAYOUTS = ("web-table", "numbered", "pipe-table", "labelled")  # on a tie the earlier wins
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".tsv")
SUPPORTED_TYPES = ".txt/.csv/.xlsx/.xls/.docx/.pdf"  # shown to the user when a file is of another type

_TEXT_PARSERS: dict[str, Callable[[str, str], Register]] = {
    "web-table": web_table.parse,
    "numbered": numbered.parse,
    "pipe-table": pipe_table.parse,
    "labelled": labelled.parse,
}

# Readers for other file types (Word, PDF), registered by the modules that provide them:
# reader(path, layout) -> Register.
_READERS: dict[str, Callable[[Path, str], Register]] = {}


# Modules that register readers when imported; loaded lazily so `import xltasks.importers` stays light.
_OPTIONAL_READER_MODULES = {".docx": "document", ".pdf": "document"}


def _load_optional_reader(module: str) -> None:
    import importlib

    try:
        importlib.import_module(f".{module}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{module}":
            raise


def register_reader(suffixes: tuple[str, ...] | list[str], reader: Callable[[Path, str], Register]) -> None:
    """Let another module import files by suffix (e.g. ".docx"), keeping import_paths the one entry point."""
    for s in suffixes:
        _READERS[s.lower()] = reader


def _check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise XltasksError(f"未知的版式 “{layout}”, 可选: {', '.join(LAYOUTS)}")


def _parse_as(layout: str, text: str, source: str) -> Register | None:
    try:
        reg = _TEXT_PARSERS[layout](text, source)
    except NotADecomposition:
        return None
    # A decomposition gives each task its units; numbered paragraphs of a report or a compilation do not.
    with_units = sum(1 for t in reg.tasks if t.units)
    if with_units * 2 < len(reg.tasks) or not reg.tasks:
        return None
    return reg


def parse_text(text: str, source: str, layout: str = "auto") -> Register:
    """Parse a decomposition from text. `auto` tries every text layout and keeps the one finding most tasks."""
    _check_layout(layout)
    if layout == "table":
        rows = [line.split("\t") if "\t" in line else line.split("|") for line in text.splitlines()]
        return table.parse_rows(rows, source)
    if layout != "auto":
        reg = _parse_as(layout, text, source)
        if reg is None or not reg.tasks:
            raise NotADecomposition(f"按“{layout}”版式没有读出带责任单位的任务", file=source)
        return reg
    candidates = [r for r in (_parse_as(name, text, source) for name in TEXT_LAYOUTS) if r and r.tasks]
    if not candidates:
        raise NotADecomposition("不是重点工作责任分解文档: 没有识别出任何任务(可用 --layout 指定版式)",
                                file=source)
    return max(candidates, key=layout_score)  # max keeps the first on ties


def unplaced_lines(reg: Register) -> list[Warning_]:
    """The warnings of lines a layout could not place anywhere (what --explain shows first)."""
    return [w for w in reg.warnings if w.message.startswith(UNPLACED)]


def layout_score(reg: Register) -> tuple[int, int]:
    """Most tasks with units; among equals, fewest lines left unplaced or tasks left without units (a layout that also reads 责任领导
    and 完成时限 lines beats one that skips them)."""
    with_units = sum(1 for t in reg.tasks if t.units)
    return with_units, -(len(unplaced_lines(reg)) + len(reg.tasks) - with_units)


def import_path(path: str | Path, layout: str = "auto") -> Register:
    """Import one file (text, table, or a registered reader's type)."""
    _check_layout(layout)
    p = Path(path)
    source = str(path)
    if not p.is_file():
        raise XltasksError("文件不存在", file=source)
    suffix = p.suffix.lower()
    if suffix in _OPTIONAL_READER_MODULES and suffix not in _READERS:
        _load_optional_reader(_OPTIONAL_READER_MODULES[suffix])
    if suffix in _READERS:
        reg = _READERS[suffix](p, layout)
    elif suffix in TABLE_SUFFIXES and layout in ("auto", "table"):
        reg = table.parse_rows(table.read_grid(p), source)
    else:
        data = p.read_bytes()
        if data[:4] == b"\xd0\xcf\x11\xe0" and suffix in (".doc", ".wps"):
            raise NotADecomposition("Word 97-2003 文档(.doc)无法直接读取: 请用 Word/WPS 另存为 .docx 后导入",
                                    file=source)
        if b"\x00" in data[:4096] or data[:4] in (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0"):
            raise NotADecomposition(f"不支持的文件类型: 不是文本文件, 也不是可识别的表格或文档(支持 {SUPPORTED_TYPES})",
                                    file=source)
        text, _ = decode_text(data)
        reg = parse_text(text, source, layout)
    sha = sha256_file(p)
    for s in reg.sources:
        s.sha256 = sha
    return reg


def import_paths(paths: list[str | Path], layout: str = "auto") -> Register:
    """Import and merge several documents. With more than one, ids are prefixed "k-" (k = source ordinal)."""
    if not paths:
        raise XltasksError("没有给出要导入的文件")
    regs = [import_path(p, layout) for p in paths]
    if len(regs) == 1:
        return regs[0]
    tasks, warnings, sources = [], [], []
    for k, reg in enumerate(regs, start=1):
        for t in reg.tasks:
            t.id = f"{k}-{t.id}"  # ids of different documents would collide ("1.1" in both)
        tasks += reg.tasks
        warnings += reg.warnings
        sources += reg.sources
    layouts = list(dict.fromkeys(r.layout for r in regs))
    merged = Register(source="; ".join(r.source for r in regs), layout="+".join(layouts), tasks=tasks,
                      warnings=warnings, sources=sources)
    merged.units = build_units(tasks)
    return merged


__all__ = ["LAYOUTS", "import_paths", "import_path", "parse_text", "register_reader", "SourceInfo"]
