"""The keys text is compared by, one each: `nfkc` (full-width ，（）： and digits become ASCII, NBSP a space)
and `squash` (NFKC without any whitespace: "重 点 工 作", "市发改委 " and "市发改委" compare equal).

Every stage matches names, labels and markers by these, never by its own normalisation.
"""
from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def nfkc(s: str | None) -> str:
    """Normal form for comparisons across documents ("" for None)."""
    return unicodedata.normalize("NFKC", s or "")


def squash(s: str | None) -> str:
    """Matching key for names and labels: NFKC without any whitespace."""
    return _SPACE.sub("", nfkc(s))
