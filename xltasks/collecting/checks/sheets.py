"""The other sheets of a return: a sheet the template did not have is said (its content is never read), and
a filled copy of 填报 ("填报 (2)") beside an empty 填报 is an error that says so — the unit's data is not lost
without a word, and no 催报 is skipped because an empty 填报 was accepted."""
from __future__ import annotations

from ...core import layout as L
from ..sheet import find_header
from ..workbook import cell_text
from .base import Subject, check

TEMPLATE_SHEETS = (L.SHEET_INSTRUCTIONS, L.SHEET_ENTRY, L.SHEET_META)
_FILLED_KEYS = tuple(c.key for c in L.COLUMNS if c.entry and c.key != "direction")


def _filled_rows(subject: Subject, name: str) -> int:
    """Rows with entry content in sheet `name` when it has the template's header; 0 otherwise."""
    grid = subject.book.rows(name)
    header = find_header(grid)
    if header.missing:
        return 0
    cols = [header.cols[k] for k in _FILLED_KEYS if k in header.cols]
    return sum(any(c < len(row) and cell_text(row[c]).strip() for c in cols) for row in grid[header.row + 1:])


@check("filled-copy", "extra-sheet")
def other_sheets(subject: Subject):
    out = []
    extra = [n for n in subject.book.sheet_names
             if n not in TEMPLATE_SHEETS and not n.startswith("WpsReserved")]  # WPS's own hidden helper sheets
    for name in extra:
        if not subject.rows and _filled_rows(subject, name):
            out.append(subject.problem("filled-copy", sheet=name, cell="A1", copy=name))
        else:
            out.append(subject.problem("extra-sheet", sheet=name, cell="A1", name=name))
    return out
