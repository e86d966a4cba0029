"""Sheet 汇总: the tasks counted by status, overall and by section, leader and lead unit, as live COUNTIFS
over the 汇编's hidden helper columns (cached values from figures.py, the counts the 督查通报 prints), with a
chart of the overall counts."""
from __future__ import annotations

import datetime as dt

from ..core import rates
from ..core.cells import cell_ref, column_letter
from ..core.layout import (COL_LEADER_KEY, COL_SECTION_KEY, COL_STATUS, COL_UNIT_KEY, COMPILATION_FIRST_ROW,
                           EXPECTED_REF, SHEET_COMPILATION)
from ..core.models import Register
from ..core.results import TaskResult
from ..core.statuses import TASK_CLOSED, TaskStatus
from ..core.xlsx import cached_value, lines_needed, set_a3_landscape, write_text
from .figures import summary_figures
from .formats import LINE_HEIGHT, Formats


def write_summary(wb, ws, f: Formats, register: Register, results: list[TaskResult], sections, leaders,
                  lead_units, last_row: int, expected: float, as_of: dt.date, title: str) -> None:
    """Write sheet 汇总; `sections`, `leaders`, `lead_units` number each group as the helper columns do."""
    def col_range(col: int) -> str:
        c = column_letter(col)
        return f"'{SHEET_COMPILATION}'!${c}${COMPILATION_FIRST_ROW + 1}:${c}${last_row + 1}"

    status_rng, n_cols = col_range(COL_STATUS), 3 + 2 * len(TaskStatus)
    ws.set_column(0, 0, 7)
    ws.set_column(1, 1, 40)
    ws.set_column(2, n_cols - 1, 9)
    ws.merge_range(0, 0, 0, n_cols - 1, "", f.title)
    write_text(ws, 0, 0, title.replace("汇编", "汇总") if "汇编" in title else title + "（汇总）", f.title)
    ws.set_row(0, 36)
    ws.write_string(1, 0, "截至", f.info_right)
    ws.write_datetime(1, 1, dt.datetime.combine(as_of, dt.time()), f.info_date)
    ws.write_string(1, 2, "序时进度", f.info_right)
    ws.write_formula(1, 3, f"='{SHEET_COMPILATION}'!{EXPECTED_REF}", f.info_pct, expected)

    # the figures the 督查通报 prints too (figures.py): closed tasks counted apart, outside every total
    figures = summary_figures(register, {r.task_id: r.status for r in results})
    counts, closed, total = figures.overall.counts, figures.closed, figures.overall.total
    ws.merge_range(3, 0, 3, 3, "", f.group)
    write_text(ws, 3, 0, "一、总体情况", f.group)
    for c, label in enumerate(("序号", "类别", "任务数", "占比")):
        ws.write_string(4, c, label, f.head)
    first = 5
    for i, s in enumerate(TaskStatus):
        r = first + i
        ws.write_number(r, 0, i + 1, f.center)
        ws.write_string(r, 1, s, f.text)
        ws.write_formula(r, 2, f'=COUNTIF({status_rng},"{s}")', f.center, counts[s])
        ws.write_formula(r, 3, "=" + rates.share_formula(f"C{r + 1}", f"$C${first + len(TaskStatus) + 1}"),
                         f.pct, cached_value(rates.share(counts[s], total)))
    tot = first + len(TaskStatus)
    ws.write_blank(tot, 0, None, f.center)
    ws.write_string(tot, 1, "合计", f.group)
    ws.write_formula(tot, 2, f"=SUM(C{first + 1}:C{tot})", f.center, total)
    ws.write_formula(tot, 3, "=" + rates.share_formula(f"C{tot + 1}", f"C{tot + 1}"), f.pct,
                     cached_value(rates.share(total, total)))
    if closed:  # closed tasks are counted apart: not in 合计, nor in the breakdowns below
        ws.write_blank(tot + 1, 0, None, f.center)
        ws.write_string(tot + 1, 1, f"{TASK_CLOSED}（另计，不在合计内）", f.text)
        ws.write_formula(tot + 1, 2, f'=COUNTIF({status_rng},"{TASK_CLOSED}")', f.center, closed)

    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "任务数", "categories": [ws.name, first, 1, tot - 1, 1],
                      "values": [ws.name, first, 2, tot - 1, 2], "data_labels": {"value": True},
                      "points": [{"fill": {"color": c}} for c in
                                 ("#70AD47", "#A9D08E", "#FFD966", "#FF7C80", "#B4A7D6", "#BFBFBF")]})
    chart.set_title({"name": "重点工作完成情况（总体）", "name_font": {"name": "宋体", "size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"name": "宋体"}})
    chart.set_size({"width": 560, "height": 300})
    ws.insert_chart(3, 5, chart)

    row = max(tot + 3, 20)
    for heading, label, names, key_col, groups in (
            ("二、按板块", "板块", sections, COL_SECTION_KEY, figures.sections),
            ("三、按牵头领导", "牵头领导", leaders, COL_LEADER_KEY, figures.leaders),
            ("四、按牵头单位", "牵头单位", lead_units, COL_UNIT_KEY, figures.lead_units)):
        by_number = {names[b.name]: b.counts for b in groups}
        row = _breakdown(ws, f, row, heading, label, names, col_range(key_col), status_rng, by_number, n_cols)
    ws.freeze_panes(2, 0)
    set_a3_landscape(ws)


def _breakdown(ws, f: Formats, row: int, heading: str, label: str, names: dict[str, int], key_rng: str,
               status_rng: str, counts: dict[int, dict[str, int]], n_cols: int) -> int:
    ws.merge_range(row, 0, row, n_cols - 1, "", f.group)
    write_text(ws, row, 0, heading, f.group)
    row += 1
    ws.merge_range(row, 0, row + 1, 0, "序号", f.head)
    ws.merge_range(row, 1, row + 1, 1, label, f.head)
    ws.merge_range(row, 2, row + 1, 2, "任务数", f.head)
    for i, s in enumerate(TaskStatus):
        c = 3 + 2 * i
        ws.merge_range(row, c, row, c + 1, s, f.head)
        ws.write_string(row + 1, c, "数量", f.head)
        ws.write_string(row + 1, c + 1, "占比", f.head)
    row += 2
    for name, key in names.items():
        got = counts.get(key, {})
        total = sum(got.values())
        ws.write_number(row, 0, key, f.center)
        write_text(ws, row, 1, name, f.text)
        count_cells = []
        for i, s in enumerate(TaskStatus):
            c = 3 + 2 * i
            ws.write_formula(row, c, f'=COUNTIFS({status_rng},"{s}",{key_rng},$A{row + 1})', f.center, got.get(s, 0))
            count_cells.append(cell_ref(row, c))
        total_cell = cell_ref(row, 2)
        ws.write_formula(row, 2, f"=SUM({','.join(count_cells)})", f.center, total)
        for i, s in enumerate(TaskStatus):
            c = 3 + 2 * i
            ws.write_formula(row, c + 1, "=" + rates.share_formula(count_cells[i], total_cell), f.pct,
                             cached_value(rates.share(got.get(s, 0), total)))
        ws.set_row(row, max(20, lines_needed(name, 40) * LINE_HEIGHT + 4))
        row += 1
    return row + 1

