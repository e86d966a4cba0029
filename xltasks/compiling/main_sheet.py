"""Sheet 汇编: title, info row (as-of date, 序时进度, deadline), the two header rows of 002, section and
leader-group rows, and per task a block whose task cells are merged down over its 细化项目 and indicator
rows. Every rate is a live formula from xltasks.core.rates with its cached value computed by the same module;
hidden helper columns to the right (scored rate, status, reported flag, summary keys) feed the conditional
formats and the 汇总 sheet's COUNTIFS."""
from __future__ import annotations

import datetime as dt

from ..core import layout, rates
from ..core.cells import cell_ref
from ..core.layout import (AS_OF_REF, COL_CURRENT, COL_HIGHLIGHTS, COL_IND, COL_ITEM, COL_ITEM_RATE,
                           COL_LEADER_KEY, COL_NO, COL_PROBLEMS, COL_RATE, COL_REPORTED, COL_ROW_UNIT, COL_SCORED,
                           COL_SECTION_KEY, COL_SELF, COL_STATUS, COL_TARGET, COL_TASK, COL_TASK_ID, COL_TASK_RATE,
                           COL_UNIT_KEY, COL_UNITS, COMPILATION_COLUMNS, COMPILATION_FIRST_ROW, COMPILATION_HEAD1_ROW,
                           COMPILATION_HEAD2_ROW, COMPILATION_HELPERS, COMPILATION_INFO_ROW, COMPILATION_TITLE_ROW,
                           EXPECTED_REF, LAST_VISIBLE_COL, SHEET_LEGEND)
from ..core.models import DIRECTION_QUALITATIVE, ProgressRow, Register, Task
from ..core.results import IndicatorResult, ItemResult, TaskResult
from ..core.statuses import TASK_CLOSED, TaskStatus
from ..core.xlsx import cached_value, lines_needed, set_a3_landscape, write_text
from .blocks import items_of, joined_narrative
from .deadlines import DeadlineColumn, has_deadlines
from .figures import NO_SECTION, leader_key, unit_key
from .formats import LINE_HEIGHT, MAX_ROW_HEIGHT, Formats, put, spread
from .colours import conditional_formats
from .history import CompilationHistory
from .rules import RuleSet

NOT_FILLED_TEXT = "已报送，未填写"  # a unit of the task reported, but wrote nothing for this task
UNIT_NOT_REPORTED_MARK = "（未报送）"  # after a unit's name in 责任单位 when it has no accepted return
UNIT_LATE_MARK = "（逾期报送）"  # after a unit's name when its return came after the deadline (workspace)


def write_main_sheet(ws, f: Formats, register: Register, rows_by_task, rules: RuleSet, as_of, expected,
                     deadline, pz: bool, title: str, sections, leaders, lead_units, results: list[TaskResult], *,
                     reported_units: set[str] = frozenset(), history: CompilationHistory | None = None) -> int:
    """Write sheet 汇编, appending each task's TaskResult to `results`; returns its last data row (0-based)."""
    columns = COMPILATION_COLUMNS
    widths = [w for _, _, w in columns]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.set_column(COL_SCORED, COL_ROW_UNIT, 10, None, {"hidden": True})

    ws.merge_range(COMPILATION_TITLE_ROW, 0, COMPILATION_TITLE_ROW, LAST_VISIBLE_COL, "", f.title)
    write_text(ws, COMPILATION_TITLE_ROW, 0, title, f.title)
    ws.set_row(COMPILATION_TITLE_ROW, 36)
    ws.merge_range(COMPILATION_INFO_ROW, 0, COMPILATION_INFO_ROW, COL_IND - 1, "", f.info)
    write_text(ws, COMPILATION_INFO_ROW, 0, f"着色规则：{rules.name}（颜色含义见“{SHEET_LEGEND}”表）", f.info)
    _info_cells(ws, f, as_of, expected, deadline)  # F2:L2: as-of date, 序时进度 (the one cell), deadline
    ws.set_row(COMPILATION_INFO_ROW, 22)

    for c, (top, sub, _) in enumerate(columns):
        if sub is None:
            ws.merge_range(COMPILATION_HEAD1_ROW, c, COMPILATION_HEAD2_ROW, c, top, f.head)
        else:
            if top:
                span = 1
                while c + span < len(columns) and columns[c + span][0] == "" and columns[c + span][1]:
                    span += 1
                ws.merge_range(COMPILATION_HEAD1_ROW, c, COMPILATION_HEAD1_ROW, c + span - 1, top, f.head)
            ws.write_string(COMPILATION_HEAD2_ROW, c, sub, f.head)
    for i, label in enumerate(COMPILATION_HELPERS):
        ws.write_string(COMPILATION_HEAD2_ROW, COL_SCORED + i, label, f.helper)
    head_rows = (COMPILATION_HEAD1_ROW, COMPILATION_HEAD2_ROW)
    deadlines = DeadlineColumn(COL_ROW_UNIT + 1, head_rows, AS_OF_REF) if has_deadlines(register) \
        else None  # issue 13: only where the register has deadlines
    if deadlines:
        deadlines.header(ws, f.head, f.helper)
    ws.set_row(COMPILATION_HEAD1_ROW, 20)
    ws.set_row(COMPILATION_HEAD2_ROW, 20)

    row = COMPILATION_FIRST_ROW
    heights: dict[int, float] = {}
    last_section, last_group = None, None
    band = rules.on_time_band
    for task in register.tasks:
        section = task.section or NO_SECTION
        if section != last_section:
            ws.merge_range(row, 0, row, LAST_VISIBLE_COL, "", f.section)
            write_text(ws, row, 0, section, f.section)
            heights[row] = 22
            row += 1
            last_section, last_group = section, None
        if task.group and task.group != last_group:
            ws.merge_range(row, 0, row, LAST_VISIBLE_COL, "", f.group)
            write_text(ws, row, 0, task.group, f.group)
            heights[row] = 20
            row += 1
            last_group = task.group
        row = _write_task(ws, f, task, rows_by_task.get(task.id, []), row, rules, as_of, expected, pz, band,
                          sections[section], leaders[leader_key(task)], lead_units[unit_key(task)],
                          widths, heights, results, reported_units, history, deadlines)
    last_row = max(row - 1, COMPILATION_FIRST_ROW)
    for r, h in heights.items():
        ws.set_row(r, min(h, MAX_ROW_HEIGHT))

    conditional_formats(ws, f, rules, COMPILATION_FIRST_ROW, last_row)
    if deadlines:
        deadlines.colour(ws, f.wb, rules, COMPILATION_FIRST_ROW, last_row, COL_TASK_RATE)
    ws.freeze_panes(COMPILATION_FIRST_ROW, 1)
    set_a3_landscape(ws, repeat_rows=head_rows)
    ws.print_area(0, 0, last_row, deadlines.col if deadlines else LAST_VISIBLE_COL)
    return last_row


