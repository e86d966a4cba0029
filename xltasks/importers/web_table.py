"""Layout `web-table` (seed 000): a web page's table scraped one cell per line.

    一、<section>            序号 / 重点工作任务(…) / 责任单位     (header cells repeated per section)
    (一)<leader>牵头重点工作
    <no>[*]                  <text>        <units>        [省牵头单位:<province lead>]

Blank lines (also NBSP-only ones) separate cells. Everything before the first section is web chrome.
The header cells name the columns (any of 工作任务 / 责任领导 / 牵头单位 / 配合单位 / 责任单位 / 完成时限);
a scrape drops empty cells, so a cell that reads as a deadline or as people goes to that column, the
others to the remaining columns in order.
"""
from __future__ import annotations

import re

from ..core.models import Register
from ..core.textkeys import squash
from .build import Builder
from .header import (ROLE_DEADLINE, ROLE_LEADER, ROLE_NO, ROLE_NOTE, ROLE_SECTION, ROLE_TEXT, ROLE_UNITS,
                     column_role)
from .names import looks_like_deadline, looks_like_person
from .table import cell_roles
from .text import CN_NUM, clean, leader_from_group, read_lines

SECTION = re.compile(r"^[" + CN_NUM + r"]+\s*、\s*\S")
GROUP = re.compile(r"^[(（][" + CN_NUM + r"]+[)）]\s*\S")
NUMBER = re.compile(r"^(\d{1,4})\s*([*＊]?)$")
PROVINCE = re.compile(r"^省(牵头|责任)单位\s*[:：]\s*(.*)$")
NOTE = re.compile(r"^(备注|注)\s*[:：]")
_HEADER_WORDS = ("序号", "责任单位", "牵头单位", "配合单位", "牵头领导", "责任领导")
_HEADER_PREFIXES = ("重点工作任务", "重点工作", "工作任务")


def is_header_cell(line: str) -> bool:
    s = squash(line)
    if s in _HEADER_WORDS or (len(s) <= 40 and s.startswith(_HEADER_PREFIXES) and not s.endswith("。")):
        return True
    return len(s) <= 8 and column_role(s) not in (None, ROLE_UNITS) or s in ("责任单位", "牵头单位", "配合单位")


def assign_cells(cells: list[str], slots: list[str]) -> tuple[dict[str, str], list[str]]:
    """The content cells after a task's number → {column role: cell}, and the cells left over."""
    out: dict[str, str] = {}
    rest = [r for r in slots[1:] if r not in (ROLE_SECTION,)]
    extra: list[str] = []
    for c in cells[1:]:
        people = all(looks_like_person(x) for x in re.split(r"[、,，;；\s]+", c) if x)
        if ROLE_DEADLINE in rest and looks_like_deadline(c):
            role = ROLE_DEADLINE
        elif ROLE_LEADER in rest and people:
            role = ROLE_LEADER
        else:
            role = next((r for r in rest if r not in (ROLE_DEADLINE, ROLE_LEADER)), None)
        if role is None:
            extra.append(c)
            continue
        out[role] = c
        rest = rest[rest.index(role) + 1:] if role not in (ROLE_DEADLINE, ROLE_LEADER) else \
            [r for r in rest if r != role]
    return out, extra


def parse(text: str, source: str) -> Register:
    b = Builder(source=source, layout="web-table")
    lines = read_lines(text)
    cells = [(i + 1, clean(raw)) for i, raw in enumerate(lines)]
    cells = [(n, c) for n, c in cells if c]
    first = next((k for k, (_, c) in enumerate(cells) if SECTION.match(c)), None)
    if first is None:  # a table without sections starts at its header
        first = next((k for k, (_, c) in enumerate(cells) if squash(c) == "序号"), None)
    if first is None:
        return b.finish(text)
    if first:
        b.warn(f"已跳过第一个标题之前的 {first} 行(网页标题、导航等)", cells[0][0])

    pending: tuple[int, str, bool] | None = None  # (line, no, starred)
    content: list[tuple[int, str]] = []
    in_note = False
    header: list[str] = []  # the header cells of the current section
    slots = [ROLE_TEXT, ROLE_UNITS]

    def flush() -> None:
        nonlocal pending, content
        if pending is None:
            return
        line, no, starred = pending
        province, rest = "", []
        for n, c in content:
            m = PROVINCE.match(c)
            if m:
                province = m.group(2).strip()
            else:
                rest.append((n, c))
        if not rest:
            b.warn(f"序号 {no} 之后没有任务内容, 已忽略", line)
        else:
            text = rest[0][1]
            cells, extra = assign_cells([c for _n, c in rest], slots)
            units_line = rest[1][0] if len(rest) > 1 else 0
            for c in extra:
                b.warn(f"无法归入任务 {no} 的行: {c}", next(n for n, x in rest if x == c))
            roles = cell_roles(cells, frozenset(b.people))
            b.add(no=no, starred=starred, text=text, roles=roles, line=line, province_lead=province,
                  units_line=units_line, leader=roles.leaders and "、".join(roles.leaders) or None)
        pending, content = None, []

    for n, c in cells[first:]:
        m = NUMBER.match(c)
        if SECTION.match(c) and not NOTE.match(c):
            flush()
            in_note = False
            header = []  # each section repeats the header
            b.section(c)
        elif GROUP.match(c) and "牵头" in c:
            flush()
            in_note = False
            b.group(c, leader_from_group(c))
        elif m:
            flush()
            in_note = False
            pending = (n, m.group(1), bool(m.group(2)))
        elif NOTE.match(c):
            flush()
            in_note = True
            b.warn(f"备注(不是任务): {c}", n)
        elif in_note:
            b.warn(f"备注(不是任务): {c}", n)
        elif pending is None and is_header_cell(c):
            header.append(c)  # table header repeated in every section
            roles = [column_role(x) for x in header]
            slots = [r for r in roles if r and r not in (ROLE_NO, ROLE_NOTE)] or [ROLE_TEXT, ROLE_UNITS]
            continue
        elif pending is not None:
            content.append((n, c))
        else:
            b.warn(f"无法归入任何任务的行: {c}", n)
    flush()
    return b.finish(text)
