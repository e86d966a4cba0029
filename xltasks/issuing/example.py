"""The bundled example's returns: last period's real figures (seed 002) typed into our own templates.

`build_returns(register, progress, out_dir)` takes the Progress read from a compilation
(`compiling.to_progress`), generates the templates for the register (`issuing.templates.make_templates`) and
fills, for every unit that reports in that compilation, its template the way a bureau would
(`fill.fill_template`): 细化项目, indicators, targets, current values (pending ones as the pending
marker), directions, the self-rated rate of a qualitative line, 亮点 and 问题. Units the compilation
does not report for do not return (so the 催报 list of the example is real).

The compilation names units as its authors typed them (市住房保障局, 市安委办 （市应急管理局）, 萧山区);
a return is identified by its template's unit, a register unit of that task. `reporting_unit` maps one to
the other: the same name, or one containing the other after normalising spaces and brackets, else the
task's register lead (or its first unit when the register lists supporting units only).
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core import layout, rates
from ..compiling.to_progress import reporting_unit
from ..core.errors import UsageError
from .fill import Entry, fill_template
from ..core.models import DIRECTION_QUALITATIVE, ROLE_LEAD, Progress, ProgressRow, Register

DEADLINE = dt.date(2021, 10, 10)

# How bureaus name the file they send back (collect identifies by _meta, never by name).
_NAME_PATTERNS = (
    "{unit}-三季度报送.xlsx",
    "{unit}2021年三季度重点工作推进情况.xlsx",
    "{unit}（{month}月{day}日）.xlsx",
    "附件2-{unit}重点工作填报表.xlsx",
    "{period}_{unit}_定稿.xlsx",
    "{unit}三季度完成情况{date}.xlsx",
    "{unit}填报表（修改版）.xlsx",
    "关于报送{unit}三季度重点工作进展的函-附表.xlsx",
)


@dataclass
class ReturnsPlan:
    """Which register unit returns which task's rows."""

    rows_by_unit: dict[str, dict[str, list[ProgressRow]]] = field(default_factory=dict)  # unit → task → rows
    skipped_tasks: list[str] = field(default_factory=list)  # task ids not in the register
    remapped: dict[str, tuple[str, str]] = field(default_factory=dict)  # task → (compilation name, unit)

    @property
    def units(self) -> list[str]:
        return list(self.rows_by_unit)

    @property
    def n_rows(self) -> int:
        return sum(len(rs) for tasks in self.rows_by_unit.values() for rs in tasks.values())


def plan_returns(register: Register, progress: Progress) -> ReturnsPlan:
    """Assign every task's rows to the register unit that returns them, in register order.

    A unit that returns some task must fill every task it leads (collect reports a blank led task as an
    error), so a task the compilation credits to another unit goes to its register lead when that lead
    returns anyway.
    """
    tasks = {t.id: t for t in register.tasks}
    by_task: dict[str, list[ProgressRow]] = {}
    plan = ReturnsPlan()
    for r in progress.rows:
        if r.task_id not in tasks:
            if r.task_id not in plan.skipped_tasks:
                plan.skipped_tasks.append(r.task_id)
            continue
        by_task.setdefault(r.task_id, []).append(r)
    owner: dict[str, str] = {}
    for tid, rows in by_task.items():
        owner[tid] = reporting_unit(tasks[tid], rows[0].unit)
    changed = True
    while changed:  # moving a task to its lead may leave its former owner without returns: settle
        changed = False
        returning = set(owner.values())
        for tid, unit in owner.items():
            lead = tasks[tid].lead_unit
            if lead and lead != unit and tasks[tid].role_of(lead) == ROLE_LEAD and lead in returning:
                owner[tid] = lead
                changed = True
    for t in register.tasks:
        if t.id not in owner:
            continue
        unit = owner[t.id]
        name = by_task[t.id][0].unit
        if unit != name:
            plan.remapped[t.id] = (name, unit)
        plan.rows_by_unit.setdefault(unit, {})[t.id] = by_task[t.id]
    # register order of units (as templates are issued)
    order = {u: i for i, u in enumerate(register.unit_names())}
    plan.rows_by_unit = dict(sorted(plan.rows_by_unit.items(), key=lambda kv: order.get(kv[0], len(order))))
    return plan


def _pending_text(r: ProgressRow) -> str:
    return layout.pending_marker(r.current_text) or layout.PENDING_MARKERS[0]


