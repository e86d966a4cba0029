"""A table cell's printed lines made into the text its column expects, for the Word and PDF table readers:
a unit or leader cell becomes a list (one name a line, a name wrapped inside brackets joined back), other
cells are joined into one text; letter-spaced short words ("序　号", "沈　昱") lose their padding."""
from __future__ import annotations

import re

from ..core.textkeys import squash
from .header import UNIT_ROLES, column_role as header_column_role
from .text import BLANKS as _BLANKS, clean as _clean

_OPEN = "(（"

# Column roles, recognised from the header cell by table's header words; a 配合单位 column is read like a
# unit column (its cell lines become a "、" list).
ROLE_NO = "no"
ROLE_TEXT = "text"
ROLE_LEADER = "leader"
ROLE_UNITS = "units"
ROLE_OTHER = "other"


def column_role(header: str | None) -> str:
    role = header_column_role(cell_key(header))
    if role in UNIT_ROLES:
        return ROLE_UNITS  # 牵头/配合/责任单位 cells alike: their lines become a list
    return role if role in (ROLE_NO, ROLE_TEXT, ROLE_LEADER) else ROLE_OTHER


def header_roles(row: list[str | None]) -> list[str] | None:
    """Roles of the columns if `row` is a header row (a task column and a unit column at least)."""
    roles = [column_role(c) for c in row]
    if ROLE_TEXT in roles and ROLE_UNITS in roles:
        return roles
    return None


def cell_key(s: str | None) -> str:
    """A cell's matching key (textkeys.squash), without the zero-width space / BOM Word leaves at its ends."""
    return squash(s).strip(_BLANKS)  # (those are not whitespace to a regex)


_CJK = r"\u3400-\u9fff"
_PADDED = re.compile(rf"^[{_CJK}](?:[{_BLANKS}]*[{_CJK}])+$")


def unpad(line: str) -> str:
    """Letter-spaced short words ("沈　昱", "序　号") lose their padding; anything else is kept as is."""
    s = _clean(line)
    if len(s) <= 24 and _PADDED.match(s) and len(re.sub(f"[{_BLANKS}]", "", s)) <= 8:
        return re.sub(f"[{_BLANKS}]", "", s)
    return s


def unit_lines(lines: list[str]) -> list[str]:
    """Cell lines of a unit or leader list, padding removed; a line that leaves a "(" open is joined
    with the next (a name wrapped by the column width in a PDF). The "(钱江经济开发区)" continuation
    line is left to units.parse_cell_lines, which also keeps the lines as the printed form."""
    out: list[str] = []
    for line in (unpad(x) for x in lines):
        if not line:
            continue
        if out and _unclosed(out[-1]):
            out[-1] += line
        else:
            out.append(line)
    return out


def _unclosed(s: str) -> bool:
    return sum(s.count(c) for c in _OPEN) > sum(s.count(c) for c in ")）")


def join_cell(lines: list[str], role: str) -> str:
    """A cell's lines as parse_rows expects them: lists keep one item a line, texts are joined back."""
    if role in (ROLE_UNITS, ROLE_LEADER):
        return "\n".join(unit_lines(lines))
    text = "".join(p for p in (_clean(x) for x in lines) if p)
    return unpad(text) if role in (ROLE_NO, ROLE_OTHER) else text

