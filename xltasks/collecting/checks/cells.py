"""Value checks on single entry cells, whatever row they are in: spreadsheet error values (#DIV/0!, #N/A, …,
stored as errors or typed as text, a formula's result included) and bidi control characters (a right-to-left
override makes "001" display as "100"). Both are errors at their cell: the figure shown is not the figure read.
"""
from __future__ import annotations

import re

from ...core import layout as L
from ..sheet import ERROR_VALUES, typed_error
from .base import Subject, check

ENTRY_KEYS = tuple(c.key for c in L.COLUMNS if c.entry)

ERROR_MEANINGS = {"#DIV/0!": "除数为 0", "#N/A": "没有可用的值", "#REF!": "引用的单元格已被删除",
                  "#NAME?": "公式中有无法识别的名称", "#VALUE!": "公式中的数据类型不对", "#NUM!": "数值无效",
                  "#NULL!": "引用的区域不相交"}

# Characters that change the display order of text (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM).
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _entry_texts(subject: Subject):
    """(row, key, text) of every entry cell below the header holding text, in sheet order. Numbers and blanks
    are skipped here rather than in each check: they are most cells, and neither check concerns them."""
    sheet = subject.sheet
    cols = [(k, sheet.cols[k]) for k in ENTRY_KEYS if k in sheet.cols]
    grid = sheet.grid
    for r in range(sheet.first_row, len(grid)):
        row = grid[r]
        n = len(row)
        for k, c in cols:
            if c < n:
                v = row[c]
                if type(v) is str and v:
                    yield r, k, v


@check("error-value")
def error_values(subject: Subject):
    sheet = subject.sheet
    found: dict[tuple[int, str], str] = {}  # (row, key) → the error value, stored as an error or typed as text
    if sheet.errors:
        key_of = {c: k for k, c in sheet.cols.items() if k in ENTRY_KEYS}
        for (r, c), value in sheet.errors.items():
            if sheet.first_row <= r < len(sheet.grid) and c in key_of and value:
                found[(r, key_of[c])] = value
    for r, k, v in _entry_texts(subject):
        typed = typed_error(v) if (r, k) not in found else ""
        if typed:
            found[(r, k)] = typed
    order = {k: i for i, k in enumerate(ENTRY_KEYS)}
    out = []
    for (r, k), value in sorted(found.items(), key=lambda item: (item[0][0], order[item[0][1]])):
        why = ERROR_MEANINGS.get(value.upper(), "")
        out.append(subject.problem("error-value", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, k), label=L.LABELS[k],
                                   value=value, why=f"（{why}）" if why else ""))
    return out


@check("bidi-control")
def bidi_controls(subject: Subject):
    sheet = subject.sheet
    out = []
    texts = list(_entry_texts(subject))
    if BIDI.search("\n".join(v for _, _, v in texts)) is None:
        return out  # the common case: one search over all the text, none per cell
    for r, k, v in texts:
        if BIDI.search(v):
            names = "、".join(sorted({f"U+{ord(ch):04X}" for ch in BIDI.findall(v)}))
            out.append(subject.problem("bidi-control", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, k), label=L.LABELS[k],
                                       chars=names))
    return out


__all__ = ["BIDI", "ERROR_VALUES", "bidi_controls", "error_values"]


MAX_OUTSIDE_SHOWN = 20  # cells listed one by one; beyond, one more problem says how many more there are


@check("outside-entry-area", "locked-cell-edited")
def outside_entry(subject: Subject):
    """Text typed outside the template's columns ("以此为准：100" in a new column) and a locked 责任单位 cell
    changed after unprotecting are never read: each is a warning at its cell, so nothing vanishes silently."""
    from ...core.cells import cell_ref
    from ...core.textkeys import squash
    from ..workbook import cell_text

    sheet, out = subject.sheet, []
    header = sheet.grid[sheet.header_row] if sheet.header_row < len(sheet.grid) else ()
    known = set(sheet.cols.values()) | {  # and 完成时限, the office's column (not read, not the unit's)
        c for c, v in enumerate(header) if cell_text(v).strip() == L.DEADLINE_COLUMN.label}
    outside = []
    for r in range(sheet.header_row, len(sheet.grid)):
        row = sheet.grid[r]
        for c, v in enumerate(row):
            if c not in known and cell_text(v).strip():
                outside.append((r, c, cell_text(v).strip()))
    for r, c, text in outside[:MAX_OUTSIDE_SHOWN]:
        out.append(subject.problem("outside-entry-area", sheet=L.SHEET_ENTRY, cell=cell_ref(r, c),
                                   value=text, more=""))
    if len(outside) > MAX_OUTSIDE_SHOWN:
        r, c, text = outside[MAX_OUTSIDE_SHOWN]
        out.append(subject.problem("outside-entry-area", sheet=L.SHEET_ENTRY, cell=cell_ref(r, c),
                                   value=text, more=f"（另有 {len(outside) - MAX_OUTSIDE_SHOWN - 1} 个这样的单元格）"))
    if "units" in sheet.cols:
        index = subject.ctx.index
        for tid, rows in subject.blocks.items():
            issued = "、".join(index.tasks_by_id[tid].units)
            for r in rows:
                found = cell_text(sheet.value(r, "units")).strip()
                if found and squash(found) != squash(issued):
                    out.append(subject.problem("locked-cell-edited", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "units"),
                                               label=L.LABELS["units"], value=found, expected=issued))
    return out