def entries_for(task_id: str, rows: list[ProgressRow]) -> list[Entry]:
    """The entry lines a bureau types for one task: the 细化项目 on its first line only."""
    out: list[Entry] = []
    last_item_no = None
    for i, r in enumerate(rows):
        item = ""
        if r.item_no != last_item_no or i == 0:
            # a 细化项目 printed without text still starts a new item: name it by its first indicator
            item = r.item or r.indicator or "（未列明细化项目）"
        last_item_no = r.item_no
        indicator = r.indicator
        if len(indicator) > layout.MAX_INDICATOR_LEN:  # 002 printed a whole list as the indicator name
            indicator = indicator[:layout.MAX_INDICATOR_LEN - 1] + "…"
        if r.pending:
            current: float | str | None = _pending_text(r)
        else:
            current = r.current  # a qualitative line's words are not a value: its self-rated rate counts
        out.append(Entry(task_id=task_id, item=item, indicator=indicator, measure_unit=r.measure_unit,
                         target=r.target, current=current, direction=rates.DIRECTION_LABELS[r.direction],
                         self_rate=r.self_rate if r.direction == DIRECTION_QUALITATIVE else None))
    if out:
        # 亮点 / 问题 belong to the task, whichever line the compilation carried them on
        out[0].highlights = next((r.highlights for r in rows if r.highlights), "")
        out[0].problems = next((r.problems for r in rows if r.problems), "")
    return out


def return_file_name(unit: str, index: int, period: str) -> str:
    """A file name as the index-th reporting unit would choose it (unit names are unique, so are these)."""
    from ..core.fileio import safe_filename

    pattern = _NAME_PATTERNS[index % len(_NAME_PATTERNS)]
    day = DEADLINE - dt.timedelta(days=index % 5)
    name = pattern.format(unit=unit, period=period, month=day.month, day=day.day, date=day.strftime("%Y%m%d"))
    return safe_filename(name)


def build_returns(register: Register, progress: Progress, out_dir, *, period: str = "2021Q3",
                  templates_dir=None, clean: bool = False, units: list[str] | None = None,
                  deadline: dt.date = DEADLINE) -> list[Path]:
    """Generate the templates and write one filled return per reporting unit into out_dir.

    `templates_dir`: where the templates go (kept); a temporary folder when None.
    `clean`: first remove the .xlsx files directly in out_dir (a rebuild of the bundled example).
    `units`: only these reporting units (file names stay those of the full run).
    `deadline`: the 报送截止 printed in the templates (the example's earlier period has its own).
    Returns the paths written, in register order of units.
    """
    from .templates import make_templates

    plan = plan_returns(register, progress)
    names: dict[str, str] = {}
    for i, u in enumerate(plan.units):
        name = return_file_name(u, i, period)
        while name.lower() in {n.lower() for n in names.values()}:  # a name cut at 120 characters
            name = name[:-5] + "_1.xlsx"
        names[u] = name
    if units is not None:
        unknown = [u for u in units if u not in plan.rows_by_unit]
        if unknown:
            raise UsageError(f"以下单位不是本期进度中的报送单位：{'、'.join(unknown)}")
        plan.rows_by_unit = {u: t for u, t in plan.rows_by_unit.items() if u in units}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if clean:
        for old in out_dir.glob("*.xlsx"):
            old.unlink()
    tmp = None
    if templates_dir is None:
        tmp = tempfile.mkdtemp(prefix="xltasks-example-")
        templates_dir = Path(tmp)
    templates_dir = Path(templates_dir)
    try:
        # a block must hold all of a task's lines: one run per block size needed
        by_size: dict[int, list[str]] = {}
        for unit, tasks in plan.rows_by_unit.items():
            need = max([layout.DEFAULT_ROWS_PER_TASK] + [len(rs) for rs in tasks.values()])
            by_size.setdefault(need, []).append(unit)
        issued = {}
        for size, group in sorted(by_size.items()):
            run = make_templates(register, templates_dir, period, deadline=deadline, units=group,
                                 rows_per_task=size)
            issued.update({it.unit: it for it in run.issued})
        written: list[Path] = []
        for unit, tasks in plan.rows_by_unit.items():
            entries = [e for tid, rows in tasks.items() for e in entries_for(tid, rows)]
            path = out_dir / names[unit]
            fill_template(issued[unit].path, path, entries)
            written.append(path)
        return written
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def check_returns(folders, register: Register, period: str) -> int:
    """Collect the example returns just written and print what collect made of them: 0 when every file was
    accepted without an error (the example must pass its own checks), 1 otherwise."""
    from ..collecting.merge import collect

    s = collect(folders, register, period).stats()
    print(f"collect: 文件 {s['files']}，采用 {s['accepted']}，退回 {s['rejected']}，错误 {s['errors']}，"
          f"警告 {s['warnings']}，已报送单位 {s['reported_units']}，未报送 {s['missing_units']}，行 {s['rows']}")
    return 1 if s["errors"] or s["rejected"] else 0
