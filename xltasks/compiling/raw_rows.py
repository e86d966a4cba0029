"""An old 汇编's rows as raw cells: the text form (002, tab separated) or the .xlsx form, where each cell is
rendered as the text 002 shows (merged cells: the value is in the top-left cell; numbers with their unit in
the number format)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..core.errors import InputError
from ..core.fileio import decode_text
from ..core.grids import GridLimits
from .printed import N_COLS, NO_HEAD, TASK_HEAD, clean_cell


# An 汇编 is measured before calamine reads it (core/grids.py): a province's has ~60,000 rows and 21 columns.
XLSX_LIMITS = GridLimits(200_000, 64)


@dataclass
class RawRow:
    line: int
    raw: list[str]  # at least N_COLS raw cells (HTML kept, for paragraph splitting)

    @cached_property
    def cells(self) -> list[str]:  # read several times per row
        return [clean_cell(c) for c in self.raw]


def text_rows(path: Path) -> list[RawRow]:
    text, _ = decode_text(path.read_bytes())
    rows = []
    for i, line in enumerate(text.splitlines(), start=1):
        if "\t" not in line:
            if line.strip():
                rows.append(RawRow(i, [line] + [""] * (N_COLS - 1)))
            continue
        # A few lines carry 14 cells (002 L469-473): the extra cells hold shifted values, kept.
        cells = line.split("\t")
        rows.append(RawRow(i, cells + [""] * (N_COLS - len(cells))))
    return rows


def _format_number(value: float, number_format: str) -> str:
    """A number as Excel shows it: 0.6876 with "0.00%" → "68.76%"; 121 with 0"万头" → "121万头"."""
    fmt = number_format or "General"
    if "%" in fmt.replace('"%"', ""):
        return f"{_trim(value * 100)}%"
    units = re.findall(r'"([^"]*)"', fmt)
    unit = "".join(units)
    if not unit:
        m = re.search(r"\\(.)", fmt)
        unit = m.group(1) if m else ""
    return f"{_trim(value)}{unit}"


def _trim(x: float) -> str:
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def xlsx_rows(path: Path) -> list[RawRow]:
    """The rows of the 汇编 sheet of an .xlsx, each cell as the text 002 shows (see `_format_number`)."""
    from ..core.grids import number_formats, open_grids, openpyxl_like

    with open_grids(path, XLSX_LIMITS, unreadable="无法读取汇编工作簿") as wb:
        sheet, grid = _find_sheet(wb, path)
    formats = number_formats(path, sheet)
    rows = []
    for r, values in enumerate(grid):
        raw = []
        for c, value in enumerate(values[:N_COLS]):
            v = openpyxl_like(value)
            if v is None:
                raw.append("")
            elif isinstance(v, bool):
                raw.append(str(v))
            elif isinstance(v, (int, float)):
                raw.append(_format_number(float(v), formats.get((r, c), "General")))
            else:
                raw.append(str(v))
        raw += [""] * (N_COLS - len(raw))
        if any(x.strip() for x in raw):
            rows.append(RawRow(r + 1, raw))
    return rows


def _find_sheet(wb, path: Path) -> tuple[str, list[list]]:
    """The sheet whose header row starts with 序号 and names 重点工作 (our own 汇编 or 002's layout)."""
    for name in wb.sheet_names:
        try:
            grid = wb.rows(name)
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - a chart sheet or an unreadable sheet holds no 汇编
            continue
        for row in grid[:10]:
            vals = [str(v).strip() for v in row[:N_COLS]]
            if vals and vals[0] == NO_HEAD and any(TASK_HEAD in v for v in vals):
                return name, grid
    raise InputError("找不到汇编表：没有以“序号 / 重点工作”开头的表头", file=str(path))
