"""Compile the 完成情况汇编 (seed 002's layout) from a Register and a Progress.

Sheet 汇编: title, info row (as-of date, 序时进度, deadline), the two header rows of 002, section and
leader-group rows, and per task a block whose task cells are merged down over its 细化项目 and indicator
rows. Every rate is a live formula from xltasks.core.rates with its cached value computed by the same module.
Hidden helper columns to the right (scored rate, status, reported flag, summary keys) feed the
conditional formats and the 汇总 sheet's COUNTIFS. Sheet 图例 explains the colours and the arithmetic.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


from ..core import layout, rates
from ..core.cells import cell_ref, column_letter
from ..core.errors import InputError
from ..core.fileio import atomic_write_with
from ..core.models import DIRECTION_QUALITATIVE, Progress, ProgressRow, Register, Task
from .deadlines import DEADLINE_COLUMNS, DeadlineColumn, has_deadlines
from .figures import NO_SECTION, leader_key, section_key, summary_figures, unit_key
from .history import CompilationHistory
from ..core.results import CompileResult, IndicatorResult, ItemResult, TaskResult
from ..core.statuses import TASK_CLOSED, TaskStatus
from .rules import STATUSES_OF, TASK_ONLY, RuleSet, load_rules
from ..core.texts import render
from ..core.xlsx import (cached_value, fast_formulas, fmt, header_format, lines_needed, new_workbook, set_a3_landscape,
                   write_text)

SHEET_MAIN = "汇编"
SHEET_SUMMARY = "汇总"
SHEET_LEGEND = "图例"

# Visible columns: (top header, sub header, width). A top header spanning several columns is given on
# its first column and "" on the others; a sub header of None means the top header spans both rows.
COLUMNS = (
    ("序号", None, 5), ("重点工作", "任务说明", 30), ("", "完成率", 9), ("细化项目", "任务说明", 32),
    ("", "完成率", 9), ("量化指标", "指标名称", 16), ("", "数值及单位", 11), ("", "当前值", 11),
    ("", "完成率", 9), ("责任单位", None, 14), ("主要亮点", None, 46), ("存在问题与下步计划", None, 40),
)
(COL_NO, COL_TASK, COL_TASK_RATE, COL_ITEM, COL_ITEM_RATE, COL_IND, COL_TARGET, COL_CURRENT, COL_RATE,
 COL_UNITS, COL_HIGHLIGHTS, COL_PROBLEMS) = range(12)
# Hidden helper columns, right of the printed table.
HELPERS = ("计分完成率", "任务状态", "已报送", "板块", "牵头领导", "牵头单位", "自评完成率", "任务编号", "报送单位")
(COL_SCORED, COL_STATUS, COL_REPORTED, COL_SECTION_KEY, COL_LEADER_KEY, COL_UNIT_KEY, COL_SELF,
 COL_TASK_ID, COL_ROW_UNIT) = range(12, 12 + len(HELPERS))
LAST_VISIBLE = COL_PROBLEMS

TITLE_ROW, INFO_ROW, HEAD1_ROW, HEAD2_ROW, FIRST_DATA_ROW = 0, 1, 2, 3, 4  # 0-based
# The one cell holding the expected progress (序时进度), the as-of date and the deadline.
EXPECTED_REF = f"${column_letter(COL_RATE + 1)}${INFO_ROW + 1}"  # $J$2
AS_OF_REF = f"${column_letter(COL_TARGET)}${INFO_ROW + 1}"  # $G$2 (merged G2:H2)
DEADLINE_REF = f"${column_letter(COL_PROBLEMS)}${INFO_ROW + 1}"  # $L$2

NOT_FILLED_TEXT = "已报送，未填写"  # a unit of the task reported, but wrote nothing for this task
UNIT_NOT_REPORTED_MARK = "（未报送）"  # after a unit's name in 责任单位 when it has no accepted return
UNIT_LATE_MARK = "（逾期报送）"  # after a unit's name when its return came after the deadline (workspace)
LINE_HEIGHT = 15.0  # points per wrapped line at 11 pt
MAX_ROW_HEIGHT = 409.0  # Excel's limit


# ---------------------------------------------------------------------------------------------
# Building the blocks (pure Python, no workbook)
# ---------------------------------------------------------------------------------------------

@dataclass
class _Line:
    row: ProgressRow | None
    direction: str = ""
    current_cell: object = None  # what the 当前值 cell holds: a number, pending text or None
    rate: rates.Rate = None
    shown: object = None


@dataclass
class _Item:
    unit: str
    text: str
    lines: list[_Line]
    rate: rates.Rate = None


def _line(r: ProgressRow, pending_as_zero: bool) -> _Line:
    current_cell = (r.current_text.strip() or layout.PENDING_MARKERS[0]) if rates.is_pending(r) else r.current
    rate = rates.row_rate(r, pending_as_zero=pending_as_zero)
    shown = rate if r.direction == DIRECTION_QUALITATIVE else rates.shown_rate(
        rate, current_cell, pending_as_zero=pending_as_zero)
    return _Line(row=r, direction=r.direction, current_cell=current_cell, rate=rate, shown=shown)


def _items_of(task: Task, rows: list[ProgressRow], pending_as_zero: bool) -> list[_Item]:
    """The task's 细化项目 in print order: lead unit first, then the register's order of units."""
    unit_order = {u: i for i, u in enumerate(task.units)}
    first_seen: dict[str, int] = {}
    for i, r in enumerate(rows):
        first_seen.setdefault(r.unit, i)
    units = sorted(first_seen, key=lambda u: (u != task.lead_unit, unit_order.get(u, len(unit_order)),
                                              first_seen[u]))
    items: list[_Item] = []
    for unit in units:
        by_key: dict[tuple, _Item] = {}
        order: list[tuple] = []
        for i, r in enumerate(rows):
            if r.unit != unit:
                continue
            key = rates.item_key(r)[1:]
            if key not in by_key:
                by_key[key] = _Item(unit=unit, text=r.item, lines=[])
                order.append(key)
            by_key[key].lines.append(_line(r, pending_as_zero))
        order.sort(key=lambda k: (k[0] == 0, k[0]))  # numbered items in number order, then the rest
        for key in order:
            item = by_key[key]
            item.rate = rates.item_rate(ln.rate for ln in item.lines)
            items.append(item)
    return items


def _joined_narrative(task: Task, items: list[_Item], attr: str) -> str:
    """亮点 / 问题 of the task; with several units each part is prefixed with the unit's name."""
    parts: list[tuple[str, str]] = []
    seen_units = []
    for it in items:
        if it.unit in seen_units:
            continue
        seen_units.append(it.unit)
        texts = []
        for other in items:
            if other.unit != it.unit:
                continue
            for ln in other.lines:
                t = (getattr(ln.row, attr) or "").strip()
                if t and t not in texts:
                    texts.append(t)
        if texts:
            parts.append((it.unit, "\n".join(texts)))
    if len(seen_units) <= 1:
        return "\n".join(t for _, t in parts)
    return "\n".join(f"【{u}】{t}" for u, t in parts)


