"""Measure an xlsx worksheet before python-calamine reads it.

calamine's value grid is dense: rows × columns cells from A1 to the farthest cell holding a value. One "x"
typed in XFD1048576 asks for 512 GiB, an abort rather than an exception. Every reader of an xlsx we did
not write ourselves (returned templates, decomposition tables, a hand-edited register.xlsx, merged.xlsx)
measures each sheet from its cell references first (the sheet's own <dimension> may lie) and refuses a
sheet whose grid would pass its caps. Each reader chooses caps fitting what it reads.

- `far_cell(zf, member, data, max_rows=, max_cols=, max_cells=)`: ((rows, cols), A1 ref) or None;
- `sheet_parts(zf)`: sheet name → worksheet part, from workbook.xml and its relationships;
- `check_xlsx(path, max_rows=, max_cols=, max_cells=)`: raises InputError naming file and sheet!cell.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from .errors import InputError

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384

# A cell ref that may lie outside Z99999: two or more column letters (AA+) or a 6-digit row (100000+).
# Ordinary sheets never match, so one search (no Python loop) clears them when the caps allow Z99999.
# calamine reads lower-case letters, any number of letters and leading zeros ("xfd01048576", "ZZZZ1"): so do we.
# (A literal `r="` start: ~8× faster than a word-boundary pattern; a false candidate only costs the exact scan.)
_FAR_REF_QUICK = re.compile(rb'r="(?:[A-Za-z]{2,}\d|[A-Za-z]+\d{6,}")')
_QUICK_ROWS, _QUICK_COLS = 99_999, 26
# An r attribute not written as r="…" (single quotes, spaces around "=": valid XML, never written by Excel,
# WPS or LibreOffice): the tree reader measures such a sheet.
_ODD_R_ATTR = re.compile(rb'r=[^"]|r\s+=')
# A cell without r= (its place is then its order in the row): first two quick searches, then the full one.
_CELL_NO_REF_QUICK = re.compile(rb'<c(?:\s(?!r=)|[>/])')
_NS_CELL = re.compile(rb'<\w+:c[\s/>]')
_CELL_WITHOUT_REF = re.compile(rb'<(?:\w+:)?c(?:\s(?![^>]*\br=)[^>]*)?/?>')
_CELL_TAG = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(/?)>')
_CELL_END = re.compile(rb'\s*</(?:\w+:)?c\s*>')
_R_ATTR = re.compile(rb'\br="([^"]*)"')
_CELL_RE = re.compile(r"^([A-Za-z]+)(\d+)$")


_LAST_WITHOUT_REF: list = [None, False]  # (part bytes, answer) of the last part asked about


def has_cell_without_ref(data: bytes) -> bool:
    """Whether some cell tag of a worksheet part omits its r= reference (its place is then its order in the
    row). Two quick searches first, then the full one. The answer for the last part is kept: the size
    guard and the formula reader of collect both ask about the same part."""
    if _LAST_WITHOUT_REF[0] is data:
        return _LAST_WITHOUT_REF[1]
    found = (_CELL_NO_REF_QUICK.search(data) is not None or _NS_CELL.search(data) is not None) \
        and _CELL_WITHOUT_REF.search(data) is not None
    _LAST_WITHOUT_REF[:] = [data, found]
    return found


def _col_number(letters: str) -> int:
    # not core.cells: calamine reads any number of letters ("ZZZZ1"), and so must the guard in front of it
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _too_far(rows: int, cols: int, max_rows: int, max_cols: int, max_cells: int) -> bool:
    return cols > max_cols or rows > max_rows or rows * cols > max_cells


def far_cell(zf: zipfile.ZipFile, member: str, data: bytes | None = None, *, max_rows: int, max_cols: int,
             max_cells: int) -> tuple[tuple[int, int], str] | None:
    """((rows, columns), A1 ref of the farthest valued cell) when the grid calamine would allocate for this
    worksheet part passes a cap, else None. Cells without a value (only a style) do not count: calamine
    ignores them too. `data`: the part's bytes when the caller has them already (else read from `zf`)."""
    if data is None:
        data = zf.read(member)
    if _ODD_R_ATTR.search(data) is not None or has_cell_without_ref(data):
        return _far_cell_tree(zf, member, max_rows, max_cols, max_cells)
    quick_ok = not _too_far(_QUICK_ROWS, _QUICK_COLS, max_rows, max_cols, max_cells)
    if quick_ok and _FAR_REF_QUICK.search(data) is None:
        return None  # every cell within Z99999, which the caps allow
    max_r = max_c = 0
    far_r = far_c = (0, 0)
    end = _CELL_END.match
    for m in _CELL_TAG.finditer(data):
        if m.group(2) or end(data, m.end()):
            continue  # <c …/> or <c …></c>: no value
        r = _R_ATTR.search(m.group(1))
        ref = _CELL_RE.match(r.group(1).decode("ascii", "replace")) if r else None
        if not ref:
            continue
        row_i, col_i = int(ref.group(2)), _col_number(ref.group(1))
        if row_i > max_r:
            max_r, far_r = row_i, (row_i, col_i)
        if col_i > max_c:
            max_c, far_c = col_i, (row_i, col_i)
    if not _too_far(max_r, max_c, max_rows, max_cols, max_cells):
        return None
    # name the cell that breaks the cap: the farthest column, else the farthest row
    r, c = far_r if max_c <= max_cols and (max_r > max_rows or far_c[1] <= _QUICK_COLS) else far_c
    return (max_r, max_c), _a1(r, c)


