"""Layout `labelled`: tasks whose units are named by words, in paragraphs (families 1–5 of issue 13).

    3.规上工业增加值增长10%以上。（责任领导：张明；牵头单位：区经信局；责任单位：区统计局、各镇街）   inline fields
    5.推进老旧小区改造。 / 牵头单位：区住建局 / 配合单位：…                                   label lines
    （一）加大宏观政策实施力度。（国家发展改革委牵头，财政部按职责分工负责，年内持续推进）        role phrases
    6.建设未来社区。【牵头单位：区住建局；配合单位：区发改局】                                 brackets
    一、总体要求 …notice text… 二、重点任务 （一）…  责任单位：…                            numbered targets

A numbered line (1. 1、 （1） (一) 一、 ① 附件N) or a paragraph ending in a role phrase starts an item;
label lines and wrapped lines belong to the item above them. An item that ends up with units (or any
label) is a task; one without is a heading: the outermost kind of heading is a section, deeper ones are
groups (their leader read from "…副市长牵头…"). Headings that no task follows — the notice's own
一、二、三 — leave no trace.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.models import Register
from ..core.units import cn_to_int
from .build import Builder
from .fields import LABEL_LINE, Roles, roles_from_fields, split_labelled, trailing_roles, unwrap
from .text import CN_NUM, clean, leader_from_group, read_lines

# (kind, pattern) in order of depth: a shallower kind of heading is a section, a deeper one a group.
_NUMBERING: tuple[tuple[str, re.Pattern], ...] = (
    ("attachment", re.compile(r"^附件\s*(\d+)\s*()$")),
    ("cn", re.compile(r"^([" + CN_NUM + r"]{1,6})\s*、\s*()(.+)$")),
    ("paren_cn", re.compile(r"^[（(]\s*([" + CN_NUM + r"]{1,6})\s*[)）]\s*()(.+)$")),
    ("arabic", re.compile(r"^(\d{1,3})\s*([*＊]?)\s*[.．、]\s*(.+)$")),
    ("paren_arabic", re.compile(r"^[（(]\s*(\d{1,3})\s*[)）]\s*()(.+)$")),
    ("circled", re.compile(r"^([\u2460-\u2473])\s*()(.+)$")),
)
DEPTH = {kind: k for k, (kind, _p) in enumerate(_NUMBERING)}
_CONTINUES = "、，,；;"


@dataclass
class Item:
    kind: str  # a _NUMBERING kind, or "para" for an unnumbered paragraph ending in a role phrase
    no: str
    starred: bool
    line: int
    text: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    roles: Roles | None = None
    units_line: int = 0
    printed: str = ""  # the numbered line as printed (a heading's title)

    @property
    def is_task(self) -> bool:
        return self.roles is not None or bool(self.fields)

    def title(self) -> str:
        return self.printed or (self.text[0] if self.text else "")


def _number(kind: str, raw: str) -> str:
    if kind == "circled":
        return str(ord(raw) - 0x245F)
    num = cn_to_int(raw)
    return str(num) if num is not None else raw


def _match_numbered(c: str, last_arabic: int) -> tuple[str, re.Pattern, re.Match] | None:
    for kind, pat in _NUMBERING:
        m = pat.match(c)
        if not m:
            continue
        if kind == "arabic" and m.group(3)[:1].isdigit() and int(m.group(1)) not in (1, last_arabic + 1):
            return None  # "3.2021年度…", "12.5亿元…": a decimal, not task number 3 or 12
        return kind, pat, m
    return None


def _inline(item: Item, text: str, people: frozenset[str]) -> None:
    """Inline fields or a trailing role phrase on the item's own line."""
    found = trailing_roles(text, people)
    if found:
        body, roles = found
        item.text.append(body)
        item.roles = roles
        return
    before, fields_ = split_labelled(text)
    if fields_ and before.strip():
        item.text.append(before.rstrip(" ；;，,"))
        item.fields += fields_
        item.units_line = item.line
    else:
        item.text.append(text)