def _info_cells(ws, f: Formats, as_of: dt.date, expected: float, deadline: dt.date) -> None:
    ws.write_string(COMPILATION_INFO_ROW, COL_IND, "截至日期", f.info_right)
    ws.merge_range(COMPILATION_INFO_ROW, COL_TARGET, COMPILATION_INFO_ROW, COL_CURRENT, "", f.info_date)
    ws.write_datetime(COMPILATION_INFO_ROW, COL_TARGET, dt.datetime.combine(as_of, dt.time()), f.info_date)
    ws.write_string(COMPILATION_INFO_ROW, COL_RATE, "序时进度", f.info_right)
    ws.write_number(COMPILATION_INFO_ROW, COL_UNITS, expected, f.info_pct)
    ws.write_string(COMPILATION_INFO_ROW, COL_HIGHLIGHTS, "年度任务截止日期", f.info_right)
    ws.write_datetime(COMPILATION_INFO_ROW, COL_PROBLEMS, dt.datetime.combine(deadline, dt.time()), f.info_date)


def _write_task(ws, f: Formats, task: Task, rows: list[ProgressRow], start: int, rules: RuleSet, as_of,
                expected: float, pz: bool, band: float, section_key: int, leader_key: int, unit_key: int,
                widths, heights: dict[int, float], results: list[TaskResult],
                reported_units: set[str] = frozenset(), history: CompilationHistory | None = None,
                deadlines: DeadlineColumn | None = None) -> int:
    items = items_of(task, rows, pz)
    # a unit has reported when its return was accepted (rows alone also tell, for a Progress built by hand);
    # the task is 未报送 only when none of its units has
    with_rows = {r.unit for r in rows}
    missing_units = [u for u in task.units if u not in reported_units and u not in with_rows]
    reported = bool(items) or len(missing_units) < len(task.units)
    n_lines = sum(len(it.lines) for it in items) or 1
    end = start + n_lines - 1
    A1 = cell_ref
    local_h = [LINE_HEIGHT + 4] * n_lines

    item_results: list[ItemResult] = []
    r = start
    for it in items:
        i_start, i_end = r, r + len(it.lines) - 1
        ir = ItemResult(unit=it.unit, item=it.text, rate=it.rate, row=i_start + 1)
        for ln in it.lines:
            pr = ln.row
            write_text(ws, r, COL_IND, pr.indicator, f.text)
            num = f.number(pr.measure_unit)
            if pr.target is not None:
                ws.write_number(r, COL_TARGET, pr.target, num)
            else:
                ws.write_blank(r, COL_TARGET, None, num)
            if isinstance(ln.current_cell, str):
                write_text(ws, r, COL_CURRENT, ln.current_cell, f.center)
            elif ln.current_cell is not None:
                ws.write_number(r, COL_CURRENT, ln.current_cell, num)
            else:
                ws.write_blank(r, COL_CURRENT, None, num)
            if pr.self_rate is not None:
                ws.write_number(r, COL_SELF, pr.self_rate)
            tgt, cur, slf = A1(r, COL_TARGET), A1(r, COL_CURRENT), A1(r, COL_SELF)
            formula = rates.indicator_formula(tgt, cur, slf, direction=ln.direction, pending_as_zero=pz)
            if ln.direction != DIRECTION_QUALITATIVE:
                formula = rates.shown_formula(formula, cur, pending_as_zero=pz)
            ws.write_formula(r, COL_RATE, "=" + formula, f.pct, cached_value(ln.shown))
            ws.write_formula(r, COL_SCORED, "=" + rates.scored_formula(A1(r, COL_RATE)), None,
                             cached_value(rates.scored_rate(ln.rate)))
            write_text(ws, r, COL_TASK_ID, task.id)
            write_text(ws, r, COL_ROW_UNIT, it.unit)
            local_h[r - start] = max(local_h[r - start],
                                     lines_needed(pr.indicator, widths[COL_IND]) * LINE_HEIGHT + 4)
            ir.indicators.append(IndicatorResult(unit=it.unit, item=it.text, indicator=pr.indicator,
                                                 rate=ln.rate, shown=ln.shown, row=r + 1))
            r += 1
        put(ws, i_start, COL_ITEM, i_end, it.text, f.text)
        put(ws, i_start, COL_ITEM_RATE, i_end, it.rate, f.pct,
             formula=rates.mean_formula(f"{A1(i_start, COL_SCORED)}:{A1(i_end, COL_SCORED)}"))
        spread(local_h, i_start - start, i_end - start, lines_needed(it.text, widths[COL_ITEM]) * LINE_HEIGHT + 4)
        item_results.append(ir)

    closure = history.closures.get(task.id) if history else None
    late = history.late_units if history else set()
    if not items:
        ws.merge_range(start, COL_ITEM, start, COL_RATE, "", f.missing)
        text = NOT_FILLED_TEXT if reported else TaskStatus.NOT_REPORTED
        if closure:
            text = f"已于{layout.period_label(closure[0])}销号：{closure[1]}"
        write_text(ws, start, COL_ITEM, text, f.missing)
        write_text(ws, start, COL_TASK_ID, task.id)

    t_rate = rates.task_rate(it.rate for it in items)
    status = rates.classify(t_rate, expected, reported=reported, on_time_band=band)
    hl = rules.first_match(t_rate, expected, as_of, reported=reported) if "task" in rules.apply_to else None
    highlights = joined_narrative(task, items, "highlights")
    problems = joined_narrative(task, items, "problems")
    if closure:
        status, hl = TASK_CLOSED, None
    units_text = "、".join(u + UNIT_NOT_REPORTED_MARK if u in missing_units else
                           u + UNIT_LATE_MARK if u in late else u for u in task.units)

    put(ws, start, COL_NO, end, task.no or task.id, f.center)
    put(ws, start, COL_TASK, end, task.text, f.text)
    put(ws, start, COL_TASK_RATE, end, t_rate, f.pct,
         formula=rates.mean_formula(f"{A1(start, COL_ITEM_RATE)}:{A1(end, COL_ITEM_RATE)}"))
    put(ws, start, COL_UNITS, end, units_text, f.center)
    put(ws, start, COL_HIGHLIGHTS, end, highlights, f.text)
    put(ws, start, COL_PROBLEMS, end, problems, f.text)
    ws.write_number(start, COL_REPORTED, 1 if reported else 0)
    if closure:  # closed: no longer judged against 序时进度 (the status cell is text, not a formula)
        ws.write_string(start, COL_STATUS, status)
    else:
        ws.write_formula(start, COL_STATUS, "=" + rates.status_formula(
            A1(start, COL_TASK_RATE), EXPECTED_REF, A1(start, COL_REPORTED), on_time_band=band), None, status)
    ws.write_number(start, COL_SECTION_KEY, section_key)
    ws.write_number(start, COL_LEADER_KEY, leader_key)
    ws.write_number(start, COL_UNIT_KEY, unit_key)
    overdue = deadlines.task(ws, put, f.center, task, start, end, t_rate, COL_TASK_RATE, as_of) \
        if deadlines else False

    task_need = max(lines_needed(task.text, widths[COL_TASK]), lines_needed(units_text, widths[COL_UNITS]),
                    lines_needed(highlights, widths[COL_HIGHLIGHTS]),
                    lines_needed(problems, widths[COL_PROBLEMS])) * LINE_HEIGHT + 4
    spread(local_h, 0, n_lines - 1, task_need)
    for i, h in enumerate(local_h):
        heights[start + i] = h

    results.append(TaskResult(task_id=task.id, rate=t_rate, status=status, reported=reported,
                              highlight=hl.label if hl else "", units_reported=sorted({it.unit for it in items}),
                              items=item_results, row=start + 1, units_not_reported=missing_units,
                              overdue=overdue))
    return end + 1