# ---------------------------------------------------------------------------------------------
# Text measures for row heights (xlsxwriter does not autofit, least of all merged cells)
# ---------------------------------------------------------------------------------------------

def _spread(heights: list[float], start: int, end: int, needed: float) -> None:
    """Make rows start..end (inclusive) together at least `needed` points high."""
    have = sum(heights[start:end + 1])
    if have >= needed:
        return
    extra = (needed - have) / (end - start + 1)
    for i in range(start, end + 1):
        heights[i] += extra


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------

def _number_format(measure_unit: str) -> str:
    """General number followed by the unit as literal text: 70 with 万亩 reads "70万亩"."""
    unit = (measure_unit or "").strip()
    if not unit:
        return "General"
    return 'General"' + unit.replace('"', '"\\""') + '"'


class _Formats:
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
        nf = _number_format(measure_unit)
        if nf not in self._numbers:
            self._numbers[nf] = fmt(self.wb, align="center", num_format=nf, **self._base)
        return self._numbers[nf]


def _put(ws, r1: int, c: int, r2: int, value, cell_format, *, formula: str | None = None) -> None:
    """Write text (or a formula with its cached value) into column c over rows r1..r2, merged."""
    if r2 > r1:
        ws.merge_range(r1, c, r2, c, "", cell_format)
    if formula is not None:
        ws.write_formula(r1, c, "=" + formula, cell_format, cached_value(value))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(r1, c, value, cell_format)
    else:
        write_text(ws, r1, c, value, cell_format)


_SHOWN_IDS = 5  # task ids named in the one-line summary of rows the register lacks


