"""The 完成率 column keeps the template's formula on every task row (rates.py is the only source of it)."""
from __future__ import annotations

import re

from ...core import layout as L
from ...core.rates import indicator_formula, shown_formula
from ...core.cells import column_letter
from ..workbook import cell_text
from .base import Subject, check


@check("formula-changed")
def completion_formulas(subject: Subject):
    sheet = subject.sheet
    if sheet.formulas is None or "rate" not in sheet.cols:
        return []  # .xls: the format does not tell formulas apart; values are still checked
    out = []
    rate_col = sheet.cols["rate"]
    for rows in subject.blocks.values():
        for r in rows:
            f = sheet.formulas.get((r, rate_col))
            if f is not None and f.raw is not None and f.raw in written_formulas(sheet.cols, r):
                continue  # byte for byte as a template is written: no need to decode and normalise it
            expected = expected_formulas(sheet.cols, r)
            if f is not None and (f.text in expected or normalize_formula(f.text) in expected):
                continue
            found = ("=" + f.text) if f is not None else (cell_text(sheet.value(r, "rate")) or "（空）")
            out.append(subject.problem("formula-changed", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "rate"), found=found))
    return out


def normalize_formula(text: str) -> str:
    """A formula compared loosely: no "=", spaces or "$", upper case (string literals kept as written)."""
    parts = re.split(r'("[^"]*")', (text or "").lstrip("="))
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"\s+", "", parts[i]).replace("$", "").upper()
    return "".join(parts)


_ROW_TOKEN = "\x00ROW\x00"
_RATE_INPUTS = ("target", "current", "self_rate", "direction")
_PATTERNS: dict[tuple[int, ...], frozenset[str]] = {}
_EXPECTED: dict[tuple, frozenset[str]] = {}
_WRITTEN: dict[tuple, frozenset[bytes]] = {}
_TEMPLATES: dict[tuple[int, ...], list[str]] = {}  # the formulas per input columns, the row left open
_CACHE_LIMIT = 200_000  # bounded: hostile sheets vary both columns and rows


def expected_formulas(cols, r: int) -> frozenset[str]:
    """The 完成率 formulas a template may hold on grid row r. They depend only on the columns of the rate's
    inputs and the row, so they are kept across files."""
    key_cols = tuple(cols.get(k, 0) for k in _RATE_INPUTS)
    key = (key_cols, r)
    found = _EXPECTED.get(key)
    if found is None:
        patterns = _PATTERNS.get(key_cols)
        if patterns is None:
            patterns = _formula_patterns(key_cols)
            if len(_PATTERNS) < _CACHE_LIMIT:
                _PATTERNS[key_cols] = patterns
        row = str(r + 1)
        found = frozenset(p.replace(_ROW_TOKEN.upper(), row) for p in patterns)
        if len(_EXPECTED) < _CACHE_LIMIT:
            _EXPECTED[key] = found
    return found


def written_formulas(cols, r: int) -> frozenset[bytes]:
    """The 完成率 formulas of grid row r exactly as a worksheet part stores them when our template (or a
    re-save by openpyxl, which writes each non-ASCII character as &#NNNNN;) wrote them. Each decodes to a
    formula whose normalised form is in expected_formulas(cols, r), so a match is a pass."""
    key_cols = tuple(cols.get(k, 0) for k in _RATE_INPUTS)
    key = (key_cols, r)
    found = _WRITTEN.get(key)
    if found is None:
        row = str(r + 1)
        out = set()
        for text in _template_formulas(key_cols):
            escaped = text.replace(_ROW_TOKEN, row).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            out.add(escaped.encode("utf-8"))
            out.add(escaped.encode("ascii", "xmlcharrefreplace"))
        found = frozenset(out)
        if len(_WRITTEN) < _CACHE_LIMIT:
            _WRITTEN[key] = found
    return found


def _template_formulas(key_cols: tuple[int, ...]) -> list[str]:
    """The 完成率 formulas rates.py writes for these input columns, the row left as _ROW_TOKEN (kept per
    column layout: every row of every file asks for them)."""
    found = _TEMPLATES.get(key_cols)
    if found is None:
        found = _build_template_formulas(key_cols)
        if len(_TEMPLATES) < _CACHE_LIMIT:
            _TEMPLATES[key_cols] = found
    return found


def _build_template_formulas(key_cols: tuple[int, ...]) -> list[str]:
    refs = {k: f"{column_letter(c)}{_ROW_TOKEN}" for k, c in zip(_RATE_INPUTS, key_cols)}
    out = []
    for pending_as_zero in (False, True):
        for floor in (True, False):  # templates issued before rates were floored at 0% stay valid
            base = indicator_formula(refs["target"], refs["current"], refs["self_rate"],
                                     direction_ref=refs["direction"], pending_as_zero=pending_as_zero, floor=floor)
            out += [base, shown_formula(base, refs["current"], pending_as_zero=pending_as_zero)]
    return out


def _formula_patterns(key_cols: tuple[int, ...]) -> frozenset[str]:
    return frozenset(normalize_formula(text) for text in _template_formulas(key_cols))
