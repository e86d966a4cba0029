"""One unit's fill-in workbook, written with xlsxwriter: the 填报说明 sheet, the 填报 sheet laid out as
`xltasks.core.layout` says (task blocks, pre-filled lines, data validation, protection, the 完成率 formulas
with cached values computed by `xltasks.core.rates`) and the hidden `_meta` sheet that identifies a
returned file by its content."""
from __future__ import annotations

import re
from pathlib import Path

from ..core import layout, rates
from ..core.models import DIRECTION_HIGHER, DIRECTION_QUALITATIVE, DIRECTION_UPPER, ROLE_LEAD, Task
from ..core.xlsx import (cached_value, fast_formulas, fmt, header_format, lines_needed, new_workbook,
                         set_a3_landscape, write_text)
from .prefill import PrefillLine

ENTRY_NAME = "xltasks_entry"  # defined name of the 填报 entry area

_C = layout.COLUMN_INDEX
DIRECTION_DESCRIPTIONS = (
    (rates.DIRECTION_LABELS[DIRECTION_HIGHER], "表示数值越大越好，完成率=当前值÷目标值"),
    (rates.DIRECTION_LABELS[DIRECTION_UPPER], "表示数值不超过目标值即为完成（如失业率控制在3.5%以内），超过时完成率=目标值÷当前值"),
    (rates.DIRECTION_LABELS[DIRECTION_QUALITATIVE], "表示无法量化，完成率取“自评完成率”"),
)  # the 指标方向 choices as 填报说明 explains them


class _Formats:
    def __init__(self, wb):
        border = {"border": 1, "border_color": "#A6A6A6", "valign": "top"}
        grey = {"bg_color": "#F2F2F2", "locked": True}
        white = {"bg_color": "#FFFFFF", "locked": False}
        proposed = {"bg_color": "#FFF2CC", "locked": False}
        self.title = fmt(wb, bold=True, font_size=16, align="center", valign="vcenter")
        self.info = fmt(wb, font_size=10, valign="vcenter")
        self.header = header_format(wb, align="center", locked=True)
        self.locked_text = fmt(wb, text_wrap=True, **border, **grey)
        self.locked_center = fmt(wb, align="center", text_wrap=True, **border, **grey)
        self.note = fmt(wb, text_wrap=True, font_color="#7F7F7F", font_size=9, **border, **grey)
        self.rate = fmt(wb, num_format="0.00%", align="right", **border, **grey)
        self.entry = {
            "": fmt(wb, text_wrap=True, **border, **white),
            "proposed": fmt(wb, text_wrap=True, **border, **proposed),
        }
        self.entry["previous"] = self.entry[""]
        self.entry_center = {"": fmt(wb, align="center", **border, **white),
                             "proposed": fmt(wb, align="center", **border, **proposed)}
        self.entry_center["previous"] = self.entry_center[""]
        self.entry_num = {"": fmt(wb, num_format="General", **border, **white),
                          "proposed": fmt(wb, num_format="General", **border, **proposed)}
        self.entry_num["previous"] = self.entry_num[""]
        self.entry_pct = fmt(wb, num_format="0%", **border, **white)
        self.narrative = fmt(wb, text_wrap=True, **border, **white)
        self.para = fmt(wb, text_wrap=True, valign="top")
        self.h1 = fmt(wb, bold=True, font_size=14, text_wrap=True)
        self.h2 = fmt(wb, bold=True, font_size=12, text_wrap=True)


_HEADING = re.compile(r"[一二三四五六七八九十]+、")


