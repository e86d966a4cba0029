"""A returned workbook opened once: values through python-calamine, formulas and number formats from the XML.

`open_book(source)` runs the pre-flight (intake.preflight_data) and returns a `Book`: values through
python-calamine (fast, no style parsing) behind the far-cell guard (core.sheetsize), formulas read straight
from the sheet XML (sheet_xml: xlsx worksheet parts, ods content.xml), the hidden `_meta` sheet as a dict,
and the workbook's own saved time (docProps/core.xml or meta.xml).

Class Book is longer than 150 lines because: it holds the one open file and the caches its readers share
(the inflated sheet parts, calamine's parsed sheets, the styles); each reader method is short and hands the
parsing to sheet_xml.py or percent_formats.py.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

from ..core.layout import SHEET_META
from ..core.sheetsize import far_cell, sheet_parts
from ..core.errors import ReturnedFileError
from .intake import MAX_SHEET_CELLS, MAX_SHEET_COLS, MAX_SHEET_ROWS, Source, preflight_data
from .percent_formats import _xlsx_percent_styles, _xlsx_styled_cells, ods_percent_cells
from .sheet_xml import Formula, _iterparse, _local, _ods_formulas, _xlsx_formulas, is_clean, xlsx_error_cells

@dataclass
class Book:
    """A returned workbook opened once (see the module doc)."""

    source: Source
    kind: str  # "xlsx" / "ods" / "xls"
    sheet_names: list[str]
    hidden_sheets: set[str]
    _cal: object = field(repr=False)
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)
    _xlsx_sheet_paths: dict[str, str] = field(default_factory=dict, repr=False)
    _rows_cache: dict[str, list[list]] = field(default_factory=dict, repr=False)
    _sheet_cache: dict[str, object] = field(default_factory=dict, repr=False)
    _member_cache: dict[str, bytes] = field(default_factory=dict, repr=False)
    _percent_styles: frozenset[int] | None = field(default=None, repr=False)
    _clean_cache: dict[str, bool] = field(default_factory=dict, repr=False)
    _xls_data: bytes = field(default=b"", repr=False)  # an .xls's (decrypted) bytes, for its number formats

    def _sheet(self, sheet: str):
        # calamine parses the whole sheet part on each get_sheet_by_name; values and merges share one parse
        if sheet not in self._sheet_cache:
            self.check_extent(sheet)
            self._sheet_cache[sheet] = self._cal.get_sheet_by_name(sheet)
        return self._sheet_cache[sheet]

    def check_extent(self, sheet: str) -> None:
        """Refuse (ReturnedFileError too-large) a sheet whose farthest value lies outside any template's area,
        before calamine allocates its dense grid. xlsx only: for .ods/.xls calamine's own reader runs under
        the file-size cap alone (xls grids are bounded by the format: 65,536 × 256)."""
        if self.kind != "xlsx":
            return
        member = self._xlsx_sheet_paths.get(sheet)
        if not member:
            return
        try:
            data = self._member(member)
        except KeyError:
            return
        far = far_cell(self._zip, member, data, max_rows=MAX_SHEET_ROWS, max_cols=MAX_SHEET_COLS,
                       max_cells=MAX_SHEET_CELLS)
        if far is not None:
            (rows, cols), ref = far
            raise ReturnedFileError("too-large", f"“{sheet}”表 {ref} 有内容，表格达 {rows} 行 × {cols} 列",
                                sheet=sheet, cell=ref)

    def rows(self, sheet: str) -> list[list]:
        """The sheet's values as a grid from A1 (row 0 = Excel row 1); blank cells are ""."""
        if sheet not in self._rows_cache:
            self._rows_cache[sheet] = self._sheet(sheet).to_python(skip_empty_area=False)
        return self._rows_cache[sheet]

    def meta(self) -> dict[str, str] | None:
        """The `_meta` sheet as key → value (column A → column B), None when there is no such sheet."""
        if SHEET_META not in self.sheet_names:
            return None
        out: dict[str, str] = {}
        for row in self.rows(SHEET_META):
            if len(row) >= 2:
                key = cell_text(row[0]).strip()
                if key and key not in out:
                    out[key] = cell_text(row[1]).strip()
        return out

    def formulas(self, sheet: str) -> dict[tuple[int, int], Formula] | None:
        """Formulas of a sheet by 0-based (row, col); None when the format does not tell (xls)."""
        try:
            if self.kind == "xlsx":
                member = self._xlsx_sheet_paths.get(sheet)
                return _xlsx_formulas(self._zip, member, self._member(member), self._clean(member)) if member else {}
            if self.kind == "ods":
                return _ods_formulas(self._zip, sheet)
        except Exception:  # noqa: BLE001 - an unreadable sheet XML means no formula information
            return {}
        return None

    def _clean(self, member: str) -> bool:
        if member not in self._clean_cache:
            self._clean_cache[member] = is_clean(self._member(member))
        return self._clean_cache[member]

    def _member(self, member: str) -> bytes:
        # a sheet part is inflated once and shared by the formula and the number-format readers
        if member not in self._member_cache:
            self._member_cache[member] = self._zip.read(member)
        return self._member_cache[member]

    def percent_cells(self, sheet: str, cols: Iterable[int]) -> set[tuple[int, int]]:
        """0-based (row, col) of the cells in `cols` stored with a percent number format (xlsx styles, the ods
        value type, the xls XF records: one reading for every format).

        calamine gives values without their format, and "3.5%" typed in Excel or WPS is stored as 0.035;
        the format tells that cell apart from a 3.5 typed as such. Empty when the format cannot be read.
        """
        if self.kind == "ods":
            try:  # the value type says it (office:value-type="percentage"): one reading for every format
                return ods_percent_cells(self._zip, sheet, set(cols))
            except Exception:  # noqa: BLE001 - no format information then
                return set()
        if self.kind == "xls":
            from .biff import xls_percent_cells

            return xls_percent_cells(self._xls_data, sheet, set(cols))
        if self.kind != "xlsx":
            return set()
        try:
            if self._percent_styles is None:
                self._percent_styles = _xlsx_percent_styles(self._zip)
            member = self._xlsx_sheet_paths.get(sheet)
            if not member or not self._percent_styles:
                return set()
            return _xlsx_styled_cells(self._member(member), self._percent_styles, set(cols), self._clean(member))
        except Exception:  # noqa: BLE001 - no format information then; the scale checks still apply
            return set()

    def error_cells(self, sheet: str) -> dict[tuple[int, int], str]:
        """0-based (row, col) → error value (#DIV/0!, #N/A, …) of cells stored as errors (xlsx); calamine gives
        them as blanks. Other formats keep the error text as the value itself (see checks/cells.py)."""
        if self.kind != "xlsx":
            return {}
        try:
            member = self._xlsx_sheet_paths.get(sheet)
            return xlsx_error_cells(self._member(member)) if member else {}
        except Exception:  # noqa: BLE001 - an unreadable part has no error cells to tell
            return {}

    def merged_ranges(self, sheet: str) -> list[tuple[int, int, int, int]]:
        """Merged areas of a sheet as 0-based (first_row, first_col, last_row, last_col)."""
        try:
            ranges = self._sheet(sheet).merged_cell_ranges
        except ReturnedFileError:
            raise
        except Exception:  # noqa: BLE001 - a format without merge information has none to report
            return []
        return [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges or ()]

    @cached_property
    def saved_at(self) -> dt.datetime | None:
        """The workbook's own last-saved time (UTC, naive), None when it does not say."""
        try:
            if self.kind == "xlsx":
                text = _xml_text(self._zip, "docProps/core.xml", "modified")
            elif self.kind == "ods":
                text = _xml_text(self._zip, "meta.xml", "date")
            else:
                return None
            return _parse_time(text) if text else None
        except Exception:  # noqa: BLE001 - a missing or odd core.xml just means "unknown"
            return None

    def close(self) -> None:
        self._member_cache.clear()
        try:
            self._cal.close()
        except Exception:  # noqa: BLE001
            pass


