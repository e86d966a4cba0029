"""The 填报 sheet of a returned workbook as the checks see it: `EntrySheet`, built once, never changed.

`find_header(grid)` locates the header row (the template's may have been moved down a few rows) and maps
each known column label (layout.COLUMNS) to its column; `read_entry_sheet(book)` then reads the values,
formulas and percent-formatted cells of that sheet into one `EntrySheet`. Rows and columns are 0-based.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Sequence

from ..core import layout as L
from ..core.units import squash as _norm
from ..core.xlsx import col_letters
from .sheet_xml import Formula
from .workbook import Book, cell_text

HEADER_SEARCH_ROWS = 15  # the header is looked for in the sheet's first rows only

_WANTED = {_norm(c.label): c.key for c in L.COLUMNS}
_REQUIRED = frozenset(_norm(x) for x in L.REQUIRED_LABELS)


@dataclass(frozen=True)
class HeaderSearch:
    """Where the header is (`row`, 0-based) and the column of each key found; `missing` lists the required
    labels not found (empty when the header is complete)."""

    row: int
    cols: Mapping[str, int]
    missing: tuple[str, ...]


def find_header(grid: Sequence[Sequence]) -> HeaderSearch:
    """The first row among the first few holding every required label; else the row holding most of them."""
    best: tuple[int, dict[str, int]] | None = None
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cols: dict[str, int] = {}
        for c, v in enumerate(row):
            key = _WANTED.get(_norm(cell_text(v)))
            if key and key not in cols:
                cols[key] = c
        found = {_norm(L.COLUMNS[L.COLUMN_INDEX[k]].label) for k in cols}
        if best is None or len(found & _REQUIRED) > len(best[1]):
            best = (r, cols)
        if _REQUIRED <= found:
            return HeaderSearch(r, MappingProxyType(cols), ())
    cols = best[1] if best else {}
    missing = tuple(x for x in L.REQUIRED_LABELS if _WANTED[_norm(x)] not in cols)
    row = best[0] if best and best[1] else L.HEADER_ROW - 1
    return HeaderSearch(row, MappingProxyType(cols), missing)


@dataclass(frozen=True)
class EntrySheet:
    """The 填报 sheet's values (grid from A1, blank cells ""), its header row and columns, its formulas
    (None when the format does not tell them: .xls) and the target/current cells stored with a percent
    number format (xlsx only)."""

    grid: Sequence[Sequence]
    header_row: int
    cols: Mapping[str, int]
    formulas: Mapping[tuple[int, int], Formula] | None = None
    percent: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    def value(self, r: int, key: str):
        c = self.cols.get(key)
        if c is None or r >= len(self.grid):
            return ""
        row = self.grid[r]
        return row[c] if c < len(row) else ""

    def formula(self, r: int, key: str) -> Formula | None:
        c = self.cols.get(key)
        if c is None or not self.formulas:
            return None
        return self.formulas.get((r, c))

    def ref(self, r: int, key: str) -> str:
        return f"{col_letters(self.cols.get(key, 0))}{r + 1}"


def read_entry_sheet(book: Book, header: HeaderSearch | None = None, grid=None) -> EntrySheet:
    """The EntrySheet of `book` (its header already found, or found here; it must be complete)."""
    grid = book.rows(L.SHEET_ENTRY) if grid is None else grid
    header = header or find_header(grid)
    formulas = book.formulas(L.SHEET_ENTRY)
    percent = book.percent_cells(L.SHEET_ENTRY, [header.cols[k] for k in ("target", "current")
                                                 if k in header.cols])
    return EntrySheet(grid, header.row, header.cols,
                      None if formulas is None else MappingProxyType(formulas), frozenset(percent))
