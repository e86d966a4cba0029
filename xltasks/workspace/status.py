"""Where the year stands: per period, templates issued, returns, late returns, 汇编, 通报, and what to do next.

    ws.status()            → [PeriodStatus, …] for every period of xltasks.toml
    ws.status("2021Q3")    → [PeriodStatus] for that one
    status_lines(ws, statuses) → the Chinese text `xltasks status` prints; PeriodStatus.to_json() for --json
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from ..core.statuses import TASK_CLOSED, SubmissionStatus, TaskStatus
from .rounds import unit_rounds

@dataclass
class PeriodStatus:
    period: str
    label: str
    as_of: str
    deadline: str
    issued_at: str = ""  # latest templates run
    templates: int = 0
    assignments: int = 0
    prefilled: int = 0
    returns_in_folder: int = 0  # files now in PERIOD/returns/
    collected_at: str = ""
    files: int = 0
    accepted: int = 0
    rejected: int = 0
    units_reported: int = 0
    units_rejected: int = 0
    units_missing: int = 0
    late_units: list[str] = field(default_factory=list)
    compiled_at: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # task status → number, as the 汇编 says
    closed_here: list[str] = field(default_factory=list)  # tasks closed (销号) in this period
    bulletin: bool = False
    next_step: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def _returns_count(ws, period: str) -> int:
    folder = ws.returns_dir(period)
    if not folder.is_dir():
        return 0
    return sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))


def period_status(ws, period: str, today: dt.date | None = None) -> PeriodStatus:
    from .closures import closures

    p = ws.period(period)
    st = PeriodStatus(period=p.name, label=p.label, as_of=p.as_of.isoformat(), deadline=p.deadline.isoformat())
    row = ws.db.execute("SELECT at, templates, assignments, prefilled FROM issue_runs WHERE period=? "
                        "ORDER BY id DESC LIMIT 1", (p.name,)).fetchone()
    if row:
        st.issued_at, st.templates, st.assignments, st.prefilled = row
    st.returns_in_folder = _returns_count(ws, p.name)
    row = ws.db.execute("SELECT at, files, accepted, rejected FROM collect_runs WHERE period=? "
                        "ORDER BY id DESC LIMIT 1", (p.name,)).fetchone()
    if row:
        st.collected_at, st.files, st.accepted, st.rejected = row
        units = unit_rounds(ws, p.name)
        st.units_reported = sum(u["status"] == SubmissionStatus.REPORTED for u in units)
        st.units_rejected = sum(u["status"] == SubmissionStatus.REJECTED for u in units)
        st.units_missing = sum(u["status"] == SubmissionStatus.MISSING for u in units)
        st.late_units = [u["unit"] for u in units if u["late"]]
    row = ws.db.execute("SELECT at FROM compilations WHERE period=?", (p.name,)).fetchone()
    if row:
        st.compiled_at = row[0]
        found = dict(ws.db.execute("SELECT status, COUNT(*) FROM task_rates WHERE period=? GROUP BY status",
                                   (p.name,)))
        order = [*TaskStatus, TASK_CLOSED]
        st.counts = {s: found[s] for s in sorted(found, key=lambda s: order.index(s) if s in order else len(order))}
    st.closed_here = sorted(c.task_id for c in closures(ws).values() if c.period == p.name)
    st.bulletin = ws.bulletin_path(p.name).is_file()
    st.next_step = _next_step(ws, st, today or dt.date.today())
    return st


def _next_step(ws, st: PeriodStatus, today: dt.date) -> str:
    """What the office does next in this period: issue → collect → chase → compile → bulletin."""
    name = st.period
    if not ws.register_path.exists():
        return "导入责任分解：xltasks import 分解通知.docx"
    if not st.issued_at:
        return f"生成并下发模板：xltasks templates {name}"
    if not st.collected_at:
        if st.returns_in_folder:
            return f"收集报回文件：xltasks collect {name}"
        return f"等待各单位报送（截止 {st.deadline}），报回文件放入 {name}/returns/ 或用 xltasks receive {name} 文件"
    chased = any(ws.notices_dir(name).glob("*.txt")) if ws.notices_dir(name).is_dir() else False
    after_deadline = today > dt.date.fromisoformat(st.deadline)
    if (st.units_missing and after_deadline or st.units_rejected) and not chased:
        what = "，".join(x for x in (f"催报 {st.units_missing} 个未报送单位" if st.units_missing else "",
                                      f"{st.units_rejected} 个单位退回修改" if st.units_rejected else "") if x)
        return f"{what}：xltasks remind {name}；收到后再 xltasks collect {name}"
    if not st.compiled_at or st.collected_at > st.compiled_at:
        return f"编制汇编：xltasks compile {name}"
    if not st.bulletin:
        return f"写出督查通报：xltasks bulletin {name}"
    if st.units_missing or st.units_rejected:
        return f"本期已通报；补报的文件放入 {name}/returns/ 后可再 collect、compile、bulletin"
    return "本期已完成"


def workspace_status(ws, period: str | None = None) -> list[PeriodStatus]:
    names = [ws.period(period).name] if period else [p.name for p in ws.config.periods]
    return [period_status(ws, n) for n in names]


def status_lines(ws, statuses: list[PeriodStatus]) -> list[str]:
    from .config import CADENCES

    c = ws.config
    lines = [f"{c.title}（{c.year} 年，{CADENCES.get(c.cadence, c.cadence)}报送）", f"工作区：{ws.root}"]
    closed = ws.closures()
    if closed:
        lines.append(f"已销号任务：{len(closed)} 项")
    for st in statuses:
        lines.append("")
        lines.append(f"{st.period}（{st.label}，截至 {st.as_of}，报送截止 {st.deadline}）")
        if st.issued_at:
            extra = f"，其中 {st.prefilled} 份按往期报送预填" if st.prefilled else ""
            lines.append(f"  模板：已下发 {st.templates} 份（{st.assignments} 个任务分配{extra}），{st.issued_at[:16]}")
        else:
            lines.append("  模板：未下发")
        if st.collected_at:
            lines.append(f"  报回：收到文件 {st.files} 个（采用 {st.accepted}，退回 {st.rejected}）；单位 已报送 "
                         f"{st.units_reported}，有错误退回 {st.units_rejected}，未报送 {st.units_missing}")
            if st.late_units:
                shown = "、".join(st.late_units[:5]) + ("等" if len(st.late_units) > 5 else "")
                lines.append(f"  逾期报送：{len(st.late_units)} 个单位（{shown}）")
        elif st.returns_in_folder:
            lines.append(f"  报回：文件夹中有 {st.returns_in_folder} 个文件，尚未收集")
        else:
            lines.append("  报回：尚无")
        if st.compiled_at:
            counts = "，".join(f"{k} {v}" for k, v in st.counts.items() if v)
            lines.append(f"  汇编：已编制（{counts}），{st.compiled_at[:16]}")
        else:
            lines.append("  汇编：未编制")
        if st.closed_here:
            lines.append(f"  本期销号：{'、'.join(st.closed_here)}")
        lines.append(f"  通报：{'已写出' if st.bulletin else '未写出'}")
        lines.append(f"  下一步：{st.next_step}")
    return lines
