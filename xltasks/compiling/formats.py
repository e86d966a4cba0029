"""How the 汇编's cells look and are written: the xlsxwriter formats, a cell merged down a block and written
with its value (or formula and cached value), and row heights (xlsxwriter does not autofit, least of all
merged cells)."""
from __future__ import annotations

from ..core.xlsx import cached_value, fmt, header_format, write_text

LINE_HEIGHT = 15.0  # points per wrapped line at 11 pt
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def spread(heights: list[float], start: int, end: int, needed: float) -> None:
    """Make rows start..end (inclusive) together at least `needed` points high."""
    have = sum(heights[start:end + 1])
    if have >= needed:
        return
    extra = (needed - have) / (end - start + 1)
    for i in range(start, end + 1):
        heights[i] += extra


def number_format(measure_unit: str) -> str:
    """General number followed by the unit as literal text: 70 with 万亩 reads "70万亩"."""
    unit = (measure_unit or "").strip()
    if not unit:
        return "General"
    return 'General"' + unit.replace('"', '"\\""') + '"'


class Formats:
    """The formats of one 汇编 workbook; number formats per measure unit are made when first asked for."""

    def __init__(self, wb):
        self.wb = wb
        base = dict(border=1, valign="vcenter", text_wrap=True)
        self.title = fmt(wb, bold=True, font_size=18, align="center", valign="vcenter")
        self.info = fmt(wb, valign="vcenter")
        self.info_right = fmt(wb, valign="vcenter", align="right")
        self.info_date = fmt(wb, valign="vcenter", num_format='yyyy"年"m"月"d"日"', align="left")
        self.info_pct = fmt(wb, valign="vcenter", num_format="0.00%", bold=True, align="left")
        self.head = header_format(wb, align="center")  # = bold, light blue, **base
        self.section = fmt(wb, bold=True, font_size=12, bg_color="#F2F2F2", **base)
        self.group = fmt(wb, bold=True, **base)
        self.text = fmt(wb, **base)
        self.center = fmt(wb, align="center", **base)
        self.pct = fmt(wb, align="center", num_format="0.00%", **base)
        self.missing = fmt(wb, align="center", italic=True, font_color="#7F7F7F", **base)
        self.helper = fmt(wb)
        self._numbers: dict[str, object] = {}
        self._base = base

    def number(self, measure_unit: str):
        nf = number_format(measure_unit)
        if nf not in self._numbers:
            self._numbers[nf] = fmt(self.wb, align="center", num_format=nf, **self._base)
        return self._numbers[nf]


def put(ws, r1: int, c: int, r2: int, value, cell_format, *, formula: str | None = None) -> None:
    """Write text (or a formula with its cached value) into column c over rows r1..r2, merged."""
    if r2 > r1:
        ws.merge_range(r1, c, r2, c, "", cell_format)
    if formula is not None:
        ws.write_formula(r1, c, "=" + formula, cell_format, cached_value(value))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(r1, c, value, cell_format)
    else:
        write_text(ws, r1, c, value, cell_format)

