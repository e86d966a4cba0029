"""Validate one returned file: `check_file(source, ctx) -> FileResult`.

The checks themselves are data (checks/): structural checks in order, the file stopping at the first
that fails, then the value checks on every entry cell, all reported together. This module holds what
they are run with (`Context`: the register, the period, which unit was issued which tasks) and what
collect knows about each file afterwards (`FileResult`, in core/results.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core import layout as L
from ..core.directory import plan_recipients
from ..core.models import ROLE_SUPPORT, Register, Task
from ..core.results import FileResult
from ..core.statuses import FileStatus
from ..core.textkeys import squash as _norm
from .checks import Subject, run_checks, same_period  # noqa: F401 - same_period is part of this API
from .intake import Source

class UnitIndex:
    """Which tasks each recipient unit was issued, with its role (register + optional units directory)."""

    def __init__(self, register: Register, directory=None):
        self.register = register
        self.tasks_by_id: dict[str, Task] = {t.id: t for t in register.tasks}
        plan, _ = plan_recipients(register, directory)
        self.tasks: dict[str, list[Task]] = {
            r: [self.tasks_by_id[tid] for tid in issued] for r, issued in plan.items()}
        self.roles: dict[tuple[str, str], str] = {
            (r, tid): role for r, issued in plan.items() for tid, role in issued.items()}
        self.kind = {u.name: u.kind for u in register.units}
        self._by_norm = {_norm(u): u for u in self.tasks}

    def canonical(self, unit: str) -> str | None:
        if unit in self.tasks:
            return unit
        return self._by_norm.get(_norm(unit))

    def role(self, unit: str, task_id: str) -> str:
        return self.roles.get((unit, task_id), ROLE_SUPPORT)

    def units(self) -> list[str]:
        return list(self.tasks)


@dataclass
class Context:
    """What every file of one collect run is checked against: register, period, unit index."""

    register: Register
    period: str
    index: UnitIndex = None  # type: ignore[assignment]
    accepted_schemas: tuple[str, ...] = L.ACCEPTED_SCHEMA_VERSIONS
    password: str | None = None  # opens encrypted returns (decrypted in memory only)
    debug: bool = False  # print the traceback of an unexpected failure reading a file (`xltasks -v`)
    register_digest: str = ""  # register_io.register_digest of `register`, compared with each template's
    _proposals: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self):
        if self.index is None:
            self.index = UnitIndex(self.register)
        if not self.register_digest:
            from ..core.register_io import register_digest

            self.register_digest = register_digest(self.register)

    def proposals(self, task: Task) -> dict[str, float]:
        """Targets pre-filled in the template for a task (indicator name → target)."""
        if task.id not in self._proposals:
            try:
                from ..issuing.targets import propose_indicators

                self._proposals[task.id] = {_norm(p.name): p.target for p in propose_indicators(task.text)}
            except Exception:  # noqa: BLE001 - proposals are a hint; none is fine
                self._proposals[task.id] = {}
        return self._proposals[task.id]


def check_file(source: Source, ctx: Context) -> FileResult:
    """Validate one returned file; its rows are kept only when it has no error."""
    subject = Subject(source, ctx)
    saved_at = None
    try:
        problems = run_checks(subject)
        saved_at = subject.book.saved_at if subject.book is not None else None
    finally:
        if subject.book is not None:
            subject.book.close()
    result = FileResult(source.path, source.key, source.sha256, source.size, source.mtime, saved_at=saved_at,
                        unit=subject.unit, period=subject.period, template_id=subject.template_id,
                        identified=subject.identified, problems=problems)
    result.rows = subject.rows if result.valid else []
    result.status = FileStatus.ACCEPTED if result.valid else FileStatus.REJECTED
    return result
