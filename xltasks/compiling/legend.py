"""Sheet 图例: the rule set's colours in the order they are judged, and how the rates are computed."""
from __future__ import annotations

import datetime as dt

from ..core import layout, rates
from ..core.layout import EXPECTED_REF, SHEET_COMPILATION
from ..core.texts import render
from ..core.xlsx import fmt, lines_needed, set_a3_landscape, write_text
from .formats import LINE_HEIGHT, Formats
from .rules import RuleSet


def _legend_notes(rules: RuleSet, as_of: dt.date, expected: float) -> str:
    band = f"{rules.on_time_band * 100:g} 个百分点" if rules.on_time_band else ""
    return render("汇编图例.txt.j2", pending_as_zero=rules.pending_as_zero, pending_label=rates.PENDING_LABEL,
                  as_of=layout.date_label(as_of), expected=f"{expected:.2%}", mode=rules.progress_mode,
                  band=band).strip("\n")


def write_legend(ws, f: Formats, rules: RuleSet, as_of: dt.date, expected: float) -> None:
    """Write sheet 图例 for the rule set the 汇编 is coloured by."""
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 90)
    ws.merge_range(0, 0, 0, 1, "", f.title)
    write_text(ws, 0, 0, "图例与计算说明", f.title)
    ws.set_row(0, 32)
    ws.write_string(1, 0, "着色规则", f.text)
    write_text(ws, 1, 1, rules.name + (f"：{rules.description}" if rules.description else ""), f.text)
    ws.set_row(1, lines_needed(rules.description, 90) * LINE_HEIGHT + 4)
    ws.write_string(2, 0, "序时进度", f.text)
    ws.write_formula(2, 1, f"='{SHEET_COMPILATION}'!{EXPECTED_REF}", fmt(f.wb, border=1, num_format="0.00%"), expected)
    ws.write_string(3, 0, "着色范围", f.text)
    names = {"task": "重点工作完成率", "item": "细化项目完成率", "indicator": "指标完成率"}
    write_text(ws, 3, 1, "、".join(names[a] for a in rules.apply_to) + "（按下列顺序判断，符合第一条即着色）", f.text)
    ws.write_string(5, 0, "颜色", f.head)
    ws.write_string(5, 1, "含义", f.head)
    row = 6
    for h in rules.highlights:
        props = {"border": 1, "align": "center", "valign": "vcenter", **h.format_props()}
        write_text(ws, row, 0, h.label, fmt(f.wb, **props))
        write_text(ws, row, 1, h.legend_text(rules), f.text)
        row += 1
    if not rules.highlights:
        write_text(ws, row, 1, "本规则不着色", f.text)
        row += 1
    row += 1
    for line in _legend_notes(rules, as_of, expected).splitlines():
        if line.strip():
            ws.merge_range(row, 0, row, 1, "", f.info)
            write_text(ws, row, 0, line, fmt(f.wb, text_wrap=True, valign="top"))
            ws.set_row(row, lines_needed(line, 100) * LINE_HEIGHT + 2)
            row += 1
    set_a3_landscape(ws)