def _write_instructions(wb, f: _Formats, text: str) -> None:
    ws = wb.add_worksheet(layout.SHEET_INSTRUCTIONS)
    width = 70  # fits one A4 portrait page even where the CJK fallback font is wide
    ws.set_column(0, 0, width)
    ws.hide_gridlines(2)
    r = 0
    # The text is plain (templates/填报说明.txt.j2): its first line is the title, "一、…" lines are headings.
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        cell_format = f.para
        if r == 0:
            cell_format = f.h1
        elif _HEADING.match(line):
            cell_format = f.h2
        write_text(ws, r, 0, line, cell_format)
        line_height = 22 if cell_format is f.h1 else 18 if cell_format is f.h2 else 15
        ws.set_row(r, line_height * lines_needed(line, width) + 3)
        r += 1
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _add_validations(ws, first: int, last: int) -> None:
    """Data validation over whole columns of the entry area (one rule per column, not per cell)."""
    def dv(key, options):
        c = _C[key]
        ws.data_validation(first, c, last, c, options)

    def length(key, limit, what):
        dv(key, {"validate": "length", "criteria": "<=", "value": limit, "input_title": what,
                 "input_message": f"不超过 {limit} 个字。", "error_title": "内容过长",
                 "error_message": f"{what}不能超过 {limit} 个字，请精简。", "error_type": "stop"})

    for key, limit in layout.TEXT_LIMITS.items():
        length(key, limit, layout.LABELS[key])
    dv("target", {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                  "input_title": "目标值", "input_message": "只填数字，单位填在“计量单位”列（如 3.5% 填 3.5）。",
                  "error_title": "目标值须为数字", "error_type": "stop",
                  "error_message": "目标值只能填写数字，请勿带单位或文字。"})
    dv("current", {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                   "input_title": "当前值",
                   "input_message": "只填数字，单位与目标值相同。暂无法取得时可填“待年底核算”，不要填 0。",
                   "error_title": "当前值应为数字", "error_type": "warning",
                   "error_message": "当前值应填写数字。若确实暂无数据，可填“待年底核算”并点“是”继续；否则请点“否”改正。"})
    dv("direction", {"validate": "list", "source": list(rates.DIRECTION_LABELS.values()),
                     "input_title": "指标方向",
                     "input_message": "越高越好：越大越好；不超过：不超过目标值即完成；定性：按自评完成率。",
                     "error_title": "指标方向无效", "error_type": "stop",
                     "error_message": "请从下拉列表中选择：越高越好、不超过、定性。"})
    dv("self_rate", {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                     "input_title": "自评完成率",
                     "input_message": "仅定性指标或无量化指标的细化项目填写，填 0%～100%（如 80%）。",
                     "error_title": "自评完成率无效", "error_type": "stop",
                     "error_message": "自评完成率须在 0%～100% 之间，例如 80%。"})


