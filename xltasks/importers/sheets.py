"""Reading a decomposition table from a workbook (.xlsx/.xls/.ods via python-calamine) or a .csv.

Which sheet: the visible sheets that hold a table header, in order; a hidden sheet (often a superseded
version left in the file) only when no visible sheet has one. The register says which sheet was read.
Cells merged down (a section, leader or unit cell over several tasks) give their value to every row they
span; cells merged across stay in their first column (a section row then looks like a one-cell row).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..core.fileio import decode_text
from ..core.grids import GridLimits, open_grids
from .header import find_header

# A far-away cell (XFD1048576, ZZ20000) makes calamine allocate the whole grid up to it: hundreds of GB,
# an abort rather than an exception. Each sheet is measured first (xltasks.core.sheetsize).
MAX_GRID_COLUMNS = 100
MAX_GRID_ROWS = 100_000
LIMITS = GridLimits(MAX_GRID_ROWS, MAX_GRID_COLUMNS)


@dataclass
class SheetGrid:
    name: str  # "" for a csv
    rows: list[list]
    hidden: bool = False


@dataclass
class Workbook:
    sheets: list[SheetGrid] = field(default_factory=list)  # the ones to read, in order
    notes: list[str] = field(default_factory=list)  # which sheets were read and why others were not


def fill_merged_down(rows: list[list], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> list[list]:
    """Every row a vertical merge spans gets the value of its top-left cell (in the first column only)."""
    for (r0, c0), (r1, _c1) in merged:
        if r1 <= r0 or r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0 + 1, r1 + 1):
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            row.extend([None] * (c0 + 1 - len(row)))
            row[c0] = value
    return rows


def read_csv(p: Path) -> list[list[str]]:
    text, _ = decode_text(p.read_bytes())
    sample = text[:4096]
    delim = "\t" if p.suffix.lower() == ".tsv" or sample.count("\t") > sample.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delim)]


def read_workbook(path: str | Path) -> Workbook:
    p = Path(path)
    if p.suffix.lower() in (".csv", ".tsv", ".txt"):
        return Workbook([SheetGrid("", read_csv(p))])
    from .reasons import reason
    from .table import cell_text

    grids: list[SheetGrid] = []
    with open_grids(p, LIMITS, unreadable="无法打开表格文件", reason=reason) as wb:
        for name in wb.sheet_names:
            try:
                data = wb.rows(name)
                merged = [((r0, c0), (r1, c1)) for r0, c0, r1, c1 in wb.merged_ranges(name)]
            except Exception:  # noqa: BLE001 - a chart sheet or an unreadable sheet is skipped
                continue
            rows = fill_merged_down([list(r) for r in data], merged)
            grid = [[cell_text(v) for v in row] for row in rows]
            grids.append(SheetGrid(name, grid, hidden=name in wb.hidden_sheets))
    return choose_sheets(grids)


def choose_sheets(grids: list[SheetGrid]) -> Workbook:
    with_table = [g for g in grids if find_header(g.rows)]
    visible = [g for g in with_table if not g.hidden]
    out = Workbook()
    chosen = visible or with_table[:1]
    if not chosen:
        out.sheets = grids[:1]
        return out
    out.sheets = chosen
    hidden = [g.name for g in with_table if g.hidden and g not in chosen]
    names = "、".join(f"“{g.name}”" for g in chosen)
    note = f"读取了工作表 {names}"
    if hidden:
        note += f"; 隐藏的工作表 {'、'.join(f'“{n}”' for n in hidden)} 也有表格(可能是旧版本), 未读取"
    if any(g.hidden for g in chosen):
        note += " (该工作表是隐藏的: 没有可见的工作表含有表格)"
    if len(grids) > 1 or hidden:
        out.notes.append(note)
    return out