def compile_workbook(register: Register, progress: Progress, out_path: str | Path, *, as_of: dt.date,
                     rules: RuleSet | None = None, title: str | None = None, register_file: str = "",
                     progress_file: str = "", history: CompilationHistory | None = None) -> CompileResult:
    """Write the 汇编 workbook to out_path (atomically) and return the per-task rates and statuses.

    A register with no task, or one that none of the progress rows belong to (the wrong register), is an
    InputError naming `register_file` / `progress_file` (the paths as given): an empty 汇编 helps no one.
    Rows of tasks the register lacks are summarised in one warning. `history` (a workspace's earlier periods,
    closures and late units) adds 上期完成率/变化, the 趋势 sheet, 已销号 and 逾期报送 (trend.py)."""
    rules = rules or load_rules(None)
    out_path = Path(out_path)
    expected = rules.expected(as_of)
    deadline = rules.deadline_date(as_of)
    pz = rules.pending_as_zero
    title = title or f"{as_of.year}年重点工作完成情况汇编（截至{as_of.month}月{as_of.day}日）"

    if not register.tasks:
        raise InputError("任务台账中没有任何任务，无法编制汇编", file=register_file or register.source)
    known = {t.id for t in register.tasks}
    rows_by_task: dict[str, list[ProgressRow]] = defaultdict(list)
    unknown: dict[str, list[str]] = {}  # task id → the files its rows came from, in order
    n_unknown = 0
    for r in progress.rows:
        if r.task_id in known:
            rows_by_task[r.task_id].append(r)
        else:
            n_unknown += 1
            files = unknown.setdefault(r.task_id, [])
            origin = r.provenance.file or r.unit
            if origin and origin not in files:
                files.append(origin)
    warnings: list[str] = []
    if n_unknown:
        shown = "、".join(f"“{tid}”" for tid in list(unknown)[:_SHOWN_IDS]) + ("等" if len(unknown) > _SHOWN_IDS else "")
        if n_unknown == len(progress.rows):
            where = f"（任务台账 {register_file}）" if register_file else ""
            raise InputError(f"进度台账与任务台账不匹配：{n_unknown} 行的任务编号均不在台账中（如 {shown}）{where}，"
                               f"请确认使用的是本期下发模板所用的任务台账", file=progress_file)
        origins = list(dict.fromkeys(f for fs in unknown.values() for f in fs))
        from_files = (f"，来自 {'、'.join(origins[:3])}{'等' if len(origins) > 3 else ''}" if origins else "")
        warnings.append(f"{n_unknown} 行进度的任务编号（{len(unknown)} 个：{shown}）不在任务台账中{from_files}，"
                        f"未编入汇编")

    sections: dict[str, int] = {}
    leaders: dict[str, int] = {}
    lead_units: dict[str, int] = {}
    for t in register.tasks:
        sections.setdefault(section_key(t), len(sections) + 1)
        leaders.setdefault(leader_key(t), len(leaders) + 1)
        lead_units.setdefault(unit_key(t), len(lead_units) + 1)

    results: list[TaskResult] = []

    def write(tmp: Path) -> None:
        wb = new_workbook(tmp)
        f = _Formats(wb)
        ws = wb.add_worksheet(SHEET_MAIN)
        summary = wb.add_worksheet(SHEET_SUMMARY)
        legend = wb.add_worksheet(SHEET_LEGEND)
        for sheet in (ws, summary, legend):
            fast_formulas(sheet)
        last_row = _write_main(ws, f, register, rows_by_task, rules, as_of, expected, deadline, pz, title,
                               sections, leaders, lead_units, results, reported_units=set(progress.reported_units),
                               history=history)
        _write_summary(wb, summary, f, register, results, sections, leaders, lead_units, last_row, expected,
                       as_of, title)
        _write_legend(legend, f, rules, as_of, expected)
        if history is not None:
            from .trend import write_trend_columns, write_trend_sheet

            first_trend = COL_ROW_UNIT + 1 + (DEADLINE_COLUMNS if has_deadlines(register) else 0)
            last_col = write_trend_columns(ws, f, results, history, first_trend, (HEAD1_ROW, HEAD2_ROW),
                                           COL_TASK_RATE)
            ws.print_area(0, 0, last_row, last_col)
            unit_rates = rates.unit_rates_of_rows(progress.rows, pending_as_zero=pz)
            write_trend_sheet(wb, wb.add_worksheet("趋势"), f, register, results, history, unit_rates, expected,
                              main_sheet=SHEET_MAIN, rate_col=COL_TASK_RATE)
        ws.activate()
        wb.close()

    atomic_write_with(out_path, write)
    return CompileResult(path=out_path, as_of=as_of, expected=expected, rules=rules, tasks=results,
                         counts=_count(results), warnings=warnings)