def write_workbook(path: Path, *, unit: str, period: str, deadline: str, tasks: list[tuple[Task, str]],
                   blocks_lines: list[list[PrefillLine]], rows: list[int], instructions: str, meta: dict) -> None:
    """Write one unit's template: `tasks` (task, role) in sheet order, each block `rows[i]` rows high and
    pre-filled with `blocks_lines[i]`; `meta` goes into the hidden _meta sheet."""
    wb = new_workbook(path)
    wb.in_memory = True  # no temporary files per sheet part: a province run writes 1,000 workbooks
    f = _Formats(wb)
    _write_instructions(wb, f, instructions)
    ws = wb.add_worksheet(layout.SHEET_ENTRY)
    fast_formulas(ws)  # saves a quarter of the run time

    columns = layout.entry_columns(any(task.deadline for task, _ in tasks))
    last_col = len(columns) - 1
    n_lead = sum(1 for _, role in tasks if role == ROLE_LEAD)
    ws.merge_range(layout.TITLE_ROW - 1, 0, layout.TITLE_ROW - 1, last_col, "", f.title)
    write_text(ws, layout.TITLE_ROW - 1, 0, f"{layout.period_label(period)} 重点工作推进情况填报表", f.title)
    ws.set_row(layout.TITLE_ROW - 1, 28)
    info = (f"填报单位：{unit}　　任务：{len(tasks)} 项（牵头 {n_lead} 项，配合 {len(tasks) - n_lead} 项）"
            f"　　报送截止：{deadline or '见通知'}　　只填白色单元格，浅黄色为系统建议，可修改")
    ws.merge_range(layout.INFO_ROW - 1, 0, layout.INFO_ROW - 1, last_col, "", f.info)
    write_text(ws, layout.INFO_ROW - 1, 0, info, f.info)
    header = layout.HEADER_ROW - 1
    for c, col in enumerate(columns):
        ws.write_string(header, c, col.label, f.header)
        ws.set_column(c, c, col.width, None, {"hidden": col.key in layout.HIDDEN_COLUMNS})
    ws.set_row(header, 30)

    col = _C
    r = layout.FIRST_ENTRY_ROW - 1  # 0-based
    for seq, ((task, role), lines, n) in enumerate(zip(tasks, blocks_lines, rows), start=1):
        first, last = r, r + n - 1
        # Heights so that the merged task text fits (Excel does not autofit merged cells).
        units_text = "、".join(task.units)
        needed = 15 * max(lines_needed(task.text, layout.COLUMNS[col["task_text"]].width),
                          lines_needed(units_text, layout.COLUMNS[col["units"]].width)) + 4
        height = max(15.0, needed / n)
        for key, value, cell_format in (("seq", seq, f.locked_center), ("task_text", task.text, f.locked_text),
                                        ("units", units_text, f.locked_text),
                                        ("role", role, f.locked_center)):
            if n > 1:
                ws.merge_range(first, col[key], last, col[key], "", cell_format)
            if isinstance(value, int):
                ws.write_number(first, col[key], value, cell_format)
            else:
                write_text(ws, first, col[key], value, cell_format)
        if len(columns) > layout.DEADLINE_INDEX:
            if n > 1:
                ws.merge_range(first, layout.DEADLINE_INDEX, last, layout.DEADLINE_INDEX, "", f.locked_text)
            write_text(ws, first, layout.DEADLINE_INDEX, task.deadline, f.locked_text)
        for key in ("highlights", "problems"):
            if n > 1:
                ws.merge_range(first, col[key], last, col[key], "", f.narrative)
            else:
                ws.write_blank(first, col[key], None, f.narrative)
        for i in range(n):
            row = first + i
            line = lines[i] if i < len(lines) else PrefillLine()
            k = line.kind
            excel_row = row + 1
            ws.set_row(row, height)
            write_text(ws, row, col["task_id"], task.id, f.locked_center)
            write_text(ws, row, col["item"], line.item, f.entry[k if line.item else ""])
            write_text(ws, row, col["indicator"], line.indicator, f.entry[k])
            write_text(ws, row, col["measure_unit"], line.measure_unit, f.entry_center[k])
            if line.target is not None:
                ws.write_number(row, col["target"], line.target, f.entry_num[k])
            else:
                ws.write_blank(row, col["target"], None, f.entry_num[k])
            ws.write_blank(row, col["current"], None, f.entry_num[""])
            ws.write_string(row, col["direction"], rates.DIRECTION_LABELS[line.direction], f.entry_center[k])
            ws.write_blank(row, col["self_rate"], None, f.entry_pct)
            formula = rates.indicator_formula(layout.cell_ref("target", excel_row),
                                              layout.cell_ref("current", excel_row),
                                              layout.cell_ref("self_rate", excel_row),
                                              direction_ref=layout.cell_ref("direction", excel_row))
            cached = rates.indicator_rate(line.direction, line.target, None, None)
            ws.write_formula(row, col["rate"], "=" + formula, f.rate, cached_value(cached))
            write_text(ws, row, col["note"], line.note, f.note)
            ws.write_number(row, col["row_key"], excel_row, f.locked_center)
        r += n
    first_entry = layout.FIRST_ENTRY_ROW - 1
    last_entry = max(r - 1, first_entry)
    _add_validations(ws, first_entry, last_entry)
    ws.freeze_panes(header + 1, col["task_text"] + 1)
    ws.autofilter(header, 0, last_entry, last_col)
    set_a3_landscape(ws, repeat_rows=(header, header))
    ws.protect("", {"format_columns": True, "format_rows": True, "autofilter": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    wb.define_name(ENTRY_NAME, f"='{layout.SHEET_ENTRY}'!$A${first_entry + 1}:${layout.col_letter('note')}"
                               f"${last_entry + 1}")
    ws.activate()

    m = wb.add_worksheet(layout.SHEET_META)
    m.set_column(0, 0, 18)
    m.set_column(1, 1, 60)
    for i, key in enumerate(layout.META_KEYS):
        m.write_string(i, 0, key)
        write_text(m, i, 1, meta.get(key, ""))
    m.very_hidden()  # not offered by Excel's 取消隐藏 dialog: the meta is not for hand-editing
    m.protect("")
    wb.close()

