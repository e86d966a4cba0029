"""Layout `pipe-table` (seed 004): a Word table pasted as text, cells separated by "|".

Word's in-cell line breaks and full-width spaces became "?": "? " separates lines inside a cell, every
cell ends in "?", and " ?" inside a name is lost padding ("沈 ?昱" = 沈昱). After undoing these the grid
goes through the `table` layout.
"""
from __future__ import annotations

import re

from ..core.models import Register
from .table import parse_rows
from .text import read_lines

_PADDING = re.compile(r"(?<=[^\s?|]) \?(?=[^\s?|])")  # "沈 ?昱" → "沈昱"


def clean_cell(cell: str) -> str:
    """"区科技局? 区经信局? 余杭经济技术开发区? (钱江经济开发区)?" → lines joined by "\n"."""
    cell = _PADDING.sub("", cell)
    parts = [p.strip(" \u3000\u00a0\t") for p in cell.split("?")]
    return "\n".join(p for p in parts if p)


def to_grid(text: str) -> tuple[list[list[str]], list[int]]:
    rows, numbers = [], []
    for i, line in enumerate(read_lines(text)):
        if "|" in line:
            cells = line.split("|")
            if cells and not cells[-1].strip():
                cells = cells[:-1]  # a row ends with "|": no fifth cell
            row = [clean_cell(c) for c in cells]
        else:
            row = [clean_cell(line)]
        rows.append(row)
        numbers.append(i + 1)
    return rows, numbers


def parse(text: str, source: str) -> Register:
    rows, numbers = to_grid(text)
    return parse_rows(rows, source, layout="pipe-table", row_numbers=numbers)