def _reparse(item: Item, people: frozenset[str]) -> None:
    """A task line wrapped over several lines (a PDF's text) ends in its role phrase only when joined."""
    joined = "".join(item.text)
    probe = Item(item.kind, item.no, item.starred, item.line)
    _inline(probe, joined, people)
    if probe.roles is not None or probe.fields:
        item.text, item.roles, item.fields = probe.text, probe.roles, probe.fields
        item.units_line = item.units_line or item.line


def read_items(lines: list[tuple[int, str]], unmatched: list[tuple[int, str]]) -> list[Item]:
    items: list[Item] = []
    current: Item | None = None
    last_arabic = 0
    continuing_label = False
    people: frozenset[str] = frozenset()
    wrapped_label = False  # the line before was a label line: a short line after it may be its tail
    for n, c in lines:
        label = LABEL_LINE.match(c)
        if not label and wrapped_label and (c.endswith(("。", "：", ":")) or len(c) > 60):
            wrapped_label = False
        numbered = None if label else _match_numbered(c, last_arabic)
        if label:
            if current is None:
                unmatched.append((n, c))
                continue
            _before, fields_ = split_labelled(unwrap(c))
            current.fields += fields_
            current.units_line = current.units_line or n
            continuing_label = c.rstrip().endswith(tuple(_CONTINUES))
            wrapped_label = True
        elif numbered:
            kind, _pat, m = numbered
            current = Item(kind, _number(kind, m.group(1)), bool(m.group(2)), n, printed=c)
            if kind == "arabic":
                last_arabic = int(m.group(1))
            if kind == "attachment":
                current.text.append(c)
            else:
                _inline(current, m.group(3), people)
            items.append(current)
            continuing_label = wrapped_label = False
        elif trailing_roles(c, people):
            current = Item("para", "", False, n)
            _inline(current, c, people)
            items.append(current)
            continuing_label = wrapped_label = False
        elif current is not None and current.fields and (continuing_label or wrapped_label):
            kind, value = current.fields[-1]
            # a unit list wrapped after its 、 (the 、 was trimmed), or inside a name (a PDF's line end)
            current.fields[-1] = (kind, value + ("、" if continuing_label else "") + c)
            continuing_label = c.rstrip().endswith(tuple(_CONTINUES))
        elif current is not None and not current.is_task and current.kind != "attachment":
            current.text.append(c)  # a wrapped task text, or the notice's paragraph under a heading
            if len(current.text) > 1:
                _reparse(current, people)
        else:
            unmatched.append((n, c))
        if current is not None and current.roles is not None:
            people = people | frozenset(current.roles.leaders)
    return items


def parse(text: str, source: str) -> Register:
    b = Builder(source=source, layout="labelled")
    rows = [(i + 1, clean(raw)) for i, raw in enumerate(read_lines(text))]
    rows = [(n, c) for n, c in rows if c]
    unmatched: list[tuple[int, str]] = []
    items = read_items(rows, unmatched)
    heading_kinds = [it.kind for it in items if not it.is_task]
    section_depth = min((DEPTH[k] for k in heading_kinds if k in DEPTH), default=-1)
    section, group = "", ""
    emitted_section, emitted_group = None, None
    for it in items:
        if not it.is_task:
            title = it.title()
            if it.kind == "attachment" or DEPTH.get(it.kind) == section_depth:
                section, group = title, ""
            elif it.kind in DEPTH:
                group = title
            continue
        if section != emitted_section:
            if section:
                b.section(section)
            emitted_section, emitted_group = section, None
        if group != emitted_group:
            if group:
                b.group(group, leader_from_group(group) if "牵头" in group else "")
            else:
                b.end_group()
            emitted_group = group
        roles = roles_from_fields(it.fields, it.roles, frozenset(b.people))
        b.add(no=it.no, starred=it.starred, text="".join(it.text), roles=roles, line=it.line,
              units_line=it.units_line or it.line)
    for n, c in unmatched:
        b.warn(f"无法归入任何任务的行: {c}", n)
    return b.finish(text)
