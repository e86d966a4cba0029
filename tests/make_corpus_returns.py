"""Issue 14's corpus: returns as bureaus really send them, made by script (no checked-in binaries).

A sibling of tests/make_corpus.py (same Kit, same BAD_UNIT and GOOD_UNITS): each case writes one folder's worth
of files of 市发改委; tests/collecting/test_returns_corpus.py puts the clean returns of GOOD_UNITS next to it,
runs `xltasks collect`, and checks the case's problem code (at its cell), or the reason a file was not read,
the exit status, the inputs unchanged, and the good units' rows merged in every case.

Run directly (`python -m tests.make_corpus_returns OUT_DIR`) to write every case into OUT_DIR.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from openpyxl.cell.cell import MergedCell

from tests.builders import CLEAN, edit
from tests.make_corpus import BAD_UNIT, Kit, raw_zip
from tests.make_corpus import build as build_cases
from xltasks.core import layout
from xltasks.issuing.fill import Entry


@dataclass
class ReturnCase:
    name: str
    make: Callable[[Kit, Path], None]
    code: str = ""  # the problem code the bad file must produce ("" = none)
    exit_code: int = 1
    merged: bool = False  # 市发改委's rows are merged (its return was read after all)
    cell: str = ""  # where `code` must be reported
    unread: str = ""  # a file is listed as not read, its reason containing this text
    shows: str = ""  # text report.json must show in a file's path (a file name)
    message: str = ""  # text the problem's message must contain
    unit_status: str = ""  # 市发改委's status in 报送情况 ("" = not checked)


def _stored_zip(members: dict[str, bytes], encoding: str = "utf-8") -> bytes:
    return raw_zip([(n, d, zlib.crc32(d), len(d), 0) for n, d in members.items()], encoding=encoding)


def _named(name: str):
    def make(kit: Kit, d: Path) -> None:
        kit.clean(d / name)
    return make


def _bytes_named(name: bytes):
    def make(kit: Kit, d: Path) -> None:
        with open(os.path.join(os.fsencode(d), name), "wb") as f:
            f.write(kit.clean_bytes(BAD_UNIT))
    return make


def _raw(name: str, data: bytes):
    def make(kit: Kit, d: Path) -> None:
        (d / name).write_bytes(data)
    return make


def _zip(names: tuple[str, ...], encoding: str):
    def make(kit: Kit, d: Path) -> None:
        inner = kit.clean_bytes(BAD_UNIT)
        data = _stored_zip({names[-1]: inner}, encoding)
        for n in reversed(names[:-1]):
            data = _stored_zip({n: data}, encoding)
        (d / "邮件附件.zip").write_bytes(data)
    return make


def _symlinked_folder(kit: Kit, d: Path) -> None:
    real = d.parent / f"{d.name}-elsewhere"
    real.mkdir(exist_ok=True)
    kit.clean(real / "市发改委.xlsx")
    os.symlink(real, d / "链接的文件夹", target_is_directory=True)


def _meta(key: str, value: str):
    def make(kit: Kit, d: Path) -> None:
        def fn(wb):
            for row in wb[layout.SHEET_META].iter_rows():
                if row[0].value == key:
                    row[1].value = value
        edit(kit.clean(d / "bad.xlsx"), fn)
    return make


def _cells(**cells):
    """Cells of 填报 set through openpyxl; a value ("e", "#N/A") is stored as that error value."""
    def make(kit: Kit, d: Path) -> None:
        def fn(wb):
            ws = wb[layout.SHEET_ENTRY]
            for ref, v in cells.items():
                if isinstance(v, tuple):
                    ws[ref].value, ws[ref].data_type = v[1], v[0]
                else:
                    ws[ref].value = v
        edit(kit.clean(d / "bad.xlsx"), fn)
    return make


def _formula_error(ref: str, formula: str, error: str):
    """A formula the unit typed whose cached result is an error value, as Excel or WPS saves it."""
    def make(kit: Kit, d: Path) -> None:
        import re

        from tests.builders import rewrite_member

        p = kit.clean(d / "bad.xlsx")
        cell = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)', re.S)

        def fn(x: bytes) -> bytes:
            new = b'<c r="' + ref.encode() + b'" t="e"><f>' + formula.encode() + b"</f><v>" + error.encode() + b"</v></c>"
            return cell.sub(lambda m: new, x, count=1)
        rewrite_member(p, lambda n: n == "xl/worksheets/sheet2.xml", fn)
    return make


def _filled_copy(kit: Kit, d: Path) -> None:
    """The unit filled a copy of 填报 ("填报 (2)") and left 填报 itself blank."""
    def fn(wb):
        ws = wb[layout.SHEET_ENTRY]
        copy = wb.copy_worksheet(ws)
        copy.title = "填报 (2)"
        cols = [layout.COLUMN_INDEX[k] + 1 for k in ("item", "indicator", "measure_unit", "target", "current",
                                                      "self_rate", "highlights", "problems")]
        for r in range(layout.FIRST_ENTRY_ROW, ws.max_row + 1):
            for c in cols:
                if not isinstance(ws.cell(r, c), MergedCell):  # 主要亮点/存在问题 are merged over each block
                    ws.cell(r, c).value = None
    edit(kit.clean(d / "bad.xlsx"), fn)


def _notes_sheet(kit: Kit, d: Path) -> None:
    def fn(wb):
        wb.create_sheet("情况说明")["A1"] = "以此为准：地铁里程 62 公里"
    edit(kit.clean(d / "bad.xlsx"), fn)


def _renamed_entry(kit: Kit, d: Path) -> None:
    def fn(wb):
        wb[layout.SHEET_ENTRY].title = "三季度"
    edit(kit.clean(d / "bad.xlsx"), fn)


def _entries(*rows: Entry):
    def make(kit: Kit, d: Path) -> None:
        kit.filled(d / "bad.xlsx", list(rows) + CLEAN[BAD_UNIT][1:])
    return make


_OLE_NOT_A_BOOK = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # an OLE header and nothing a reader knows

CASES: list[ReturnCase] = [
    # item 1: names that are not UTF-8 on disk
    ReturnCase("gbk-file-name", _bytes_named("市发改委-三季度报送.xlsx".encode("gbk")), exit_code=0, merged=True,
               shows="市发改委-三季度报送.xlsx"),
    ReturnCase("undecodable-file-name", _bytes_named(b"\xff\xfe\x80.xlsx"), exit_code=0, merged=True,
               shows="\\xff\\xfe\\x80.xlsx"),
    # item 18: zip member names without the UTF-8 flag
    ReturnCase("zip-utf8-names-without-flag", _zip(("市发改委/三季度报送.xlsx",), "utf-8"), exit_code=0, merged=True,
               shows="市发改委/三季度报送.xlsx"),
    ReturnCase("zip-gbk-names", _zip(("市发改委/三季度报送.xlsx",), "gbk"), exit_code=0, merged=True,
               shows="市发改委/三季度报送.xlsx"),
    # item 10: files that are not read are listed with the reason; what can be read is read
    ReturnCase("trailing-space-name", _named("市发改委.xlsx "), exit_code=0, merged=True, shows="市发改委.xlsx "),
    ReturnCase("et-holding-xlsx", _named("市发改委.et"), exit_code=0, merged=True, shows="市发改委.et"),
    ReturnCase("et-unreadable", _raw("市发改委.et", _OLE_NOT_A_BOOK), code="not-a-workbook"),
    ReturnCase("rar-archive", _raw("市发改委.rar", b"Rar!\x1a\x07\x01\x00" + b"\0" * 100), exit_code=0,
               unread="请解压"),
    ReturnCase("7z-archive", _raw("市发改委.7z", b"7z\xbc\xaf\x27\x1c" + b"\0" * 100), exit_code=0, unread="请解压"),
    ReturnCase("xlsx-bak", _named("市发改委.xlsx.bak"), exit_code=0, unread="去掉“.bak”后缀"),
    ReturnCase("word-document", _raw("说明.docx", b"PK\x03\x04"), exit_code=0, unread="请另存为 .xlsx"),
    ReturnCase("three-zips-deep", _zip(("中.zip", "内.zip", "市发改委.xlsx"), "utf-8"), exit_code=0,
               unread="嵌套过深"),
    ReturnCase("symlinked-folder", _symlinked_folder, exit_code=0, unread="符号链接"),
    # item 3: error values, pasted or computed, in any entry cell: an error naming the value at its cell
    ReturnCase("error-value-in-current", _cells(J4=("e", "#DIV/0!")), code="error-value", cell="J4"),
    ReturnCase("error-value-in-target", _cells(I4=("e", "#N/A")), code="error-value", cell="I4"),
    ReturnCase("error-value-in-item", _cells(F4=("e", "#REF!")), code="error-value", cell="F4"),
    ReturnCase("error-value-in-indicator", _cells(G5=("e", "#NAME?")), code="error-value", cell="G5"),
    ReturnCase("error-value-typed-as-text", _cells(J5="#VALUE!"), code="error-value", cell="J5"),
    ReturnCase("formula-computing-an-error", _formula_error("J4", "7/0", "#DIV/0!"), code="error-value", cell="J4"),
    # item 17: a right-to-left override makes "001" show as "100"
    ReturnCase("bidi-override-in-number", _cells(J4="\u202e001"), code="bidi-control", cell="J4"),
    ReturnCase("bidi-isolate-in-text", _cells(F4="地铁\u2067建设\u2069"), code="bidi-control", cell="F4"),
    # item 8 and 16: a filled copy of 填报, an added notes sheet, a renamed 填报
    ReturnCase("filled-copy-of-entry-sheet", _filled_copy, code="filled-copy", message="填报 (2)",
               unit_status="有错误退回"),
    ReturnCase("notes-sheet-added", _notes_sheet, code="extra-sheet", exit_code=0, merged=True, message="情况说明"),
    ReturnCase("entry-sheet-renamed-named", _renamed_entry, code="not-our-template", message="工作表被改名",
               unit_status="有错误退回"),
    # item 16: a range is not a number with the unit "-5"
    ReturnCase("range-in-target", _entries(Entry("1.1", "地铁建设", "新增地铁运营里程", "公里", "3-5", 60)),
               code="range-number", cell="I4", message="范围“3-5”"),
    # item 11: a negative figure is a warning at its cell (and scores 0%, never below)
    ReturnCase("negative-current", _entries(Entry("1.1", "地铁建设", "新增地铁运营里程", "公里", 75, -25)),
               code="negative-value", cell="J4", exit_code=0, merged=True),
    # item 9: text outside the entry area, a locked cell changed after unprotecting: warnings at their cells
    ReturnCase("text-in-a-new-column", _cells(Q3="备注", Q4="以此为准：100"), code="outside-entry-area", cell="Q4",
               exit_code=0, merged=True, message="以此为准：100"),
    ReturnCase("locked-units-edited", _cells(D4="市发改委、市财政局"), code="locked-cell-edited", cell="D4",
               exit_code=0, merged=True),
    # item 6: a template issued from another register
    ReturnCase("register-digest-changed", _meta(layout.META_REGISTER_DIGEST, "0" * 64), code="register-mismatch",
               cell="B11"),
]


def build(kit: Kit, out: Path, cases: list[ReturnCase] = CASES) -> dict[str, Path]:
    """Write each case into out/<name>/. Returns name → folder."""
    return build_cases(kit, out, cases)


__all__ = ["CASES", "CLEAN", "Entry", "ReturnCase", "build"]

if __name__ == "__main__":  # pragma: no cover - a manual helper
    import sys
    import tempfile

    target = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="xltasks-returns-"))
    build(Kit(target / "_kit"), target)
    print(f"{len(CASES)} cases in {target}")
