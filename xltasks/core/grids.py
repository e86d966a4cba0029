"""One reader for the value grids of workbooks: python-calamine behind the far-cell guard (sheetsize.py).

Our own workbooks (register.xlsx, merged.xlsx, units.xlsx, an old 汇编) and the tables people import are
opened with `open_grids(path, limits, ...)`. (A returned file is opened from memory after its pre-flight by
collecting/workbook.py, with the same calls and the same guard, sheet by sheet.) A grid is the sheet from A1 as calamine gives it
(row 0 = Excel row 1, "" for a blank cell, floats for numbers); `openpyxl_like` maps a value to what
openpyxl returned, for readers whose results were defined that way. `number_formats` gives the format code
of the numeric cells of an xlsx sheet (calamine reads values without their formats).
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import InputError
from .sheetsize import check_xlsx, sheet_parts

XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class GridLimits:
    """How large a sheet's grid may be (rows × columns from A1 to its farthest value)."""

    max_rows: int
    max_cols: int
    max_cells: int = 0  # 0: max_rows × max_cols

    @property
    def cells(self) -> int:
        return self.max_cells or self.max_rows * self.max_cols


@dataclass
class GridBook:
    """A workbook opened for its grids (see module doc)."""

    sheet_names: list[str]
    hidden_sheets: set[str]
    _cal: object = field(repr=False)
    _sheets: dict[str, object] = field(default_factory=dict, repr=False)
    _rows: dict[str, list[list]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_calamine(cls, cal) -> "GridBook":
        try:
            metas = cal.sheets_metadata
            names = [m.name for m in metas]
            hidden = {m.name for m in metas if str(m.visible).rsplit(".", 1)[-1] != "Visible"}
        except Exception:  # noqa: BLE001 - a format without sheet metadata: every sheet counts as visible
            names, hidden = list(cal.sheet_names), set()
        return cls(names, hidden, cal)

    def sheet(self, name: str):
        # calamine parses the whole sheet part on each get_sheet_by_name; values and merges share one parse
        if name not in self._sheets:
            self._sheets[name] = self._cal.get_sheet_by_name(name)
        return self._sheets[name]

    def rows(self, name: str) -> list[list]:
        """The sheet's values as a grid from A1 (row 0 = Excel row 1); blank cells are ""."""
        if name not in self._rows:
            self._rows[name] = self.sheet(name).to_python(skip_empty_area=False)
        return self._rows[name]

    def merged_ranges(self, name: str) -> list[tuple[int, int, int, int]]:
        """Merged areas as 0-based (first_row, first_col, last_row, last_col); [] when the format has none."""
        ranges = self.sheet(name).merged_cell_ranges
        return [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges or ()]

    def close(self) -> None:
        try:
            self._cal.close()
        except Exception:  # noqa: BLE001
            pass

    def __enter__(self) -> "GridBook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_grids(path: str | Path, limits: GridLimits, *, unreadable: str,
               reason: Callable[[BaseException], str] = str) -> GridBook:
    """Open one of our own workbooks or an imported table. An xlsx is measured first: a value far outside
    `limits` is an InputError naming the sheet and cell (sheetsize.check_xlsx). A file calamine cannot open
    is an InputError "`unreadable`: `reason(exception)`" naming the file."""
    p = Path(path)
    if p.suffix.lower() in XLSX_SUFFIXES:
        check_xlsx(p, max_rows=limits.max_rows, max_cols=limits.max_cols, max_cells=limits.cells)
    try:
        from python_calamine import CalamineWorkbook

        return GridBook.from_calamine(CalamineWorkbook.from_path(str(p)))
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for broken files
        raise InputError(f"{unreadable}: {reason(exc)}", file=str(path)) from None


def openpyxl_like(v):
    """A calamine value as openpyxl gives it: None for a blank, int for a whole number, datetime for a date."""
    if v == "" and isinstance(v, str):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def number_formats(path: str | Path, sheet: str) -> dict[tuple[int, int], str]:
    """0-based (row, col) → number format code of every cell of an xlsx sheet that has a style whose format
    is not General. Empty for other formats, or when the parts cannot be read."""
    try:
        with zipfile.ZipFile(path) as zf:
            member = sheet_parts(zf).get(sheet)
            if not member:
                return {}
            codes = _style_formats(zf)
            if not codes:
                return {}
            return {rc: codes[s] for rc, s in _styled_cells(zf.read(member)) if s in codes}
    except Exception:  # noqa: BLE001 - no format information: numbers are then shown as General
        return {}


def _styled_cells(data: bytes):
    """((row, col), style index) of every cell of a worksheet part with an s= attribute (safe parser)."""
    from defusedxml.ElementTree import iterparse

    from .cells import split_ref

    for _, el in iterparse(io.BytesIO(data), events=("end",)):
        if el.tag.rpartition("}")[2] == "c":
            style, ref = el.get("s"), split_ref(el.get("r") or "")
            if style and style.isdigit() and ref is not None:
                yield ref, int(style)
            el.clear()


def _style_formats(zf: zipfile.ZipFile) -> dict[int, str]:
    """cellXfs index → format code, for the styles whose format is not General."""
    from defusedxml.ElementTree import fromstring
    from openpyxl.styles.numbers import BUILTIN_FORMATS  # the codes of Excel's built-in format ids

    root = fromstring(zf.read("xl/styles.xml"))
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in root.iter(f"{ns}numFmt")}
    out: dict[int, str] = {}
    xfs = root.find(f"{ns}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else ()):
        fid = int(xf.get("numFmtId", "0"))
        code = custom.get(fid, BUILTIN_FORMATS.get(fid, "General"))
        if code != "General":
            out[i] = code
    return out