def _far_cell_tree(zf: zipfile.ZipFile, member: str, max_rows: int, max_cols: int,
                   max_cells: int) -> tuple[tuple[int, int], str] | None:
    """`far_cell` for writers that omit cell refs (a cell's place is then its order in the row)."""
    from defusedxml.ElementTree import iterparse

    max_r = max_c = 0
    far = (0, 0)
    row_i, col_i, valued = 0, 0, False
    with zf.open(member) as stream:
        for event, el in iterparse(stream, events=("start", "end")):
            tag = el.tag.rpartition("}")[2]
            if event == "start":
                if tag == "row":
                    r = el.get("r")
                    row_i = int(r) if r and r.isdigit() else row_i + 1
                    col_i = 0
                elif tag == "c":
                    m = _CELL_RE.match(el.get("r") or "")
                    if m:
                        row_i, col_i = int(m.group(2)), _col_number(m.group(1))
                    else:
                        col_i += 1
                    valued = False
                continue
            if tag in ("v", "is", "f"):
                valued = True
            elif tag == "c":
                if valued and (row_i > max_r or col_i > max_c):
                    max_r, max_c = max(max_r, row_i), max(max_c, col_i)
                    far = (row_i, col_i)
                el.clear()
            elif tag in ("row", "sheetData"):
                el.clear()
    if not _too_far(max_r, max_c, max_rows, max_cols, max_cells):
        return None
    return (max_r, max_c), _a1(*far)


def _a1(row: int, col: int) -> str:
    from .cells import cell_ref

    return cell_ref(row - 1, col - 1)


_PARTS_SEEN: dict[tuple[bytes, bytes], dict[str, str]] = {}


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its worksheet part, from xl/workbook.xml and its relationships (KeyError when missing).
    Workbooks from one template share both parts byte for byte: their answer is kept (bounded)."""
    import io

    names = ("xl/_rels/workbook.xml.rels", "xl/workbook.xml")
    if any(zf.getinfo(n).file_size > 1 << 16 for n in names):  # KeyError when missing; large: streamed
        return _sheet_parts(zf.open(names[0]), zf.open(names[1]))
    key = (zf.read(names[0]), zf.read(names[1]))
    if key not in _PARTS_SEEN:
        found = _sheet_parts(io.BytesIO(key[0]), io.BytesIO(key[1]))
        if len(_PARTS_SEEN) >= 256:
            _PARTS_SEEN.clear()
        _PARTS_SEEN[key] = found
    return dict(_PARTS_SEEN[key])


def _sheet_parts(rels_xml, workbook_xml) -> dict[str, str]:
    from defusedxml.ElementTree import iterparse

    rels: dict[str, str] = {}
    with rels_xml as f:
        for _, el in iterparse(f):
            if el.tag.rpartition("}")[2] == "Relationship":
                target = el.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                rels[el.get("Id", "")] = target
    out: dict[str, str] = {}
    with workbook_xml as f:
        for _, el in iterparse(f):
            if el.tag.rpartition("}")[2] == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.rpartition("}")[2] == "id"), "")
                if rid in rels:
                    out[el.get("name", "")] = rels[rid]
    return out


def check_xlsx(path: str | Path, *, max_rows: int, max_cols: int, max_cells: int) -> None:
    """Raise InputError (file, sheet!cell) when a sheet of the xlsx at `path` holds a value beyond the caps.
    A file that is no zip, or whose workbook parts cannot be read, is left to calamine to refuse; without a
    readable workbook.xml every worksheet part is measured (named by its part)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            try:
                parts = sheet_parts(zf)
            except Exception:  # noqa: BLE001 - missing or malformed workbook.xml: measure every part below
                parts = {}
            if not parts:
                parts = {n: n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
            for sheet, member in parts.items():
                if member not in names:
                    continue
                try:
                    far = far_cell(zf, member, max_rows=max_rows, max_cols=max_cols, max_cells=max_cells)
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
                    raise
                except Exception:  # noqa: BLE001 - XML the safe parser refuses (DTD, malformed): unmeasured
                    raise InputError(f"工作表“{sheet}”的内容无法解析，未读取", file=str(path),
                                       where=sheet) from None
                if far is not None:
                    (rows, cols), ref = far
                    if rows <= max_rows and cols <= max_cols:
                        limit = f"{max_cells} 个单元格"
                    else:
                        limit = f"{max_rows} 行或 {max_cols} 列"
                    raise InputError(
                        f"工作表“{sheet}”在远离表格的 {ref} 单元格有内容（表格将达 {rows} 行 × {cols} 列，超过 "
                        f"{limit}的上限）：请删除该单元格后重新保存", file=str(path), where=f"{sheet}!{ref}")
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        return
