"""`xltasks import`: decomposition documents (重点工作责任分解) → task register (任务台账).

Layouts: web-table (seed 000), numbered (seed 003), pipe-table (seed 004), labelled (units named by words:
inline fields, label lines, role phrases, brackets, notices), tab-table (rows pasted with tabs), table
(xlsx/xls/csv, Word and PDF tables).
    import_paths(paths, layout="auto") -> Register      several files merge into one register
    parse_text(text, source, layout="auto") -> Register  text layouts, independent of files (PDF/Word text)
    explain_path(path) -> str                            the layouts tried and what each found
    register_or_import(path) -> Register                 a register file as it is, any other file imported
    table.parse_rows(rows, source) -> Register            a grid of cell strings
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..core.errors import InputError, NotADecomposition, UsageError
from ..core.fileio import decode_text, sha256_file
from ..core.models import Register, SourceInfo, Warning_
from . import labelled, numbered, pipe_table, table, web_table
from .build import build_units
from .explain import Attempt, attempt, best, report, summary
from .sheets import read_workbook

LAYOUTS = ("auto", "web-table", "numbered", "pipe-table", "labelled", "tab-table", "table")
TEXT_LAYOUTS = ("web-table", "numbered", "pipe-table", "labelled", "tab-table")  # on a tie the earlier wins
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".tsv")
SUPPORTED_TYPES = ".txt/.csv/.xlsx/.xls/.docx/.pdf"  # shown to the user when a file is of another type
# Far beyond any real decomposition (000's 216 tasks are 0.1 MB of text): refused before reading, so a wrong
# file costs neither minutes nor gigabytes.
MAX_TEXT_BYTES = 5_000_000
MAX_DOCUMENT_BYTES = 50_000_000


def tab_table(text: str, source: str) -> Register:
    """Rows pasted from a spreadsheet: cells separated by tabs."""
    lines = text.splitlines()
    if sum("\t" in x for x in lines) * 3 < len([x for x in lines if x.strip()]):
        raise NotADecomposition("不是以制表符分隔的表格", file=source)
    return table.parse_rows([x.split("\t") for x in lines], source, layout="tab-table")


_TEXT_PARSERS: dict[str, Callable[[str, str], Register]] = {
    "web-table": web_table.parse,
    "numbered": numbered.parse,
    "pipe-table": pipe_table.parse,
    "labelled": labelled.parse,
    "tab-table": tab_table,
}

# Readers for other file types (Word, PDF), registered by the modules that provide them:
# reader(path, layout) -> Register, and explainer(path) -> (attempts, notes) for --explain.
_READERS: dict[str, Callable[[Path, str], Register]] = {}
_EXPLAINERS: dict[str, Callable[[Path], tuple[list[Attempt], list[str]]]] = {}


# Modules that register readers when imported; loaded lazily so `import xltasks.importers` stays light.
_OPTIONAL_READER_MODULES = {".docx": "document", ".pdf": "pdf"}


def _load_optional_reader(module: str) -> None:
    import importlib

    try:
        importlib.import_module(f".{module}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{module}":
            raise


def register_reader(suffixes: tuple[str, ...] | list[str], reader: Callable[[Path, str], Register],
                    explainer: Callable[[Path], tuple[list[Attempt], list[str]]] | None = None) -> None:
    """Let another module import files by suffix (e.g. ".docx"), keeping import_paths the one entry point."""
    for s in suffixes:
        _READERS[s.lower()] = reader
        if explainer is not None:
            _EXPLAINERS[s.lower()] = explainer


def _check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise UsageError(f"未知的版式 “{layout}”, 可选: {', '.join(LAYOUTS)}")


def text_attempts(text: str, source: str, layouts: tuple[str, ...] = TEXT_LAYOUTS) -> list[Attempt]:
    return [attempt(name, lambda name=name: _TEXT_PARSERS[name](text, source)) for name in layouts]


def parse_text(text: str, source: str, layout: str = "auto") -> Register:
    """Parse a decomposition from text. `auto` tries every text layout and keeps the one finding most tasks
    with units (on a tie, the one leaving fewest lines unplaced; then the earlier)."""
    _check_layout(layout)
    if layout == "table":
        rows = [line.split("\t") if "\t" in line else line.split("|") for line in text.splitlines()]
        return table.parse_rows(rows, source)
    attempts = text_attempts(text, source, TEXT_LAYOUTS if layout == "auto" else (layout,))
    chosen = best(attempts)
    if chosen is None:
        if layout != "auto":
            raise NotADecomposition(f"按“{layout}”版式没有读出带责任单位的任务", file=source)
        raise NotADecomposition("不是重点工作责任分解文档: 没有识别出任何任务。" + summary(attempts), file=source)
    return chosen.register


def check_size(p: Path, source: str) -> None:
    binary = p.suffix.lower() in (*TABLE_SUFFIXES, ".docx", ".pdf") and p.suffix.lower() not in (".csv", ".tsv")
    limit = MAX_DOCUMENT_BYTES if binary else MAX_TEXT_BYTES
    size = p.stat().st_size
    if size > limit:
        raise NotADecomposition(
            f"文件太大({size / 1e6:.1f} MB): 可导入的责任分解文件不超过 {limit // 1_000_000} MB"
            f"(数百项任务的文本约 0.1 MB), 请确认选对了文件", file=source)


def read_text_file(p: Path, source: str) -> str:
    data = p.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")  # Notepad's "Unicode": UTF-16 with a BOM
        except UnicodeDecodeError:
            raise NotADecomposition("文件以 UTF-16 标记开头, 但内容无法按 UTF-16 解码", file=source) from None
    if data[:4] == b"\xd0\xcf\x11\xe0" and p.suffix.lower() in (".doc", ".wps"):
        raise NotADecomposition("Word 97-2003 文档(.doc)无法直接读取: 请用 Word/WPS 另存为 .docx 后导入",
                                file=source)
    if b"\x00" in data[:4096] or data[:4] in (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0"):
        raise NotADecomposition(f"不支持的文件类型: 不是文本文件, 也不是可识别的表格或文档(支持 {SUPPORTED_TYPES})",
                                file=source)
    text, _ = decode_text(data)
    return text


def _load_reader(suffix: str) -> None:
    if suffix in _OPTIONAL_READER_MODULES and suffix not in _READERS:
        _load_optional_reader(_OPTIONAL_READER_MODULES[suffix])


def _sheet_attempts(p: Path, source: str) -> tuple[list[Attempt], list[str]]:
    wb = read_workbook(p)
    attempts = [attempt(f"table[{s.name}]" if s.name else "table",
                        lambda s=s: table.parse_rows(s.rows, source)) for s in wb.sheets]
    return attempts, wb.notes


def read_table_file(p: Path, source: str) -> Register:
    """Every visible sheet with a table header (several: one register, ids prefixed by the sheet's ordinal)."""
    attempts, notes = _sheet_attempts(p, source)
    regs = [a.register for a in attempts if a.usable()]
    if not regs:
        if len(attempts) == 1 and attempts[0].reason:
            raise NotADecomposition(attempts[0].reason, file=source)
        raise NotADecomposition("不是重点工作责任分解文档: 没有识别出任何任务。" + summary(attempts), file=source)
    reg = regs[0] if len(regs) == 1 else merge_registers(regs)
    reg.warnings[:0] = [Warning_(message=n, source=source) for n in notes]
    return reg


def _open(path: str | Path) -> tuple[Path, str, str]:
    """(path, source name, suffix) of an existing file within the size limit, its reader loaded."""
    p = Path(path)
    source = str(path)
    if not p.is_file():
        raise InputError("文件不存在", file=source)
    check_size(p, source)
    suffix = p.suffix.lower()
    _load_reader(suffix)
    return p, source, suffix


def import_path(path: str | Path, layout: str = "auto") -> Register:
    """Import one file (text, table, or a registered reader's type)."""
    _check_layout(layout)
    p, source, suffix = _open(path)
    if suffix in _READERS:
        reg = _READERS[suffix](p, layout)
    elif suffix in TABLE_SUFFIXES and layout in ("auto", "table"):
        reg = read_table_file(p, source)
    else:
        reg = parse_text(read_text_file(p, source), source, layout)
    sha = sha256_file(p)
    for s in reg.sources:
        s.sha256 = sha
    return reg


def explain_path(path: str | Path) -> str:
    """`xltasks import --explain`: the layouts tried on one file, their task counts, the lines none placed."""
    p, source, suffix = _open(path)
    if suffix in _EXPLAINERS:
        attempts, notes = _EXPLAINERS[suffix](p)
    elif suffix in TABLE_SUFFIXES:
        attempts, notes = _sheet_attempts(p, source)
    else:
        attempts, notes = text_attempts(read_text_file(p, source), source), []
    return report(source, attempts, notes)


def merge_registers(regs: list[Register]) -> Register:
    """Several registers as one; ids are prefixed "k-" (k = ordinal) since "1.1" would occur in each."""
    tasks, warnings, sources = [], [], []
    for k, reg in enumerate(regs, start=1):
        for t in reg.tasks:
            t.id = f"{k}-{t.id}"
        tasks += reg.tasks
        warnings += reg.warnings
        sources += reg.sources
    layouts = list(dict.fromkeys(r.layout for r in regs))
    merged = Register(source="; ".join(dict.fromkeys(r.source for r in regs)), layout="+".join(layouts),
                      tasks=tasks, warnings=warnings, sources=sources)
    merged.units = build_units(tasks)
    return merged


def import_paths(paths: list[str | Path], layout: str = "auto") -> Register:
    """Import and merge several documents. With more than one, ids are prefixed "k-" (k = source ordinal)."""
    if not paths:
        raise UsageError("没有给出要导入的文件")
    regs = [import_path(p, layout) for p in paths]
    return regs[0] if len(regs) == 1 else merge_registers(regs)


def register_or_import(path: str | Path) -> Register:
    """A register from `path`: a register file (.xlsx/.xlsm/.json, as `xltasks import` writes) read as it is,
    any other file imported as a decomposition document (import-compilation and reproduce_002 take either)."""
    from ..core.register_io import load_register

    if Path(path).suffix.lower() in (".xlsx", ".xlsm", ".json"):
        return load_register(path)
    if not Path(path).is_file():
        raise InputError("找不到任务台账文件", file=str(path))
    return import_paths([path])


__all__ = ["LAYOUTS", "import_paths", "import_path", "parse_text", "explain_path", "register_or_import",
           "register_reader", "SourceInfo"]