def _count(results: list[TaskResult]) -> dict[str, int]:
    counts = {s: 0 for s in TaskStatus}
    for t in results:
        counts[t.status] = counts.get(t.status, 0) + 1  # 已销号 (workspace) only when there is one
    return counts


def _write_main(ws, f: _Formats, register: Register, rows_by_task, rules: RuleSet, as_of, expected, deadline,
                pz: bool, title: str, sections, leaders, lead_units, results: list[TaskResult], *,
                reported_units: set[str] = frozenset(), history: CompilationHistory | None = None) -> int:
    widths = [w for _, _, w in COLUMNS]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.set_column(COL_SCORED, COL_ROW_UNIT, 10, None, {"hidden": True})

    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, LAST_VISIBLE, "", f.title)
    write_text(ws, TITLE_ROW, 0, title, f.title)
    ws.set_row(TITLE_ROW, 36)
    ws.merge_range(INFO_ROW, 0, INFO_ROW, COL_IND - 1, "", f.info)
    write_text(ws, INFO_ROW, 0, f"着色规则：{rules.name}（颜色含义见“{SHEET_LEGEND}”表）", f.info)
    _info_cells(ws, f, as_of, expected, deadline)  # F2:L2: as-of date, 序时进度 (the one cell), deadline
    ws.set_row(INFO_ROW, 22)

    for c, (top, sub, _) in enumerate(COLUMNS):
        if sub is None:
            ws.merge_range(HEAD1_ROW, c, HEAD2_ROW, c, top, f.head)
        else:
            if top:
                span = 1
                while c + span < len(COLUMNS) and COLUMNS[c + span][0] == "" and COLUMNS[c + span][1]:
                    span += 1
                ws.merge_range(HEAD1_ROW, c, HEAD1_ROW, c + span - 1, top, f.head)
            ws.write_string(HEAD2_ROW, c, sub, f.head)
    for i, label in enumerate(HELPERS):
        ws.write_string(HEAD2_ROW, COL_SCORED + i, label, f.helper)
    deadlines = DeadlineColumn(COL_ROW_UNIT + 1, (HEAD1_ROW, HEAD2_ROW), AS_OF_REF) if has_deadlines(register) \
        else None  # issue 13: only where the register has deadlines
    if deadlines:
        deadlines.header(ws, f.head, f.helper)
    ws.set_row(HEAD1_ROW, 20)
    ws.set_row(HEAD2_ROW, 20)

    row = FIRST_DATA_ROW
    heights: dict[int, float] = {}
    last_section, last_group = None, None
    band = rules.on_time_band
    for task in register.tasks:
        section = task.section or NO_SECTION
        if section != last_section:
            ws.merge_range(row, 0, row, LAST_VISIBLE, "", f.section)
            write_text(ws, row, 0, section, f.section)
            heights[row] = 22
            row += 1
            last_section, last_group = section, None
        if task.group and task.group != last_group:
            ws.merge_range(row, 0, row, LAST_VISIBLE, "", f.group)
            write_text(ws, row, 0, task.group, f.group)
            heights[row] = 20
            row += 1
            last_group = task.group
        row = _write_task(ws, f, task, rows_by_task.get(task.id, []), row, rules, as_of, expected, pz, band,
                          sections[section], leaders[leader_key(task)], lead_units[unit_key(task)],
                          widths, heights, results, reported_units, history, deadlines)
    last_row = max(row - 1, FIRST_DATA_ROW)
    for r, h in heights.items():
        ws.set_row(r, min(h, MAX_ROW_HEIGHT))

    _conditional_formats(ws, f, rules, FIRST_DATA_ROW, last_row)
    if deadlines:
        deadlines.colour(ws, f.wb, rules, FIRST_DATA_ROW, last_row, COL_TASK_RATE)
    ws.freeze_panes(FIRST_DATA_ROW, 1)
    set_a3_landscape(ws, repeat_rows=(HEAD1_ROW, HEAD2_ROW))
    ws.print_area(0, 0, last_row, deadlines.col if deadlines else LAST_VISIBLE)
    return last_row


