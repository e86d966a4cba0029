"""Who does a task and by when, from the words a decomposition uses: labelled fields and role phrases.

    责任领导：张明；牵头单位：区经信局、区发改局；责任单位：区统计局、各镇街；完成时限：2021年6月底前
    国家发展改革委牵头，财政部、自然资源部按职责分工负责，年内持续推进          (分工意见 style)
    市财政局负责 / 各部门分别负责 / 市文化广电旅游局配合落实

Roles named by words override position: units after 牵头单位 (or before 牵头) lead, however many; where no
word says who leads, the first listed unit does (the notices' own rule: 列第一位者为牵头单位或汇总单位).
People (责任领导, 分管领导…) are never units; a fragment that is no plausible unit name is `rejected` with
its reason, for the importer to warn about.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.units import UnitList, parse_units
from ..core.textkeys import squash
from .names import looks_like_deadline, why_not_unit

KIND_LEADER = "leader"
KIND_LEAD = "lead"
KIND_CO = "co"
KIND_UNITS = "units"
KIND_PROVINCE = "province"
KIND_DEADLINE = "deadline"
KIND_NOTE = "note"

_LABELS: dict[str, str] = {
    **dict.fromkeys(("责任领导", "分管领导", "牵头领导", "联系领导", "责任市领导", "牵头市领导", "分管市领导",
                     "责任区领导", "牵头区领导", "分管区领导", "市领导", "区领导", "县领导", "领导"), KIND_LEADER),
    **dict.fromkeys(("牵头单位", "牵头部门", "主办单位", "牵头责任单位", "汇总单位", "牵头"), KIND_LEAD),
    **dict.fromkeys(("配合单位", "协办单位", "配合部门", "协同单位", "参与单位", "协助单位", "配合"), KIND_CO),
    **dict.fromkeys(("责任单位", "责任部门", "承办单位", "实施单位", "责任主体", "主要责任单位", "责任处室",
                     "主责单位"), KIND_UNITS),
    **dict.fromkeys(("省牵头单位", "省责任单位", "省级牵头单位", "省配合单位"), KIND_PROVINCE),
    **dict.fromkeys(("完成时限", "完成时间", "时间节点", "时限要求", "完成期限", "时间要求", "时限", "进度安排"),
                    KIND_DEADLINE),
    **dict.fromkeys(("备注", "说明"), KIND_NOTE),
}
_LABEL_ALT = "|".join(sorted(map(re.escape, _LABELS), key=len, reverse=True))
LABEL = re.compile(rf"(?<![\u4e00-\u9fff])(?P<label>{_LABEL_ALT})\s*[:：]\s*")
LABEL_LINE = re.compile(rf"^\s*[【\[(（]?\s*(?P<label>{_LABEL_ALT})\s*[:：]")
_TRIM = " \t\u3000\u00a0;；,，。.、【】[]"

_LEAD_VERB = re.compile(r"^(?:由)?(?P<who>.+?)(?:牵头负责|牵头落实|牵头抓总|牵头)$")
_RESP_VERB = re.compile(r"^(?:由)?(?P<who>.+?)(?:按职责分工负责|按职责分工落实|按职责负责|按职能分工负责|分别负责|"
                        r"共同负责|负责落实|具体负责|负责)$")
_CO_VERB = re.compile(r"^(?:由)?(?P<who>.+?)(?:按职责分工配合|配合落实|配合实施|协助落实|参与落实|参与|配合|协助|协办)$")


@dataclass
class Roles:
    """The roles one task's words give; `units` are listed without words (position decides)."""

    leaders: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    tiers: list[list[str]] = field(default_factory=list)
    province: str = ""
    deadline: str = ""
    note: str = ""
    supporting_only: bool = False
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (fragment, reason)
    notes: list[str] = field(default_factory=list)  # convention notes removed from a list
    raw: str = ""

    @property
    def found(self) -> bool:
        return bool(self.lead or self.units or self.co)

    def all_units(self) -> list[str]:
        return list(dict.fromkeys(self.lead + self.units + self.co))

    def lead_units(self) -> list[str]:
        """Words first; else the first listed (also under 配合落实: it still compiles the report)."""
        if self.lead:
            return list(self.lead)
        listed = self.all_units()
        return listed[:1]

    def co_units(self) -> list[str]:
        leads = set(self.lead_units())
        return [u for u in self.all_units() if u not in leads]

    def add_units(self, kind: str, value: str, people: frozenset[str] = frozenset()) -> None:
        self.add_list(kind, parse_units(value.strip(_TRIM)), people)

    def add_list(self, kind: str, parsed: UnitList, people: frozenset[str] = frozenset()) -> None:
        """Units of a parsed list under one role, each checked for being a plausible unit name."""
        self.notes += parsed.notes
        if parsed.supporting_only:
            self.supporting_only = True
        target = {KIND_LEAD: self.lead, KIND_CO: self.co}.get(kind, self.units)
        for tier in parsed.tiers:
            kept = []
            for name in tier:
                reason = why_not_unit(name, people | frozenset(self.leaders))
                if reason:
                    self.rejected.append((name, reason))
                elif name not in target:
                    kept.append(name)
                    target.append(name)
            if kept:
                self.tiers.append(kept)

    def add_leaders(self, value: str) -> None:
        for name in re.split(r"[、,，;；/\s]+", value.strip(_TRIM)):
            name = re.sub(r"(同志|副?(市|区|县|省)长|常委|秘书长)$", "", name)
            if name and name not in self.leaders:
                self.leaders.append(name)


