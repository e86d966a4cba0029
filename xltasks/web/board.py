"""What the office's pages show, derived from the period's last merge (collect's own result) and the
uploads recorded in the database: one row per unit for 报送情况, the figures of 总览, and the task statuses
(the 汇编's own computation, cached per merge)."""
from __future__ import annotations

import datetime as dt
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..core.statuses import TASK_CLOSED, FileStatus, SubmissionStatus, TaskStatus

STATE_LATE = "逾期"
# task statuses as the 汇编 shows them: the arithmetic's, and 已销号 for a task closed in an earlier period
TASK_STATUSES = (*TaskStatus, TASK_CLOSED)
LATE_RETURN = "逾期报送"


@dataclass
class FileLine:
    name: str  # as the unit named it (uploads) or as it lies in the returns folder
    received: str  # yyyy-mm-dd hh:mm
    status: str  # 采用 / 退回 / 已被替代
    errors: int
    warnings: int
    upload_id: int | None = None


@dataclass
class UnitRow:
    unit: str
    kind: str
    status: str  # 已报送 / 有错误退回 / 未报送 / 逾期
    late: bool  # the deciding return came after the deadline (逾期报送)
    tasks: int
    lead_tasks: int
    rows: int
    errors: int
    warnings: int
    received: str = ""
    files: list[FileLine] = field(default_factory=list)
    problems: list = field(default_factory=list)  # Problems of the deciding file

    @property
    def css(self) -> str:
        return {SubmissionStatus.REPORTED: "ok", SubmissionStatus.REJECTED: "bad", SubmissionStatus.MISSING: "missing", STATE_LATE: "late"}[self.status]


def deadline_passed(deadline: dt.date | None, when: dt.datetime) -> bool:
    return deadline is not None and when.date() > deadline


def _time_text(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M") if epoch else ""


def _received_text(unit_status, decider) -> str:
    """When the unit's deciding return came in: the workspace's receipt time, else the file's time."""
    received = getattr(unit_status, "received_at", "")
    if received:
        return received[:16].replace("T", " ")
    return _time_text(decider.mtime) if decider else ""


def unit_rows(web, period: str, result, now: dt.datetime | None = None) -> list[UnitRow]:
    """One row per unit of the period, from collect's result; upload names and ids from the database."""
    now = now or dt.datetime.now()
    deadline = web.site.period(period).deadline
    root = web.site.root
    uploads = {str(root / u.stored_path): u for u in web.store.uploads(period) if u.stored_path}
    by_unit: dict[str, list] = {}
    for f in result.files:
        if f.unit:
            by_unit.setdefault(f.unit, []).append(f)
    out = []
    for u in result.units:
        files = sorted(by_unit.get(u.unit, []), key=lambda f: f.mtime, reverse=True)
        lines = []
        for f in files:
            up = uploads.get(f.path.split("::", 1)[0])
            lines.append(FileLine(name=up.original_name if up else Path(f.path.replace("::", "/")).name,
                                  received=_time_text(f.mtime), status=FileStatus(f.status).label,
                                  errors=f.errors, warnings=f.warnings, upload_id=up.id if up else None))
        decider = next((f for f in files if f.path == u.file), None)
        late = bool(getattr(u, "late", False))  # the workspace's collect: received after the deadline
        status = u.status
        if status == SubmissionStatus.MISSING and deadline_passed(deadline, now):
            status = STATE_LATE
        out.append(UnitRow(unit=u.unit, kind=u.kind, status=status, late=late, tasks=u.tasks,
                           lead_tasks=u.lead_tasks, rows=u.rows, errors=u.errors, warnings=u.warnings,
                           received=_received_text(u, decider), files=lines,
                           problems=list(decider.problems) if decider else []))
    return out


def counts(rows: list[UnitRow]) -> dict[str, int]:
    out = {SubmissionStatus.REPORTED: 0, SubmissionStatus.REJECTED: 0, SubmissionStatus.MISSING: 0, STATE_LATE: 0}
    for r in rows:
        out[r.status] += 1
    out[LATE_RETURN] = sum(r.late for r in rows)
    out["received"] = sum(bool(r.files) for r in rows)
    return out


class AnalysisCache:
    """The task statuses of a period as of a date: the workspace's own compile (closed tasks, history and
    all) written to a scratch file, done once per merged register and date."""

    def __init__(self, web):
        self.web = web
        self._lock = threading.Lock()
        self._cache: dict[tuple, object] = {}

    def compiled(self, period: str, as_of: dt.date):
        from ..core.progress_io import read_progress

        merged = self.web.site.merged_path(period)
        if not merged.exists():
            return None
        key = (period, as_of, merged.stat().st_mtime_ns, id(self.web.site.register()))
        with self._lock:
            if key not in self._cache:
                progress = read_progress(merged)
                if not progress.rows:  # nothing accepted yet: no statuses to show (all would be 未报送)
                    return None
                with tempfile.TemporaryDirectory(prefix="xltasks-web-") as tmp:
                    self._cache = {k: v for k, v in self._cache.items() if k[:2] != key[:2]}
                    self._cache[key] = self.web.site.compile_preview(period, as_of, Path(tmp) / "汇编.xlsx")
            return self._cache[key]


def analysis_cache(web) -> AnalysisCache:
    return AnalysisCache(web)


def by_section(register, compiled) -> list[tuple[str, dict[str, int]]]:
    """(section, status → tasks) in register order: the 汇总's breakdown by section."""
    status = {t.task_id: t.status for t in compiled.tasks}
    out: dict[str, dict[str, int]] = {}
    for t in register.tasks:
        counts = out.setdefault(t.section or "（未分板块）", {s: 0 for s in TASK_STATUSES})
        if t.id in status:
            counts[str(status[t.id])] = counts.get(str(status[t.id]), 0) + 1
    return list(out.items())


def status_counts(compiled) -> list[tuple[str, int]]:
    if compiled is None:
        return []
    return [(s, compiled.counts.get(s, 0)) for s in TASK_STATUSES if s != TASK_CLOSED or compiled.counts.get(s)]


def as_of_for(site, period: str, today: dt.date | None = None) -> dt.date:
    p = site.period(period)
    today = today or dt.date.today()
    if p.as_of:
        return p.as_of
    return min(today, p.deadline) if p.deadline else today


def next_steps(site, period: str, templates_issued: bool, unit_counts: dict[str, int] | None,
               today: dt.date | None = None) -> list[tuple[str, str]]:
    """(text, link) of what the office should do next, in order."""
    today = today or dt.date.today()
    p = site.period(period)
    steps = []
    if not templates_issued:
        return [("生成并下发本期填报模板（含各单位的专属上传链接）", f"/issue?period={period}")]
    if unit_counts:
        chase = unit_counts[SubmissionStatus.MISSING] + unit_counts[STATE_LATE]
        if unit_counts[SubmissionStatus.REJECTED]:
            steps.append((f"{unit_counts[SubmissionStatus.REJECTED]} 个单位的报送表有错误被退回：发出退回修改通知",
                          f"/returns?period={period}#remind"))
        if chase:
            steps.append((f"{chase} 个单位尚未报送：发出催报通知", f"/returns?period={period}#remind"))
    if p.deadline and today >= p.deadline or unit_counts and not (
            unit_counts[SubmissionStatus.MISSING] + unit_counts[STATE_LATE] + unit_counts[SubmissionStatus.REJECTED]):
        steps.append(("编制本期完成情况汇编和督查通报", f"/compile?period={period}"))
    if not steps:
        steps.append(("等待各单位报送；报送情况页面会随时更新", f"/returns?period={period}"))
    return steps