def cell_text(v) -> str:
    """A cell value as text: 2021.0 → "2021", True → "TRUE"."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def open_book(source: Source, password: str | None = None) -> Book:
    """Open a Source as a Book (see module doc); raises ReturnedFileError. `password` opens encrypted files."""
    kind, zf, data = preflight_data(source, password)
    import python_calamine as pc

    try:
        cal = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any reader failure is one "not a workbook"
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise ReturnedFileError("encrypted")
        raise ReturnedFileError("not-a-workbook", f"读取失败（{type(exc).__name__}）")
    try:
        metas = cal.sheets_metadata
        names = [m.name for m in metas]
        hidden = {m.name for m in metas if str(m.visible).rsplit(".", 1)[-1] != "Visible"}
    except Exception:  # noqa: BLE001
        names, hidden = list(cal.sheet_names), set()
    paths: dict[str, str] = {}
    if kind == "xlsx":
        try:
            paths = sheet_parts(zf)
        except Exception:  # noqa: BLE001 - no formula information then; values still read
            paths = {}
    return Book(source, kind, names, hidden, cal, zf, paths, _xls_data=data if kind == "xls" else b"")


def _xml_text(zf: zipfile.ZipFile, member: str, local_name: str) -> str:
    """The text of the first element named `local_name` (any namespace prefix) in a small XML member."""
    data = zf.read(member)
    name = local_name.encode()
    m = re.search(rb"<(?:[\w.-]+:)?" + name + rb"(?:\s[^>]*)?(?<!/)>([^<&]*)</", data)
    first = re.search(rb"<(?:[\w.-]+:)?" + name + rb"[\s/>]", data)
    if m is not None and first is not None and first.start() == m.start() and b"<!" not in data:
        # the plain case (no comment, CDATA, entity or child element): what the XML parser would give
        return m.group(1).decode("utf-8").strip()
    return _xml_text_tree(zf, member, local_name)


def _xml_text_tree(zf: zipfile.ZipFile, member: str, local_name: str) -> str:
    with zf.open(member) as f:
        for _, el in _iterparse(f):
            if _local(el.tag) == local_name:
                return (el.text or "").strip()
    return ""


def _parse_time(text: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t
