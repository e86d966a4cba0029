"""The 汇编's view of the year (only when a workspace gives a CompilationHistory, see history.py).

- two columns right of the hidden helpers on sheet 汇编 (so they print beside 存在问题与下步计划): 上期完成率
  (the task's rate in the previous compiled period) and 变化 (rates.change_formula, live);
- sheet 趋势: every task's and every unit's rate per period (earlier periods as their 汇编 showed them, the
  current period as live references to sheet 汇编), the mean task rate and the 序时进度 of each period, and a
  line chart of the year.
"""
from __future__ import annotations


from ..core.cells import cell_ref, column_letter
from ..core import rates
from ..core.layout import period_label
from ..core.xlsx import cached_value, fmt, write_text
from .history import CompilationHistory

SHEET_TREND = "趋势"
PREVIOUS_LABEL, CHANGE_LABEL = "上期完成率", "变化"
CHANGE_FORMAT = '+0.00%;-0.00%;0.00%'


def task_end_row(result) -> int:
    """Last 1-based row of a task's block on sheet 汇编."""
    rows = [ind.row for item in result.items for ind in item.indicators]
    return max(rows, default=result.row)


def write_trend_columns(ws, f, results, history: CompilationHistory, first_col: int, head_rows: tuple[int, int],
                        rate_col: int) -> int:
    """上期完成率 and 变化 at first_col, first_col + 1; returns the last column written."""
    previous = history.previous
    prev_col, change_col = first_col, first_col + 1
    change_fmt = fmt(f.wb, border=1, align="center", valign="vcenter", num_format=CHANGE_FORMAT)
    top, sub = head_rows
    label = f"{PREVIOUS_LABEL}（{period_label(previous.period)}）" if previous else PREVIOUS_LABEL
    ws.merge_range(top, prev_col, sub, prev_col, label, f.head)
    ws.merge_range(top, change_col, sub, change_col, CHANGE_LABEL, f.head)
    ws.set_column(prev_col, change_col, 11)
    for res in results:
        r1, r2 = res.row - 1, task_end_row(res) - 1
        before = previous.tasks.get(res.task_id) if previous else None
        for c in (prev_col, change_col):
            if r2 > r1:
                ws.merge_range(r1, c, r2, c, "", f.pct if c == prev_col else change_fmt)
        if before is None:
            ws.write_blank(r1, prev_col, None, f.pct)
        else:
            ws.write_number(r1, prev_col, before, f.pct)
        formula = rates.change_formula(cell_ref(r1, rate_col), cell_ref(r1, prev_col))
        ws.write_formula(r1, change_col, "=" + formula, change_fmt, cached_value(rates.change(res.rate, before)))
    return change_col


def write_trend_sheet(wb, ws, f, register, results, history: CompilationHistory, unit_rates: dict,
                      expected: float, *, main_sheet: str, rate_col: int) -> None:
    """Sheet 趋势 (see module doc)."""
    periods = [*history.earlier]
    n = len(periods) + 1
    first_period_col = 3
    last_col = first_period_col + n - 1
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 48)
    ws.set_column(first_period_col, last_col, 12)
    ws.merge_range(0, 0, 0, last_col, "", f.title)
    write_text(ws, 0, 0, f"各期完成率趋势（截至{period_label(history.period)}）", f.title)
    ws.set_row(0, 32)
    head = 2
    for c, label in enumerate(("序号", "编号", "任务 / 单位")):
        ws.write_string(head, c, label, f.head)
    labels = [period_label(p.period) for p in periods] + [period_label(history.period)]
    for i, label in enumerate(labels):
        ws.write_string(head, first_period_col + i, label, f.head)

    # rows 4-5: the year at a glance (the chart's series); the task rows follow
    mean_row, expected_row = head + 1, head + 2
    ws.write_string(mean_row, 2, "平均完成率（各项任务）", f.group)
    ws.write_string(expected_row, 2, "序时进度", f.group)
    first_task = expected_row + 2
    ws.merge_range(first_task - 1, 0, first_task - 1, last_col, "", f.group)
    write_text(ws, first_task - 1, 0, "一、各项任务完成率", f.group)
    by_id = {r.task_id: r for r in results}
    columns: list[list] = [[] for _ in range(n)]
    row = first_task
    for k, task in enumerate(register.tasks, start=1):
        res = by_id.get(task.id)
        ws.write_number(row, 0, k, f.center)
        write_text(ws, row, 1, task.id, f.center)
        write_text(ws, row, 2, task.text[:60] + ("…" if len(task.text) > 60 else ""), f.text)
        for i, p in enumerate(periods):
            value = p.tasks.get(task.id)
            _number(ws, row, first_period_col + i, value, f.pct)
            columns[i].append(value)
        now = res.rate if res else None
        columns[-1].append(now)
        if res is not None:
            ws.write_formula(row, last_col, f"='{main_sheet}'!{cell_ref(res.row - 1, rate_col)}", f.pct,
                             cached_value(now))
        else:
            ws.write_blank(row, last_col, None, f.pct)
        row += 1
    last_task = row - 1
    for i in range(n):
        col = column_letter(first_period_col + i)
        ws.write_formula(mean_row, first_period_col + i,
                         "=" + rates.mean_formula(f"{col}{first_task + 1}:{col}{last_task + 1}"), f.pct,
                         cached_value(rates.mean_rate(columns[i])))
        _number(ws, expected_row, first_period_col + i, periods[i].expected if i < len(periods) else expected, f.pct)

    row += 1
    ws.merge_range(row, 0, row, last_col, "", f.group)
    write_text(ws, row, 0, "二、各单位完成率（本单位各细化项目完成率的平均）", f.group)
    row += 1
    units = list(dict.fromkeys([*(u for p in periods for u in p.units), *unit_rates]))
    order = {u: i for i, u in enumerate(register.unit_names())}
    for k, unit in enumerate(sorted(units, key=lambda u: order.get(u, len(order))), start=1):
        ws.write_number(row, 0, k, f.center)
        write_text(ws, row, 2, unit, f.text)
        for i, p in enumerate(periods):
            _number(ws, row, first_period_col + i, p.units.get(unit), f.pct)
        _number(ws, row, last_col, unit_rates.get(unit), f.pct)
        row += 1

    chart = wb.add_chart({"type": "line"})
    for r, name in ((mean_row, "平均完成率"), (expected_row, "序时进度")):
        chart.add_series({"name": name, "categories": [ws.name, head, first_period_col, head, last_col],
                          "values": [ws.name, r, first_period_col, r, last_col], "marker": {"type": "circle"},
                          "data_labels": {"value": True, "num_format": "0.0%"}})
    chart.set_title({"name": "全年完成率走势", "name_font": {"name": "宋体", "size": 12}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "max": 1, "num_font": {"name": "宋体"}})
    chart.set_x_axis({"num_font": {"name": "宋体"}})
    chart.set_legend({"position": "bottom", "font": {"name": "宋体"}})
    chart.set_size({"width": 560, "height": 300})
    ws.insert_chart(head, last_col + 2, chart)
    ws.freeze_panes(head + 1, 3)


def _number(ws, row: int, col: int, value, cell_format) -> None:
    if value is None:
        ws.write_blank(row, col, None, cell_format)
    else:
        ws.write_number(row, col, value, cell_format)