def _info_cells(ws, f: _Formats, as_of: dt.date, expected: float, deadline: dt.date) -> None:
    ws.write_string(INFO_ROW, COL_IND, "截至日期", f.info_right)
    ws.merge_range(INFO_ROW, COL_TARGET, INFO_ROW, COL_CURRENT, "", f.info_date)
    ws.write_datetime(INFO_ROW, COL_TARGET, dt.datetime.combine(as_of, dt.time()), f.info_date)
    ws.write_string(INFO_ROW, COL_RATE, "序时进度", f.info_right)
    ws.write_number(INFO_ROW, COL_UNITS, expected, f.info_pct)
    ws.write_string(INFO_ROW, COL_HIGHLIGHTS, "年度任务截止日期", f.info_right)
    ws.write_datetime(INFO_ROW, COL_PROBLEMS, dt.datetime.combine(deadline, dt.time()), f.info_date)


def _write_task(ws, f: _Formats, task: Task, rows: list[ProgressRow], start: int, rules: RuleSet, as_of,
                expected: float, pz: bool, band: float, section_key: int, leader_key: int, unit_key: int,
                widths, heights: dict[int, float], results: list[TaskResult],
                reported_units: set[str] = frozenset(), history: CompilationHistory | None = None,
                deadlines: DeadlineColumn | None = None) -> int:
    items = _items_of(task, rows, pz)
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
        _put(ws, i_start, COL_ITEM, i_end, it.text, f.text)
        _put(ws, i_start, COL_ITEM_RATE, i_end, it.rate, f.pct,
             formula=rates.mean_formula(f"{A1(i_start, COL_SCORED)}:{A1(i_end, COL_SCORED)}"))
        _spread(local_h, i_start - start, i_end - start, lines_needed(it.text, widths[COL_ITEM]) * LINE_HEIGHT + 4)
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
    highlights = _joined_narrative(task, items, "highlights")
    problems = _joined_narrative(task, items, "problems")
    if closure:
        status, hl = TASK_CLOSED, None
    units_text = "、".join(u + UNIT_NOT_REPORTED_MARK if u in missing_units else
                           u + UNIT_LATE_MARK if u in late else u for u in task.units)

    _put(ws, start, COL_NO, end, task.no or task.id, f.center)
    _put(ws, start, COL_TASK, end, task.text, f.text)
    _put(ws, start, COL_TASK_RATE, end, t_rate, f.pct,
         formula=rates.mean_formula(f"{A1(start, COL_ITEM_RATE)}:{A1(end, COL_ITEM_RATE)}"))
    _put(ws, start, COL_UNITS, end, units_text, f.center)
    _put(ws, start, COL_HIGHLIGHTS, end, highlights, f.text)
    _put(ws, start, COL_PROBLEMS, end, problems, f.text)
    ws.write_number(start, COL_REPORTED, 1 if reported else 0)
    if closure:  # closed: no longer judged against 序时进度 (the status cell is text, not a formula)
        ws.write_string(start, COL_STATUS, status)
    else:
        ws.write_formula(start, COL_STATUS, "=" + rates.status_formula(
            A1(start, COL_TASK_RATE), EXPECTED_REF, A1(start, COL_REPORTED), on_time_band=band), None, status)
    ws.write_number(start, COL_SECTION_KEY, section_key)
    ws.write_number(start, COL_LEADER_KEY, leader_key)
    ws.write_number(start, COL_UNIT_KEY, unit_key)
    overdue = deadlines.task(ws, _put, f.center, task, start, end, t_rate, COL_TASK_RATE, as_of) \
        if deadlines else False

    task_need = max(lines_needed(task.text, widths[COL_TASK]), lines_needed(units_text, widths[COL_UNITS]),
                    lines_needed(highlights, widths[COL_HIGHLIGHTS]),
                    lines_needed(problems, widths[COL_PROBLEMS])) * LINE_HEIGHT + 4
    _spread(local_h, 0, n_lines - 1, task_need)
    for i, h in enumerate(local_h):
        heights[start + i] = h

    results.append(TaskResult(task_id=task.id, rate=t_rate, status=status, reported=reported,
                              highlight=hl.label if hl else "", units_reported=sorted({it.unit for it in items}),
                              items=item_results, row=start + 1, units_not_reported=missing_units,
                              overdue=overdue))
    return end + 1