_PAIRS = {"【": "】", "[": "]", "（": "）", "(": ")"}


def unwrap(line: str) -> str:
    """"【牵头单位：A；配合单位：B(C)】" → the text inside; a line not wrapped in brackets is kept whole
    (so the ")" closing a unit name such as "市商务局(市粮食和物资储备局)" stays)."""
    s = line.strip()
    if s and s[0] in _PAIRS and s.rstrip("。；;").endswith(_PAIRS[s[0]]):
        return s[1:].rstrip("。；;")[:-1]
    return s


def label_kind(label: str) -> str:
    return _LABELS.get(squash(label), "")


def split_labelled(text: str) -> tuple[str, list[tuple[str, str]]]:
    """"A。责任领导：张明；牵头单位：X" → ("A。", [("leader", "张明"), ("lead", "X")]): the text before
    the first label, and every label's kind with its value (up to the next label)."""
    matches = list(LABEL.finditer(text))
    if not matches:
        return text, []
    fields_: list[tuple[str, str]] = []
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        fields_.append((_LABELS[m.group("label")], text[m.end():end].strip(_TRIM)))
    return text[: matches[0].start()], fields_


def roles_from_fields(fields_: list[tuple[str, str]], roles: Roles | None = None,
                      people: frozenset[str] = frozenset()) -> Roles:
    roles = roles or Roles()
    for kind, value in fields_:
        if kind == KIND_LEADER:
            roles.add_leaders(value)
    for kind, value in fields_:
        if kind in (KIND_LEAD, KIND_CO, KIND_UNITS):
            roles.add_units(kind, value, people)
        elif kind == KIND_PROVINCE:
            roles.province = (roles.province + "、" + value).strip("、") if value else roles.province
        elif kind == KIND_DEADLINE:
            roles.deadline = roles.deadline or value
        elif kind == KIND_NOTE:
            roles.note = value
    roles.raw = "；".join(v for _k, v in fields_)
    return roles


def _split_clauses(s: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        if ch in ",，;；" and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip(_TRIM) for p in parts if p.strip(_TRIM)]


_ORGISH = re.compile(r"(局|委|办|厅|部|署|院|会|中心|公司|集团|政府|区|县|镇|街道|管委会|单位|部门|小组|指挥部|专班)"
                     r"([(（][^()（）]*[)）])?$")


def parse_phrase(text: str, people: frozenset[str] = frozenset()) -> Roles | None:
    """Roles from a 分工意见 phrase or labelled fields inside parentheses/brackets; None when the text
    says nothing about who does the task (an ordinary parenthesis such as "(2个子项)")."""
    inner = text.strip().strip(_TRIM)
    _before, labelled = split_labelled(inner)
    if labelled and not _before.strip(_TRIM):
        roles = roles_from_fields(labelled, people=people)
        return roles if roles.found or roles.leaders else None
    roles = Roles(raw=inner)
    said = False
    for clause in _split_clauses(inner):
        m_lead, m_resp, m_co = _LEAD_VERB.match(clause), _RESP_VERB.match(clause), _CO_VERB.match(clause)
        if looks_like_deadline(clause):
            roles.deadline = clause if not roles.deadline else roles.deadline + "，" + clause
        elif m_lead:
            roles.add_units(KIND_LEAD, m_lead.group("who"), people)
            said = True
        elif m_co and not m_co.group("who").endswith(("牵头",)):
            if clause.endswith(("配合落实", "协助落实")) and not (roles.lead or roles.units):
                roles.supporting_only = True
            roles.add_units(KIND_CO, m_co.group("who"), people)
            said = True
        elif m_resp:
            roles.add_units(KIND_CO if roles.lead else KIND_UNITS, m_resp.group("who"), people)
            said = True
        elif said and all(_ORGISH.search(x) for x in parse_units(clause).units):
            roles.add_units(KIND_CO, clause, people)  # a bare list after a role clause ("A牵头，B、C")
        else:
            return None  # a clause that is neither a role nor a deadline: not a role phrase
    return roles if said and roles.found else None


_CLOSERS = {"）": "（(", ")": "（(", "】": "【[", "]": "【["}


def last_group(line: str) -> tuple[str, str] | None:
    """"推进X。（A牵头，B(C)负责）。" → ("推进X。", "A牵头，B(C)负责"): the bracket group ending the line."""
    s = line.rstrip(" \t\u3000\u00a0。.；;")
    if not s or s[-1] not in _CLOSERS:
        return None
    depth = 0
    for i in range(len(s) - 1, -1, -1):
        ch = s[i]
        if ch in _CLOSERS:
            depth += 1
        elif ch in "（(【[":
            depth -= 1
            if depth == 0:
                return s[:i].rstrip(), s[i + 1:-1]
    return None


def trailing_roles(line: str, people: frozenset[str] = frozenset()) -> tuple[str, Roles] | None:
    """"推进X。（市发改委牵头，市财政局负责）" → ("推进X。", roles); None when the line ends in no role phrase."""
    found = last_group(line)
    if not found:
        return None
    roles = parse_phrase(found[1], people)
    if roles is None:
        return None
    return found[0], roles
