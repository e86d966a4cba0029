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
from ..core.cells import cell_ref
from ..core.textkeys import squash as _norm
from .sheet_xml import Formula
from .workbook import Book, cell_text

# Spreadsheet error values: a cell showing one holds no figure (a formula gone wrong, or pasted as a value).
ERROR_VALUES = frozenset({"#DIV/0!", "#N/A", "#REF!", "#NAME?", "#VALUE!", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                          "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "#错误"})
HEADER_SEARCH_ROWS = 15  # the header is looked for in the sheet's first rows only


def typed_error(v) -> str:
    """The error value a cell shows as typed text ("#DIV/0!" pasted as text, " #n/a "), or ""."""
    return v.strip() if isinstance(v, str) and "#" in v and v.strip().upper() in ERROR_VALUES else ""

_WANTED = {_norm(c.label): c.key for c in L.COLUMNS}
_REQUIRED = frozenset(_norm(x) for x in L.REQUIRED_LABELS)


_KEYS_SEEN: dict = {}


def _column_key(v) -> str | None:
    """The column key a header cell's label names (labels compared NFKC, without spaces), else None. Kept
    per label: every return carries the same header (bounded: hostile sheets vary)."""
    if type(v) is str and v in _KEYS_SEEN:
        return _KEYS_SEEN[v]
    key = _WANTED.get(_norm(cell_text(v)))
    if type(v) is str and len(_KEYS_SEEN) < 4096:
        _KEYS_SEEN[v] = key
    return key


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
            if v == "" or v is None:
                continue
            key = _column_key(v)
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
    errors: Mapping[tuple[int, int], str] = field(default_factory=lambda: MappingProxyType({}))  # #DIV/0! …
    # plain-dict views of cols and formulas for the per-cell lookups (a mappingproxy lookup costs more)
    _cols: dict = field(init=False, repr=False, compare=False)
    _formulas: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_cols", dict(self.cols))
        object.__setattr__(self, "_formulas", dict(self.formulas) if self.formulas else {})

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    def value(self, r: int, key: str):
        c = self._cols.get(key)
        if c is None or r >= len(self.grid):
            return ""
        row = self.grid[r]
        return row[c] if c < len(row) else ""

    def row_values(self, r: int, keys: Sequence[str]) -> dict:
        """key → value of row r for each of `keys` ("" for a column the sheet lacks or a cell beyond it)."""
        row = self.grid[r] if r < len(self.grid) else ()
        n = len(row)
        out = {}
        for key in keys:
            c = self._cols.get(key)
            out[key] = row[c] if c is not None and c < n else ""
        return out

    def formula(self, r: int, key: str) -> Formula | None:
        c = self._cols.get(key)
        if c is None or not self._formulas:
            return None
        return self._formulas.get((r, c))

    def formula_rows(self, keys: Sequence[str]) -> frozenset[int]:
        """The rows holding a formula in any of the columns `keys`."""
        cols = {self._cols[k] for k in keys if k in self._cols}
        return frozenset(r for r, c in self._formulas if c in cols)

    def error(self, r: int, key: str) -> str:
        """The error value (#DIV/0!, #N/A, …) the cell holds, stored as an error or typed as its text; ""."""
        c = self._cols.get(key)
        if c is None:
            return ""
        found = self.errors.get((r, c), "") if self.errors else ""
        if found:
            return found
        return typed_error(self.value(r, key))

    def ref(self, r: int, key: str) -> str:
        return cell_ref(r, self.cols.get(key, 0))


def read_entry_sheet(book: Book, header: HeaderSearch | None = None, grid=None) -> EntrySheet:
    """The EntrySheet of `book` (its header already found, or found here; it must be complete)."""
    grid = book.rows(L.SHEET_ENTRY) if grid is None else grid
    header = header or find_header(grid)
    formulas = book.formulas(L.SHEET_ENTRY)
    percent = book.percent_cells(L.SHEET_ENTRY, [header.cols[k] for k in ("target", "current")
                                                 if k in header.cols])
    return EntrySheet(grid, header.row, header.cols,
                      None if formulas is None else MappingProxyType(formulas), frozenset(percent),
                      MappingProxyType(book.error_cells(L.SHEET_ENTRY)))