def _condition_formula(when: str, rules: RuleSet, rate_ref: str, status_ref: str | None,
                       reported_ref: str | None) -> str:
    """Excel side of RuleSet.matches(); task cells test the status helper, other cells their own rate."""
    band = rules.on_time_band
    status = status_ref or rates.classify_formula(rate_ref, EXPECTED_REF, on_time_band=band)
    if when in STATUSES_OF:
        tests = [f'{status}="{s}"' for s in STATUSES_OF[when]]
        return tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"
    reported = f"{reported_ref}=1," if reported_ref else ""
    if when == "lagging":
        return f"AND({reported}{rates.below_margin_formula(rate_ref, EXPECTED_REF, rules.lag_margin)})"
    open_rate = f"ISNUMBER({rate_ref}),{rates.compared_formula(rate_ref, inside_and=True)}<1"
    if when == "deadline_near":
        return (f"AND({reported}{open_rate},{DEADLINE_REF}-{AS_OF_REF}>=0,"
                f"{DEADLINE_REF}-{AS_OF_REF}<={rules.deadline_near_days})")
    if when == "overdue":
        return f"AND({reported}{open_rate},{AS_OF_REF}>{DEADLINE_REF})"
    raise ValueError(when)


def _conditional_formats(ws, f: _Formats, rules: RuleSet, first: int, last: int) -> None:
    if not rules.highlights:
        return
    formats = [f.wb.add_format(h.format_props()) for h in rules.highlights]
    row1 = first + 1
    targets = []
    if "task" in rules.apply_to:
        targets.append(("task", (first, COL_TASK, last, COL_TASK_RATE), f"${column_letter(COL_TASK_RATE)}{row1}",
                        f"${column_letter(COL_STATUS)}{row1}", f"${column_letter(COL_REPORTED)}{row1}"))
    if "item" in rules.apply_to:
        targets.append(("item", (first, COL_ITEM_RATE, last, COL_ITEM_RATE),
                        f"${column_letter(COL_ITEM_RATE)}{row1}", None, None))
    if "indicator" in rules.apply_to:
        targets.append(("indicator", (first, COL_RATE, last, COL_RATE),
                        f"${column_letter(COL_RATE)}{row1}", None, None))
    for level, rng, rate_ref, status_ref, reported_ref in targets:
        for h, cf in zip(rules.highlights, formats):
            if level != "task" and h.when in TASK_ONLY:
                continue
            ws.conditional_format(*rng, {"type": "formula", "stop_if_true": True, "format": cf,
                                         "criteria": "=" + _condition_formula(h.when, rules, rate_ref, status_ref,
                                                                               reported_ref)})


# ---------------------------------------------------------------------------------------------
# 汇总 and 图例
# ---------------------------------------------------------------------------------------------

def _write_summary(wb, ws, f: _Formats, register: Register, results: list[TaskResult], sections, leaders,
                   lead_units, last_row: int, expected: float, as_of: dt.date, title: str) -> None:
    def col_range(col: int) -> str:
        c = column_letter(col)
        return f"'{SHEET_MAIN}'!${c}${FIRST_DATA_ROW + 1}:${c}${last_row + 1}"

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
    ws.write_formula(1, 3, f"='{SHEET_MAIN}'!{EXPECTED_REF}", f.info_pct, expected)

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


def _breakdown(ws, f: _Formats, row: int, heading: str, label: str, names: dict[str, int], key_rng: str,
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


def _legend_notes(rules: RuleSet, as_of: dt.date, expected: float) -> str:
    band = f"{rules.on_time_band * 100:g} 个百分点" if rules.on_time_band else ""
    return render("汇编图例.txt.j2", pending_as_zero=rules.pending_as_zero, pending_label=rates.PENDING_LABEL,
                  as_of=layout.date_label(as_of), expected=f"{expected:.2%}", mode=rules.progress_mode,
                  band=band).strip("\n")


def _write_legend(ws, f: _Formats, rules: RuleSet, as_of: dt.date, expected: float) -> None:
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 90)
    ws.merge_range(0, 0, 0, 1, "", f.title)
    write_text(ws, 0, 0, "图例与计算说明", f.title)
    ws.set_row(0, 32)
    ws.write_string(1, 0, "着色规则", f.text)
    write_text(ws, 1, 1, rules.name + (f"：{rules.description}" if rules.description else ""), f.text)
    ws.set_row(1, lines_needed(rules.description, 90) * LINE_HEIGHT + 4)
    ws.write_string(2, 0, "序时进度", f.text)
    ws.write_formula(2, 1, f"='{SHEET_MAIN}'!{EXPECTED_REF}", fmt(f.wb, border=1, num_format="0.00%"), expected)
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
