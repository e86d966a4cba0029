"""Shared writing helpers: safe xlsxwriter workbooks, text sanitising, the CJK font.

Every workbook this toolkit writes goes through `new_workbook`, whose options make xlsxwriter write
strings as strings: a unit's "=1+1", "@SUM(…)" or "http://…" stays text, never a formula or a link
(OWASP ASVS 1.2.10). Text passes through `clean_text` first, which removes characters XML 1.0 forbids.
"""
from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xlsxwriter

CJK_FONT = "宋体"  # present in every Chinese Windows/WPS install; LibreOffice falls back to Noto CJK
FONT_SIZE = 11
EXCEL_CELL_LIMIT = 32767

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: str) -> tuple[str, bool]:
    """Remove characters that XML 1.0 (and so xlsx) cannot hold. Returns (text, changed)."""
    if _ILLEGAL_XML.search(value) is None:  # the common case: one search, no copy of the text
        return value, False
    cleaned = _ILLEGAL_XML.sub("", value)
    return cleaned, cleaned != value


def new_workbook(path: str | Path, *, constant_memory: bool = False) -> xlsxwriter.Workbook:
    import xlsxwriter  # imported when a workbook is written: reading (collect) never pays for it

    wb = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "constant_memory": constant_memory,
    })
    wb.formats[0].set_font_name(CJK_FONT)
    wb.formats[0].set_font_size(FONT_SIZE)
    return wb


# Functions xlsxwriter's _prepare_formula rewrites with an _xlfn. prefix unless asked for future functions
# ("INGLE(" because its SINGLE pattern is written "\SINGLE\(" there: any character before INGLE).
_DYNAMIC_FUNCTIONS = re.compile(r"(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|"
                                r"LAMBDA|MAKEARRAY|MAP|RANDARRAY|REDUCE|SCAN|INGLE|SEQUENCE|SORT|SORTBY|SWITCH|"
                                r"TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\(")


def fast_formulas(ws) -> None:
    """Skip xlsxwriter's ~30 regex passes per formula when none of them can match (same output).

    Our formulas use only functions every Excel since 2010 knows, so the passes that add _xlfn. prefixes
    never change them; on a province-sized sheet they cost a third of the writing time.
    """
    original = getattr(ws, "_prepare_formula", None)
    if original is None:
        return

    def prepare(formula, expand_future_functions=False):
        if expand_future_functions or getattr(ws, "use_future_functions", False) \
                or _DYNAMIC_FUNCTIONS.search(formula):
            return original(formula, expand_future_functions)
        # the stripping xlsxwriter does first, in its order
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula

    ws._prepare_formula = prepare


def cached_value(value):
    """The cached result to pass to write_formula: xlsxwriter caches 0 for None, a blank result must be ""."""
    return "" if value is None else value


def fmt(wb: xlsxwriter.Workbook, **props):
    """A format with the CJK font unless another is given."""
    props.setdefault("font_name", CJK_FONT)
    props.setdefault("font_size", FONT_SIZE)
    return wb.add_format(props)


HEADER_FILL = "#DDEBF7"  # the light blue of every header row we write


def header_format(wb: xlsxwriter.Workbook, **props):
    """The header-row format of our tables: bold on light blue, boxed, wrapped, centred vertically;
    `props` add to it (align="center", locked=…)."""
    return fmt(wb, **{"bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True, "valign": "vcenter",
                      **props})


def write_table(wb: xlsxwriter.Workbook, name: str, columns, rows, *, head=None, cell: dict | None = None,
                formats=None, wrap_from: float = 30, freeze_cols: int = 0, a3: bool = False):
    """A sheet holding one table (the lists and reports we write): a frozen header row with an autofilter over
    the rows. `columns` are (label, width) pairs; `head` the header format (default header_format(wb)).
    Text goes through write_text, numbers (not bools) are written as numbers, None stays empty.

    Columns at least `wrap_from` wide wrap their text. Without `cell` the cells take the column's format;
    with `cell` (format properties, e.g. {"valign": "top"}) every cell gets them, plus text_wrap in a wide
    column, plus what `formats(values)` returns for the row (a dict of properties, e.g. a font colour, or
    None). `a3`: printed on A3 landscape with the header repeated. Returns the worksheet."""
    ws = wb.add_worksheet(name)
    head = head if head is not None else header_format(wb)
    wide = [width >= wrap_from for _, width in columns]
    wrap = fmt(wb, text_wrap=True, valign="top") if cell is None and any(wide) else None
    cache: dict = {}

    def style(row_props: dict | None, wide: bool):
        if cell is None:
            return None
        key = (tuple(sorted((row_props or {}).items())), wide)
        if key not in cache:
            cache[key] = fmt(wb, **{**cell, **(row_props or {}), **({"text_wrap": True} if wide else {})})
        return cache[key]

    for c, (label, width) in enumerate(columns):
        ws.write_string(0, c, label, head)
        ws.set_column(c, c, width, wrap if wide[c] else None)
    for r, values in enumerate(rows, start=1):
        row_props = formats(values) if formats else None
        for c, v in enumerate(values):
            st = style(row_props, wide[c])
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v, st)
            else:
                write_text(ws, r, c, v, st)
    ws.freeze_panes(1, freeze_cols)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    if a3:
        set_a3_landscape(ws, repeat_rows=(0, 0))
    return ws


def excel_text(value) -> str:
    """The text a cell written by `write_text` holds: cleaned of XML-illegal characters, cut to Excel's
    32,767-character cell limit. A check of a returned cell against the register compares with this, since
    the template could hold no more (the register itself keeps the whole text)."""
    text, _ = clean_text("" if value is None else str(value))
    return text[:EXCEL_CELL_LIMIT] if len(text) > EXCEL_CELL_LIMIT else text


def write_text(ws, row: int, col: int, value, cell_format=None) -> None:
    """Write unit-supplied text as text (never a formula), truncated to Excel's cell limit (silently here:
    the register import warns about a task text over the limit)."""
    text = excel_text(value)
    if text == "":
        ws.write_blank(row, col, None, cell_format)
    else:
        ws.write_string(row, col, text, cell_format)


def set_a3_landscape(ws, *, repeat_rows: tuple[int, int] | None = None, fit_width: bool = True) -> None:
    """Print set-up shared by every sheet meant for paper: A3 landscape, one page wide, page numbers."""
    ws.set_paper(8)  # A3
    ws.set_landscape()
    if fit_width:
        ws.fit_to_pages(1, 0)
    if repeat_rows:
        ws.repeat_rows(*repeat_rows)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


# Text measures for row heights. A CJK character is about two column units wide.
_CHAR_WIDTHS: dict[str, float] = {}


def text_width(text: str) -> float:
    # Same sum, same order as a per-character east_asian_width test, with each character classified once.
    missing = set(text).difference(_CHAR_WIDTHS)
    for ch in missing:
        _CHAR_WIDTHS[ch] = 2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.1
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def lines_needed(text: str, width: float) -> int:
    """Lines a wrapped cell of `width` (Excel column units) needs for `text`: xlsxwriter does not autofit,
    least of all merged cells, so row heights are estimated from this."""
    if not text:
        return 1
    usable = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(text_width(p) / usable)) for p in str(text).split("\n"))
