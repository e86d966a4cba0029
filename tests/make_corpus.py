"""The hostile corpus of issue 7: bad returned files made by script (no checked-in binaries).

Each `Case` writes one bad file (or two, for duplicates) of 市发改委 into a folder; tests/test_hostile.py puts
clean returns of other units (GOOD_UNITS) next to it and runs `xltasks collect` on the folder. A case says
which problem code it must produce and the exit status (1 unless the only findings are warnings).

Run directly (`python -m tests.make_corpus OUT_DIR`) to write every case into OUT_DIR for manual checks.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl

from tests.builders import CLEAN, PERIOD, edit, make_register, rewrite_member
from xltasks.core import layout
from xltasks.issuing.fill import Entry, fill_template
from xltasks.issuing.templates import make_templates

BAD_UNIT = "市发改委"  # every bad file claims this unit (its block 1.1 is rows 4-9, 1.2 rows 10-15)
GOOD_UNITS = ("市住建局", "市应急局")  # their clean returns sit next to each bad file and must be merged
INJECTIONS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1")


class Kit:
    """Templates issued once; clean returns filled once and copied as bytes."""

    def __init__(self, root: Path):
        self.root = root
        self.register = make_register()
        run = make_templates(self.register, root / "templates", PERIOD)
        self.templates = {t.unit: t.path for t in run.issued}
        self._clean: dict[str, bytes] = {}
        self._bomb: bytes | None = None

    def clean_bytes(self, unit: str) -> bytes:
        if unit not in self._clean:
            p = self.root / f"clean_{len(self._clean)}.xlsx"
            fill_template(self.templates[unit], p, CLEAN[unit])
            self._clean[unit] = p.read_bytes()
        return self._clean[unit]

    def clean(self, path: Path, unit: str = BAD_UNIT) -> Path:
        path.write_bytes(self.clean_bytes(unit))
        return path

    def filled(self, path: Path, entries: list[Entry], unit: str = BAD_UNIT) -> Path:
        fill_template(self.templates[unit], path, entries)
        return path

    def bomb_raw(self) -> tuple[bytes, int, int]:
        """Raw deflate of 190 MB of zeros (~185 KB), made once: (raw, crc32, size)."""
        if self._bomb is None:
            size = 190 * 2**20
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            chunk = b"\0" * 2**20
            parts, crc = [], 0
            for _ in range(size // len(chunk)):
                parts.append(c.compress(chunk))
                crc = zlib.crc32(chunk, crc)
            parts.append(c.flush())
            self._bomb = (b"".join(parts), crc, size)
        return self._bomb


def raw_zip(members: list[tuple[str, bytes, int, int, int]], encoding: str = "utf-8") -> bytes:
    """A zip written by hand: (name, raw deflate data, crc, declared size, method). Lets a header lie; names
    are stored in `encoding` without the UTF-8 flag, as many zip tools do."""
    out, central = bytearray(), bytearray()
    for name, raw, crc, size, method in members:
        n = name.encode(encoding)
        off = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(raw), size, len(n), 0)
        out += n + raw
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(raw), size,
                               len(n), 0, 0, 0, 0, 0, off) + n
    cd = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), cd, 0)
    return bytes(out)


def _small(text: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(text) + c.flush(), zlib.crc32(text), len(text)


def _bomb(kit: Kit, declared: int | None) -> bytes:
    raw, crc, size = kit.bomb_raw()
    ct = _small(b'<?xml version="1.0"?><Types/>')
    wb = _small(b'<?xml version="1.0"?><workbook/>')
    members = [("[Content_Types].xml", *ct, 8), ("xl/workbook.xml", *wb, 8)]
    for i in range(3):  # 3 × 190 MB: each under the per-member cap, together over the total cap
        members.append((f"xl/worksheets/sheet{i + 1}.xml", raw, crc, size if declared is None else declared, 8))
    return raw_zip(members)


# --- case builders: (kit, folder) → writes the bad file(s) -----------------------------------------------

def _sheet_xml(fn: Callable[[bytes], bytes]):
    def make(kit: Kit, d: Path) -> None:
        p = kit.clean(d / "bad.xlsx")
        rewrite_member(p, lambda n: n.startswith("xl/worksheets/"), fn)
    return make


def _member(name: str, fn: Callable[[bytes], bytes]):
    def make(kit: Kit, d: Path) -> None:
        p = kit.clean(d / "bad.xlsx")
        rewrite_member(p, lambda n: n == name, fn)
    return make


def _openpyxl(fn: Callable[[openpyxl.Workbook], None], entries: list[Entry] | None = None):
    def make(kit: Kit, d: Path) -> None:
        p = d / "bad.xlsx"
        if entries is None:
            kit.clean(p)
        else:
            kit.filled(p, entries)
        edit(p, fn)
    return make


def _entries(*entries: Entry):
    def make(kit: Kit, d: Path) -> None:
        kit.filled(d / "bad.xlsx", list(entries))
    return make


def _meta(key: str, value):
    def fn(wb):
        for row in wb[layout.SHEET_META].iter_rows():
            if row[0].value == key:
                row[1].value = value
    return fn


def _cell(ref: str, value, as_text: bool = False):
    def fn(wb):
        ws = wb[layout.SHEET_ENTRY]
        ws[ref].value = value
        if as_text:
            ws[ref].data_type = "s"  # typed as text (a leading apostrophe or a 文本 cell): never a formula
    return fn


def _bytes(data: bytes, name: str = "bad.xlsx"):
    def make(kit: Kit, d: Path) -> None:
        (d / name).write_bytes(data)
    return make


def _empty(kit, d):
    (d / "bad.xlsx").write_bytes(b"")


def _csv(kit, d):
    (d / "bad.xlsx").write_bytes("任务编号,细化项目,当前值\n1.1,地铁建设,60\n".encode("gbk"))


def _csv_xls(kit, d):
    (d / "bad.xls").write_text("任务编号\t细化项目\n1.1\t地铁\n", encoding="utf-8")


def _html_xls(kit, d):  # what old OA systems "export to Excel"
    (d / "bad.xls").write_text("<html><body><table><tr><td>1.1</td></tr></table></body></html>", encoding="utf-8")


def _docx(kit, d):
    import docx

    doc = docx.Document()
    doc.add_paragraph("市发改委 2021Q3 重点工作推进情况")
    doc.save(d / "bad.xlsx")


def _pdf(kit, d):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    with open(d / "bad.xlsx", "wb") as f:
        w.write(f)


def _random(kit, d):
    import random

    rnd = random.Random(7)
    (d / "bad.xlsx").write_bytes(bytes(rnd.randrange(256) for _ in range(5000)))


def _truncated(kit, d):
    data = kit.clean_bytes(BAD_UNIT)
    (d / "bad.xlsx").write_bytes(data[: len(data) // 2])


def _no_central_dir(kit, d):
    data = kit.clean_bytes(BAD_UNIT)
    (d / "bad.xlsx").write_bytes(data[:-200])


def _plain_zip(kit, d):
    with zipfile.ZipFile(d / "bad.xlsx", "w") as z:
        z.writestr("进度.txt", "地铁建设 60 公里")


def _bomb_honest(kit, d):
    (d / "bad.xlsx").write_bytes(_bomb(kit, None))


def _bomb_lying(kit, d):
    (d / "bad.xlsx").write_bytes(_bomb(kit, 1000))


def _bomb_in_mail(kit, d):
    with zipfile.ZipFile(d / "邮件附件.zip", "w", zipfile.ZIP_STORED) as z:
        z.writestr("发改委.xlsx", _bomb(kit, None))


def _many_members(kit, d):
    with zipfile.ZipFile(d / "bad.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(5001):
            z.writestr(f"xl/media/p{i}.bin", b"")


def _encrypted(kit, d):
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(d / "bad.xlsx", "wb") as out:
        OOXMLFile(io.BytesIO(kit.clean_bytes(BAD_UNIT))).encrypt("secret", out)


def _ods_encrypted(kit, d):
    with zipfile.ZipFile(d / "bad.ods", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest><manifest:file-entry manifest:full-path="content.xml">'
                                            '<manifest:encryption-data/></manifest:file-entry></manifest:manifest>')


_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>')
_XXE = b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _after_decl(insert: bytes):
    return lambda d: re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or b"") + insert, d, count=1)


def _wrong_template(kit, d):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "进度"
    ws.append(["任务", "进度"])
    ws.append(["地铁建设", "60公里"])
    wb.save(d / "bad.xlsx")


def _rename_sheet(old: str, new: str):
    return lambda wb: setattr(wb[old], "title", new)


def _insert_row_with_values(wb):
    ws = wb[layout.SHEET_ENTRY]
    ws.insert_rows(7)
    ws["F7"], ws["G7"], ws["I7"], ws["J7"] = "新增项目", "新增指标", 10, 5


def _merge(ref: str):
    return lambda wb: wb[layout.SHEET_ENTRY].merge_cells(ref)


def _dimension_a1(d: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', d)


def _wps_dimension_clean(kit, d):
    p = kit.clean(d / "bad.xlsx")
    rewrite_member(p, lambda n: n.startswith("xl/worksheets/"), _dimension_a1)


def _wps_dimension_error(kit, d):
    p = kit.filled(d / "bad.xlsx", CLEAN[BAD_UNIT] + [Entry("1.1", "晚填的项目", "指标", "个", 10, "2000万")])
    rewrite_member(p, lambda n: n.startswith("xl/worksheets/"), _dimension_a1)


def _nan(kit, d):
    p = kit.clean(d / "bad.xlsx")
    rewrite_member(p, lambda n: n.startswith("xl/worksheets/"),
                   lambda x: re.sub(rb'(<c r="I4"[^>]*><v>)[^<]*', rb"\g<1>NaN", x))


def _marker_entries(marker: str):
    return [Entry("1.1", f"地铁{marker}建设", "新增地铁运营里程", "公里", 75, 60)] + CLEAN[BAD_UNIT][1:]


def _control(replacement: bytes):
    def make(kit, d):
        p = kit.filled(d / "bad.xlsx", _marker_entries("CTRLMARK"))
        rewrite_member(p, lambda n: n.startswith("xl/"), lambda x: x.replace(b"CTRLMARK", replacement))
    return make


def _duplicate(newest_bad: bool):
    def make(kit, d):
        import os

        old = kit.clean(d / "第一次报送.xlsx")
        new = kit.filled(d / "第二次报送.xlsx", [Entry("1.1", "地铁建设", "新增地铁运营里程", "公里", 75,
                                                       "61公里" if newest_bad else 61)] + CLEAN[BAD_UNIT][1:])
        for p, when in ((old, b"2021-10-01T08:00:00Z"), (new, b"2021-10-05T08:00:00Z")):
            rewrite_member(p, lambda n: n == "docProps/core.xml",
                           lambda x, w=when: re.sub(rb"(<dcterms:modified[^>]*>)[^<]*<", rb"\g<1>" + w + b"<", x))
        # received in that order too (issue 14: the time the office received a file decides, saved time breaks ties)
        os.utime(old, (1_633_075_200, 1_633_075_200))
        os.utime(new, (1_633_420_800, 1_633_420_800))
    return make


LONG = "长" * 40_000


def _far_meta_cell(wb):
    wb[layout.SHEET_META]["XFD1048576"] = "x"


# a last row written without cell refs (the cell's place is its order): the tree reader finds it
_FAR_ROW_NO_REF = b'<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'


@dataclass
class Case:
    name: str
    make: Callable[[Kit, Path], None]
    code: str  # the problem code the bad file must produce ("" = none: accepted as it is)
    exit_code: int = 1
    merged: bool = False  # the bad file's rows are merged too (a file that only looks hostile)
    cell: str = ""  # where the problem must be reported ("" = not checked)
    shows: str = ""  # text that report.json, report.xlsx and the console must show (a file name)


CASES: list[Case] = [
    # --- not a workbook at all ---------------------------------------------------------------------------
    Case("empty-file", _empty, "not-a-workbook"),
    Case("renamed-csv", _csv, "not-a-workbook"),
    Case("tsv-as-xls", _csv_xls, "not-a-workbook"),
    Case("html-as-xls", _html_xls, "not-a-workbook"),
    Case("renamed-docx", _docx, "not-a-workbook"),
    Case("renamed-pdf", _pdf, "not-a-workbook"),
    Case("random-bytes", _random, "not-a-workbook"),
    Case("truncated-zip", _truncated, "not-a-workbook"),
    Case("zip-without-central-directory", _no_central_dir, "not-a-workbook"),
    Case("zip-not-a-workbook", _plain_zip, "not-a-workbook"),
    Case("corrupt-sheet-xml", _sheet_xml(lambda x: x[: len(x) // 2]), "not-a-workbook"),
    # --- bombs, encryption, XML attacks ------------------------------------------------------------------
    Case("zip-bomb", _bomb_honest, "too-large"),
    Case("zip-bomb-lying-header", _bomb_lying, "too-large"),
    Case("zip-bomb-in-mail-archive", _bomb_in_mail, "too-large"),
    Case("too-many-members", _many_members, "too-large"),
    # one value far from the template's area would make the reader allocate rows × columns cells (512 GiB)
    Case("value-in-far-corner", _openpyxl(_cell("XFD1048576", "x")), "too-large"),
    Case("value-far-right", _openpyxl(_cell("ZZ20000", "x")), "too-large"),
    Case("value-far-corner-of-meta", _openpyxl(_far_meta_cell), "too-large"),
    Case("value-far-corner-single-quoted", _sheet_xml(lambda x: x.replace(
        b"</sheetData>", b"<row r='1048576'><c r = 'XFD1048576' t='inlineStr'><is><t>x</t></is></c></row></sheetData>")),
        "too-large"),
    Case("value-far-down-without-refs",
         _sheet_xml(lambda x: x.replace(b"</sheetData>", _FAR_ROW_NO_REF)), "too-large"),
    Case("encrypted", _encrypted, "encrypted"),
    Case("encrypted-ods", _ods_encrypted, "encrypted"),
    Case("billion-laughs-sheet", _sheet_xml(_after_decl(_LAUGHS)), "xml-dtd"),
    Case("xxe-core-properties", _member("docProps/core.xml", _after_decl(_XXE)), "xml-dtd"),
    Case("doctype-content-types", _member("[Content_Types].xml", _after_decl(b"<!DOCTYPE Types>")), "xml-dtd"),
    Case("doctype-after-comment", _member("xl/workbook.xml", _after_decl(b"<!-- <a> -->" + _XXE)), "xml-dtd"),
    # --- not our template / not this period / not this unit ---------------------------------------------
    Case("wrong-template", _wrong_template, "not-our-template"),
    Case("meta-renamed", _openpyxl(_rename_sheet(layout.SHEET_META, "meta")), "not-our-template"),
    Case("meta-deleted", _openpyxl(lambda wb: wb.remove(wb[layout.SHEET_META])), "not-our-template"),
    Case("meta-template-id-cleared", _openpyxl(_meta(layout.META_TEMPLATE_ID, None)), "not-our-template"),
    Case("entry-sheet-renamed", _openpyxl(_rename_sheet(layout.SHEET_ENTRY, "Sheet1")), "not-our-template"),
    Case("old-schema", _openpyxl(_meta(layout.META_SCHEMA_VERSION, "0")), "schema-version"),
    Case("other-period", _openpyxl(_meta(layout.META_PERIOD, "2021Q2")), "wrong-period"),
    Case("unknown-unit", _openpyxl(_meta(layout.META_UNIT, "市不存在局")), "unknown-unit"),
    Case("header-edited", _openpyxl(_cell("I3", "目标")), "header-changed"),
    # --- rows and locked cells ---------------------------------------------------------------------------
    Case("deleted-task-block", _openpyxl(lambda wb: wb[layout.SHEET_ENTRY].delete_rows(10, 6)), "missing-task"),
    Case("added-row-without-id", _openpyxl(_insert_row_with_values), "row-without-task"),
    Case("added-task-id", _openpyxl(_cell("B9", "9.9")), "extra-task"),
    Case("edited-task-text", _openpyxl(_cell("C4", "改过的任务")), "locked-cell-changed"),
    Case("edited-role", _openpyxl(_cell("E10", "牵头")), "locked-cell-changed"),
    Case("formula-overwritten", _openpyxl(_cell("M5", 0.5)), "formula-changed"),
    Case("formula-edited", _openpyxl(_cell("M6", "=J6/I5")), "formula-changed"),
    Case("formula-deleted", _openpyxl(_cell("M4", None)), "formula-changed"),
    Case("merged-entry-rows", _openpyxl(_merge("F4:F6")), "merged-cells"),
    Case("merged-across-tasks", _openpyxl(_merge("K9:K10")), "merged-cells"),
    # --- values ------------------------------------------------------------------------------------------
    Case("number-with-unit", _entries(Entry("1.1", "地铁建设", "投资", "元", 80, "2000万")), "number-with-unit"),
    Case("approximate-number", _entries(Entry("1.1", "地铁建设", "里程", "公里", 75, "约60")), "approximate-number"),
    Case("text-in-number-cell", _entries(Entry("1.1", "地铁建设", "里程", "公里", "待定目标", 60)), "not-a-number"),
    Case("date-in-number-cell", _openpyxl(_cell("J4", __import__("datetime").datetime(2021, 9, 30))),
         "not-a-number"),
    Case("bool-in-number-cell", _openpyxl(_cell("I4", True)), "not-a-number"),
    Case("nan-in-number-cell", _nan, "not-a-number"),
    Case("huge-digit-string", _openpyxl(_cell("I4", "9" * 400, as_text=True)), "not-a-number"),
    Case("self-rate-out-of-range", _entries(Entry("1.2", "配合", "", "", None, None, "定性", 150)),
         "percent-out-of-range"),
    Case("formula-typed-in-text-cell", _openpyxl(_cell("F4", INJECTIONS[0])), "formula-without-value"),
    Case("formula-injection-in-number-cell", _openpyxl(_cell("I4", INJECTIONS[0], as_text=True)), "not-a-number"),
    Case("formula-injection-as-text", _openpyxl(lambda wb: [
        _cell(ref, v, as_text=True)(wb) for ref, v in zip(("F4", "F10", "N4", "O4", "N10"), INJECTIONS)]),
        "", exit_code=0, merged=True),
    Case("control-character-escape", _control(b"_x0001_"), "control-characters", exit_code=0, merged=True),
    Case("control-character-reference", _control(b"&#1;"), "control-characters", exit_code=0, merged=True),
    Case("control-character-raw", _control(b"\x01"), "control-characters", exit_code=0, merged=True),
    Case("text-40000-chars", _openpyxl(_cell("N4", LONG)), "text-too-long"),
    Case("number-40000-chars", _openpyxl(_cell("J4", LONG)), "not-a-number"),
    # --- WPS and duplicates ------------------------------------------------------------------------------
    Case("wps-dimension-a1", _wps_dimension_clean, "", exit_code=0, merged=True),
    Case("wps-dimension-a1-error-below", _wps_dimension_error, "number-with-unit"),
    Case("duplicate-clean", _duplicate(False), "duplicate-superseded", exit_code=0, merged=True),
    # the newest is rejected (the unit is sent back) but the older clean return's rows stay merged meanwhile
    Case("duplicate-newest-bad", _duplicate(True), "older-return-used", merged=True),
]


def build(kit: Kit, out: Path, cases: list[Case] = CASES) -> dict[str, Path]:
    """Write each case into out/<name>/ (the bad file only). Returns name → folder."""
    folders = {}
    for case in cases:
        d = out / case.name
        d.mkdir(parents=True, exist_ok=True)
        case.make(kit, d)
        folders[case.name] = d
    return folders


if __name__ == "__main__":  # pragma: no cover - a manual helper
    import sys
    import tempfile

    target = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="xltasks-corpus-"))
    build(Kit(target / "_kit"), target)
    print(f"{len(CASES)} cases in {target}")
