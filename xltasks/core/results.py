"""What each stage returns to its caller (and the next stage): plain data, beside the models.

TemplateRun (templates) · FileResult, UnitStatus, CollectResult (collect) · CompileResult (compile).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .cells import column_index, split_ref
from .layout import DISTRIBUTION_LIST
from .rates import Rate
from .models import LEVEL_ERROR, LEVEL_WARNING, Problem, Progress, ProgressRow
from .statuses import FileStatus, SubmissionStatus, TaskStatus

if TYPE_CHECKING:  # the rule set is the compile stage's own type
    from ..compiling.rules import RuleSet



# ---------------------------------------------------------------------------------------------------
# templates
# ---------------------------------------------------------------------------------------------------

@dataclass
class IssuedTemplate:
    """One unit's template as issued: its path and task ids."""

    unit: str
    path: Path
    task_ids: list[str]
    lead_task_ids: list[str]
    support_task_ids: list[str]
    notice: Path | None = None
    template_id: str = ""


@dataclass
class TemplateRun:
    """What `make_templates` wrote: the templates, warnings and the distribution list."""

    issued: list[IssuedTemplate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    distribution_list: Path = Path(DISTRIBUTION_LIST)


# ---------------------------------------------------------------------------------------------------
# collect
# ---------------------------------------------------------------------------------------------------

@dataclass
class FileResult:
    """What collect knows about one returned file."""

    path: str
    key: str
    sha256: str
    size: int
    mtime: float
    saved_at: dt.datetime | None = None
    unit: str = ""
    period: str = ""
    template_id: str = ""
    identified: bool = False  # reached "period matches": the file counts as this unit's return
    status: FileStatus = FileStatus.REJECTED
    problems: list[Problem] = field(default_factory=list)
    rows: list[ProgressRow] = field(default_factory=list)
    superseded_by: str = ""
    received_at: dt.datetime | None = None  # when the office received it (collecting/newest.py), set by collect
    received_basis: str = ""  # which time that is: the ledger's first-seen, or the file's modification time

    @property
    def errors(self) -> int:
        return sum(p.level == LEVEL_ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.level == LEVEL_WARNING for p in self.problems)

    @property
    def valid(self) -> bool:
        return self.errors == 0


@dataclass
class UnitStatus:
    """One unit's standing in a collect run: submitted, returned or missing."""

    unit: str
    kind: str
    tasks: int
    lead_tasks: int
    status: SubmissionStatus
    files: int = 0  # files of this unit seen in this run (superseded included)
    errors: int = 0
    warnings: int = 0
    rows: int = 0
    file: str = ""  # the file that decides the status
    data_file: str = ""  # the file whose rows are merged (an older accepted one when `file` was rejected)
    received_at: str = ""  # when `file` was received (workspace collect; "" elsewhere)
    late: bool = False  # 逾期报送: its accepted return was received after the period's deadline (workspace)


@dataclass
class CollectResult:
    """What `collect` found: every file's result, the merged progress and each unit's status."""

    period: str
    files: list[FileResult]
    progress: Progress
    units: list[UnitStatus]
    started_at: str = ""
    folders: list[str] = field(default_factory=list)  # the folders collected, as given
    deadline: dt.date | None = None  # the period's deadline, when known (workspace): late returns are marked
    unread: list = field(default_factory=list)  # collecting.unread.Unread: files not read, with the reason

    @property
    def late_units(self) -> list[str]:
        return [u.unit for u in self.units if u.late]

    @property
    def problems(self) -> list[Problem]:
        """Every problem of the run, by unit, file, then sheet order (row, column)."""
        out = [p for f in self.files for p in f.problems]
        return sorted(out, key=problem_sort_key)

    @property
    def missing_units(self) -> list[str]:
        return [u.unit for u in self.units if u.status == SubmissionStatus.MISSING]

    @property
    def rejected_units(self) -> list[str]:
        return [u.unit for u in self.units if u.status == SubmissionStatus.REJECTED]

    @property
    def valid(self) -> bool:
        return not any(p.level == LEVEL_ERROR for f in self.files for p in f.problems)

    def stats(self) -> dict:
        probs = [p for f in self.files for p in f.problems]
        return {
            "files": len(self.files),
            "accepted": sum(f.status == FileStatus.ACCEPTED for f in self.files),
            "rejected": sum(f.status == FileStatus.REJECTED for f in self.files),
            "superseded": sum(f.status == FileStatus.SUPERSEDED for f in self.files),
            "errors": sum(p.level == LEVEL_ERROR for p in probs),
            "warnings": sum(p.level == LEVEL_WARNING for p in probs),
            "units": len(self.units),
            "reported_units": sum(u.status == SubmissionStatus.REPORTED for u in self.units),
            "rejected_units": len(self.rejected_units),
            "missing_units": len(self.missing_units),
            "rows": len(self.progress.rows),
            "unread": len(self.unread),
        }


def problem_sort_key(p: Problem):
    return (p.unit == "", p.unit, p.file, p.sheet, *_cell_key(p.cell), p.code)


def _cell_key(cell: str) -> tuple[int, int]:
    """(row, column), 1-based, of an "A1" reference; 0 for a part that is missing."""
    ref = split_ref(cell)
    if ref is not None:
        return ref[0] + 1, ref[1] + 1
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0, column_index(letters) + 1 if letters else 0


# ---------------------------------------------------------------------------------------------------
# compile
# ---------------------------------------------------------------------------------------------------

@dataclass
class IndicatorResult:
    """One 量化指标's completion rate in the 汇编."""

    unit: str
    item: str
    indicator: str
    rate: Rate  # indicator rate (uncapped), None when it has none
    shown: object  # what the 完成率 cell shows: the rate, PENDING_LABEL or None
    row: int  # 1-based row in sheet 汇编


@dataclass
class ItemResult:
    """One 细化项目's completion rate in the 汇编."""

    unit: str
    item: str
    rate: Rate
    indicators: list[IndicatorResult] = field(default_factory=list)
    row: int = 0


@dataclass
class TaskResult:
    """One task's completion rate and status in the 汇编."""

    task_id: str
    rate: Rate
    status: TaskStatus
    reported: bool
    highlight: str = ""  # label of the highlight rule that colours it, "" for none
    units_reported: list[str] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)
    row: int = 0  # first 1-based row of its block in sheet 汇编
    units_not_reported: list[str] = field(default_factory=list)  # marked （未报送） in 责任单位
    overdue: bool = False  # past its own 完成时限 and under 100% on the as-of date (issue 13)


@dataclass
class CompileResult:
    """What `compile_workbook` wrote and the rates it computed."""

    path: Path
    as_of: dt.date
    expected: float
    rules: "RuleSet"
    tasks: list[TaskResult]
    counts: dict[str, int]  # status → number of tasks
    warnings: list[str] = field(default_factory=list)  # progress rows that could not be placed

    def task(self, task_id: str) -> TaskResult:
        for t in self.tasks:
            if t.task_id == task_id:
                return t
        raise KeyError(task_id)
