"""Compile the 完成情况汇编 (seed 002's layout) from a Register and a Progress: `compile_workbook`.

The workbook's sheets are written by main_sheet.py (汇编), summary.py (汇总), legend.py (图例) and, in a
workspace, trend.py (趋势); the task blocks are computed first in pure Python (blocks.py), the formats are in
formats.py, the colours in colours.py and the 完成时限 column in deadlines.py. Where each column and row is:
core/layout.py (the reader of an old 汇编 uses the same facts).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from ..core import rates
from ..core.errors import InputError
from ..core.fileio import atomic_write_with
from ..core.layout import (COL_ROW_UNIT, COL_TASK_RATE, COMPILATION_HEAD1_ROW, COMPILATION_HEAD2_ROW,
                           SHEET_COMPILATION, SHEET_LEGEND, SHEET_SUMMARY)
from ..core.models import Progress, ProgressRow, Register
from ..core.results import CompileResult, TaskResult
from ..core.statuses import TaskStatus
from ..core.xlsx import fast_formulas, new_workbook
from .deadlines import DEADLINE_COLUMNS, has_deadlines
from .figures import leader_key, section_key, unit_key
from .formats import Formats
from .history import CompilationHistory
from .legend import write_legend
from .main_sheet import write_main_sheet
from .rules import RuleSet, load_rules
from .summary import write_summary

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
        f = Formats(wb)
        ws = wb.add_worksheet(SHEET_COMPILATION)
        summary = wb.add_worksheet(SHEET_SUMMARY)
        legend = wb.add_worksheet(SHEET_LEGEND)
        for sheet in (ws, summary, legend):
            fast_formulas(sheet)
        last_row = write_main_sheet(ws, f, register, rows_by_task, rules, as_of, expected, deadline, pz, title,
                                    sections, leaders, lead_units, results,
                                    reported_units=set(progress.reported_units), history=history)
        write_summary(wb, summary, f, register, results, sections, leaders, lead_units, last_row, expected,
                      as_of, title)
        write_legend(legend, f, rules, as_of, expected)
        if history is not None:
            from .trend import write_trend_columns, write_trend_sheet

            first_trend = COL_ROW_UNIT + 1 + (DEADLINE_COLUMNS if has_deadlines(register) else 0)
            last_col = write_trend_columns(ws, f, results, history, first_trend,
                                           (COMPILATION_HEAD1_ROW, COMPILATION_HEAD2_ROW), COL_TASK_RATE)
            ws.print_area(0, 0, last_row, last_col)
            unit_rates = rates.unit_rates_of_rows(progress.rows, pending_as_zero=pz)
            write_trend_sheet(wb, wb.add_worksheet("趋势"), f, register, results, history, unit_rates, expected,
                              main_sheet=SHEET_COMPILATION, rate_col=COL_TASK_RATE)
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
