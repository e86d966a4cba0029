"""The 汇总 figures: task counts and shares by status — overall, by section, by leader, by lead unit.

One function computes them from the task statuses of a 汇编; the 汇总 sheet's cached values and the 督查通报
both take them from here, so the 通报 cannot say other numbers than the 汇编. A closed task (已销号) is
counted apart: not in any total or share.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core import rates
from ..core.models import Register, Task
from ..core.statuses import TASK_CLOSED, TaskStatus

NO_SECTION, NO_NAME = "（未分板块）", "（未注明）"


def section_key(task: Task) -> str:
    return task.section or NO_SECTION


def leader_key(task: Task) -> str:
    return task.leader.strip() or task.group.strip() or NO_NAME


def unit_key(task: Task) -> str:
    return task.lead_unit or (task.units[0] if task.units else "") or NO_NAME


@dataclass
class Breakdown:
    name: str
    counts: dict[str, int]  # status → tasks (every TaskStatus, 0 included)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, status: str) -> rates.Rate:
        return rates.share(self.counts[status], self.total)


@dataclass
class SummaryFigures:
    overall: Breakdown
    closed: int = 0
    sections: list[Breakdown] = field(default_factory=list)
    leaders: list[Breakdown] = field(default_factory=list)
    lead_units: list[Breakdown] = field(default_factory=list)


def summary_figures(register: Register, statuses: dict[str, str]) -> SummaryFigures:
    """`statuses`: task id → status as the 汇编 shows it (tasks the register lacks are ignored)."""
    groups: dict[str, dict[str, Breakdown]] = {"sections": {}, "leaders": {}, "lead_units": {}}
    overall = Breakdown("合计", {s: 0 for s in TaskStatus})
    closed = 0
    keys = {"sections": section_key, "leaders": leader_key, "lead_units": unit_key}
    for task in register.tasks:
        status = statuses.get(task.id)
        for kind, key in keys.items():  # every name appears, in register order, even with no counted task
            groups[kind].setdefault(key(task), Breakdown(key(task), {s: 0 for s in TaskStatus}))
        if status is None:
            continue
        if status == TASK_CLOSED:
            closed += 1
            continue
        overall.counts[status] += 1
        for kind, key in keys.items():
            groups[kind][key(task)].counts[status] += 1
    return SummaryFigures(overall=overall, closed=closed, **{k: list(v.values()) for k, v in groups.items()})
