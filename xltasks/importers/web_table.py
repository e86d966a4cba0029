"""Layout `web-table` (seed 000): a web page's table scraped one cell per line.

    一、<section>            序号 / 重点工作任务(…) / 责任单位     (header cells repeated per section)
    (一)<leader>牵头重点工作
    <no>[*]                  <text>        <units>        [省牵头单位:<province lead>]

Blank lines (also NBSP-only ones) separate cells. Everything before the first section is web chrome.
"""
from __future__ import annotations

import re

from ..core.models import Register
from ..core.units import parse_units, squash
from .build import Builder
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
    return s in _HEADER_WORDS or (len(s) <= 40 and s.startswith(_HEADER_PREFIXES) and not s.endswith("。"))


def parse(text: str, source: str) -> Register:
    b = Builder(source=source, layout="web-table")
    lines = read_lines(text)
    cells = [(i + 1, clean(raw)) for i, raw in enumerate(lines)]
    cells = [(n, c) for n, c in cells if c]
    first = next((k for k, (_, c) in enumerate(cells) if SECTION.match(c)), None)
    if first is None:
        return b.finish(text)
    if first:
        b.warn(f"已跳过第一个标题之前的 {first} 行(网页标题、导航等)", cells[0][0])

    pending: tuple[int, str, bool] | None = None  # (line, no, starred)
    content: list[tuple[int, str]] = []
    in_note = False

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
            text_line, text = rest[0]
            units_line, units_raw = rest[1] if len(rest) > 1 else (0, "")
            for n, c in rest[2:]:
                b.warn(f"无法归入任务 {no} 的行: {c}", n)
            b.add(no=no, starred=starred, text=text, units=parse_units(units_raw), line=line,
                  province_lead=province, units_line=units_line)
        pending, content = None, []

    for n, c in cells[first:]:
        m = NUMBER.match(c)
        if SECTION.match(c) and not NOTE.match(c):
            flush()
            in_note = False
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
            continue  # table header repeated in every section
        elif pending is not None:
            content.append((n, c))
        else:
            b.warn(f"无法归入任何任务的行: {c}", n)
    flush()
    return b.finish(text)
