"""Shared assembly of a Register from what a layout parser found: ids, unit table, warnings."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.fileio import sha256_bytes
from ..core.models import ROLE_LEAD, Register, SourceInfo, Task, Unit, Warning_
from ..core.units import UnitList, classify_paren, unit_kind
from ..core.xlsx import EXCEL_CELL_LIMIT, clean_text
from .fields import Roles
from .names import deadline_date, why_not_unit


UNPLACED = "无法归入"  # how every layout's warning about a line it could not place begins


@dataclass
class _Draft:
    sec: int  # section ordinal, 0 when the document has none
    grp: int  # group ordinal within its section, 0 when none
    task: Task


@dataclass
class Builder:
    """Collects sections, groups and tasks in document order; `finish` assigns ids and counts units."""

    source: str
    layout: str
    drafts: list[_Draft] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    groups: int = 0
    _section_title: str = ""
    _group_title: str = ""
    _group_leader: str = ""
    _grp_in_sec: int = 0
    people: set[str] = field(default_factory=set)  # leaders named so far: never units

    def warn(self, message: str, line: int = 0) -> None:
        self.warnings.append(Warning_(message=message, source=self.source, line=line))

    def section(self, title: str) -> None:
        self.sections.append(title)
        self._section_title = title
        self._group_title = ""
        self._group_leader = ""
        self._grp_in_sec = 0

    def group(self, title: str, leader: str) -> None:
        self.groups += 1
        self._grp_in_sec += 1
        self._group_title = title
        self._group_leader = leader
        self.people.update(x for x in leader.split("、") if x)

    def end_group(self) -> None:
        """Leave the current group (e.g. 003 附件3 after the key tasks)."""
        self._group_title = ""
        self._group_leader = ""

    def add(self, *, no: str, text: str, line: int, units: UnitList | None = None, roles: Roles | None = None,
            starred: bool = False, leader: str | None = None, province_lead: str = "",
            subitems: list[str] | None = None, units_line: int = 0, deadline: str = "") -> Task:
        """One task. `units` is a printed list where position decides the lead; `roles` what words said."""
        roles = roles if roles is not None else self._roles_of(units or UnitList(raw=""))
        for name, reason in roles.rejected:
            self.warn(f"“{name}”不是单位名称({reason}), 未计入责任单位", units_line or line)
        if leader is None and roles.leaders:
            leader = "、".join(roles.leaders)
        leader = self._group_leader if leader is None else leader
        leaders = roles.leaders or [x for x in leader.split("、") if x]
        self.people.update(leaders)
        listed = roles.all_units()
        lead_units = roles.lead_units()
        printed_deadline = roles.deadline or deadline
        task = Task(
            id="", section=self._section_title, group=self._group_title, leader=leader, no=no, text=text,
            units=listed, lead_unit=lead_units[0] if lead_units else "", starred=starred,
            supporting_only=roles.supporting_only, province_lead=province_lead or roles.province,
            subitems=list(subitems or []), source_line=line, units_raw=units.raw if units else roles.raw,
            unit_tiers=[list(t) for t in roles.tiers], deadline=printed_deadline,
            deadline_date=deadline_date(printed_deadline), leaders=leaders, lead_units=lead_units,
            co_units=roles.co_units(),
        )
        for note in roles.notes:
            self.warn(f"责任单位中的说明已从单位名单中移除: {note}", units_line or line)
        for dup in (units.duplicates if units else []):
            self.warn(f"同一任务中单位重复列出, 只计一次: {dup}", units_line or line)
        if not listed:
            self.warn(f"任务 {no} 没有责任单位", line)
        if len(text) > EXCEL_CELL_LIMIT and len(clean_text(text)[0]) > EXCEL_CELL_LIMIT:
            # the register (JSON) keeps it whole; register.xlsx and the templates can hold only the limit
            self.warn(f"任务文字超过 Excel 单元格上限 {EXCEL_CELL_LIMIT} 字，表格中将截断", line)
        grp = self._grp_in_sec if self._group_title else 0
        self.drafts.append(_Draft(len(self.sections), grp, task))
        return task

    def _roles_of(self, units: UnitList) -> Roles:
        """A printed list without role words: every name a unit unless it cannot be one."""
        roles = Roles(raw=units.raw, supporting_only=units.supporting_only, notes=list(units.notes))
        for tier in units.tiers:
            kept = []
            for name in tier:
                reason = why_not_unit(name, frozenset(self.people))
                if reason:
                    roles.rejected.append((name, reason))
                elif name not in roles.units:
                    kept.append(name)
                    roles.units.append(name)
            if kept:
                roles.tiers.append(kept)
        return roles

    def _drop_duplicates(self) -> None:
        """A decomposition pasted twice: the same number and text in the same section is imported once."""
        seen: set[tuple[str, str, str]] = set()
        kept: list[_Draft] = []
        dropped_secs: dict[int, int] = {}
        for d in self.drafts:
            key = (d.task.section, d.task.no, d.task.text)
            if key in seen:
                self.warn(f"重复的任务(同一部分、同一序号和内容), 只导入一次: {d.task.no} {d.task.text[:30]}",
                          d.task.source_line)
                dropped_secs[d.sec] = dropped_secs.get(d.sec, 0) + 1
                continue
            seen.add(key)
            kept.append(d)
        if len(kept) == len(self.drafts):
            return
        kept_secs = {d.sec for d in kept}
        gone = [s for s in dropped_secs if s not in kept_secs and s > 0]
        for s in sorted(gone, reverse=True):
            del self.sections[s - 1]
        kept_groups = {(d.sec, d.grp) for d in kept}
        self.groups -= len({(d.sec, d.grp) for d in self.drafts if d.grp} - kept_groups)
        remap = {old: new for new, old in enumerate(sorted(kept_secs), start=1 if 0 not in kept_secs else 0)}
        for d in kept:
            d.sec = remap[d.sec]
        self.drafts = kept

    def finish(self, text_for_hash: str = "") -> Register:
        self._drop_duplicates()
        tasks = _assign_ids(self.drafts, self)
        reg = Register(source=self.source, layout=self.layout, tasks=tasks, warnings=self.warnings)
        reg.units = build_units(tasks, reg.warnings, self.source)
        reg.sources = [SourceInfo(
            path=self.source, sha256=sha256_bytes(text_for_hash.encode("utf-8")),
            layout=self.layout, tasks=len(tasks), sections=len(self.sections), groups=self.groups)]
        return reg


def _assign_ids(drafts: list[_Draft], b: Builder) -> list[Task]:
    """Join the ordinals of the levels at which numbering restarts: "4.151", "1.2.3", "83"."""
    has_sections = any(d.sec for d in drafts)
    # Numbering restarts per group inside a section when a number repeats within that section.
    seen: dict[int, set[str]] = {}
    restart_in_group: set[int] = set()
    for d in drafts:
        s = seen.setdefault(d.sec, set())
        if d.task.no in s and d.grp:
            restart_in_group.add(d.sec)
        s.add(d.task.no)
    used: set[str] = set()
    running: dict[tuple[int, int], int] = {}
    out = []
    for d in drafts:
        key = (d.sec, d.grp if d.sec in restart_in_group else 0)
        running[key] = running.get(key, 0) + 1
        no = d.task.no if d.task.no.isascii() and d.task.no.isdigit() else str(running[key])
        parts = ([str(d.sec)] if has_sections else []) + ([str(d.grp)] if d.sec in restart_in_group else []) + [no]
        tid = ".".join(parts)
        if tid in used:
            k = 2
            while f"{tid}-{k}" in used:
                k += 1
            b.warn(f"任务编号 {tid} 重复, 改记为 {tid}-{k}", d.task.source_line)
            tid = f"{tid}-{k}"
        used.add(tid)
        d.task.id = tid
        out.append(d.task)
    return out


def build_units(tasks: list[Task], warnings: list[Warning_] | None = None, source: str = "") -> list[Unit]:
    """One Unit per distinct printed name, in order of first appearance, with task counts."""
    units: dict[str, Unit] = {}
    for t in tasks:
        for name in t.units:
            u = units.get(name)
            if u is None:
                u = units[name] = Unit(name=name, kind=unit_kind(name))
            u.tasks += 1
            if t.role_of(name) == ROLE_LEAD:
                u.lead_tasks += 1
    if warnings is not None:
        # The same pair printed both ways round (市安委办(市应急管理局) / 市应急管理局(市安委办)): worth a look.
        pairs: dict[frozenset, list[str]] = {}
        for name in units:
            info = classify_paren(name)
            if info:
                pairs.setdefault(frozenset((info.base, info.inner)), []).append(name)
        for names in pairs.values():
            if len(names) > 1:
                warnings.append(Warning_(
                    message="同一对单位以不同写法出现, 按原样分列: " + " / ".join(names), source=source))
    return list(units.values())
