"""Cell references, one helper each way: column number ↔ letters, (row, column) ↔ "A1".

0-based numbers throughout, as xlsxwriter and calamine count. Written here rather than taken from
openpyxl.utils.cell (whose answers they equal on every column, tests/core/test_cells.py): importing openpyxl
costs 0.2–0.6 s, and xlsxwriter.utility loads all of xlsxwriter, which `xltasks collect` and the command
line's start-up otherwise never load. Results are cached: collect names the same few columns all the time.
The far-cell guard (sheetsize.py) keeps its own reading of references on purpose: it must read them the way
calamine does (any number of letters, lower case, leading zeros), which no helper for valid references does.
"""
from __future__ import annotations

from functools import lru_cache

__all__ = ["cell_ref", "column_index", "column_letter", "split_ref"]


@lru_cache(maxsize=None)
def column_letter(col: int) -> str:
    """0 → "A", 27 → "AB", 16383 → "XFD"."""
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


@lru_cache(maxsize=None)
def column_index(letters: str) -> int:
    """"A" → 0, "ab" → 27; -1 for text that is not 1–3 column letters."""
    letters = letters.upper()
    if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha()):
        return -1
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_ref(row: int, col: int) -> str:
    """(0, 0) → "A1"."""
    return f"{column_letter(col)}{row + 1}"


def split_ref(ref: str) -> tuple[int, int] | None:
    """"B12" (or "$B$12", "b12") → (11, 1); None for anything that is not one cell's reference."""
    text = ref.replace("$", "").upper()
    letters = text.rstrip("0123456789")
    digits = text[len(letters):]
    col = column_index(letters)
    if col < 0 or not digits or digits.startswith("0") or not digits.isascii():
        return None
    return int(digits) - 1, col
