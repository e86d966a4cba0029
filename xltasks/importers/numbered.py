"""Layout `numbered` (seed 003): attachments with "N.text" tasks each followed by "责任单位:…".

    附件1                               (attachment = section; its title may wrap over several lines)
    一、王纲市长牵头重点工作             (leader group; numbering restarts in every group)
    1.<text>
    责任单位:<units>
    附件3 … 一、<title>(N个子项)。<sub-item>;<sub-item>   (民生实事: an item with sub-items)

Everything before the first "附件N" line is the covering letter (its "附件:1.…" list is not a task list).
"""
from __future__ import annotations

import re

from ..core.models import Register
from ..core.units import cn_to_int, parse_units
from .build import Builder
from .text import CN_NUM, clean, leader_from_group, read_lines

ATTACHMENT = re.compile(r"^附件\s*(\d+)\s*$")
CN_ITEM = re.compile(r"^([" + CN_NUM + r"]+)\s*、\s*(.+)$")
TASK = re.compile(r"^(\d{1,4})\s*([*＊]?)\s*[.．、]\s*(.+)$")
UNITS = re.compile(r"^(责任单位|牵头单位|责任部门|牵头部门|承办单位)\s*[:：]\s*(.*)$")
SUPPORT = re.compile(r"^(配合单位|协办单位|配合部门)\s*[:：]\s*(.*)$")
SUBITEMS = re.compile(r"^(?P<title>.*?)[(（]\s*(?P<n>\d+)\s*个子项\s*[)）]\s*[。.]?\s*(?P<body>.*)$")


def _subitems(body: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"[;；]", body)]
    parts = [p for p in parts if p]
    if parts:
        parts[-1] = parts[-1].rstrip("。.")
    return parts


def parse(text: str, source: str) -> Register:
    b = Builder(source=source, layout="numbered")
    rows = [(i + 1, clean(raw)) for i, raw in enumerate(read_lines(text))]
    rows = [(n, c) for n, c in rows if c]
    start = next((k for k, (_, c) in enumerate(rows) if ATTACHMENT.match(c)), None)
    if start is None:  # no attachments: start at the first group or task line
        start = next((k for k, (_, c) in enumerate(rows)
                      if (CN_ITEM.match(c) and "牵头" in c) or TASK.match(c)), None)
        if start is None:
            return b.finish(text)
    if start:
        b.warn(f"已跳过第一个附件之前的 {start} 行(通知正文)", rows[0][0])

    title_lines: list[str] | None = None  # collecting a wrapped attachment title
    attach_no = ""
    task: dict | None = None

    def flush_title() -> None:
        nonlocal title_lines
        if title_lines is not None:
            b.section(f"附件{attach_no} " + "".join(title_lines) if title_lines else f"附件{attach_no}")
            title_lines = None

    def flush_task(units_text: str | None = None, support: str | None = None) -> None:
        nonlocal task
        if task is None:
            return
        if units_text is None and not task.get("units"):
            b.warn(f"任务 {task['no']} 之后没有“责任单位”行", task["line"])
        raw = task.get("units") or ""
        if task.get("support"):
            raw = f"{raw},{task['support']}" if raw else task["support"]
        units = parse_units(raw)
        units.raw = task.get("units_printed") or raw
        b.add(no=task["no"], starred=task["starred"], text=task["text"], units=units, line=task["line"],
              subitems=task.get("subitems"), leader=task.get("leader"), units_line=task.get("units_line", 0))
        task = None

    last_no = 0
    for n, c in rows[start:]:
        m_att = ATTACHMENT.match(c)
        m_units = UNITS.match(c)
        m_sup = SUPPORT.match(c)
        m_task = TASK.match(c)
        if m_task and m_task.group(3)[0].isdigit() and int(m_task.group(1)) not in (1, last_no + 1):
            m_task = None  # "3.2021年度…" or "12.5亿元…": a decimal, not task number 3 or 12
        m_cn = CN_ITEM.match(c)
        if m_att:
            if task:
                flush_task()
            flush_title()
            attach_no = m_att.group(1)
            title_lines = []
        elif m_units or m_sup:
            flush_title()
            if task is None:
                b.warn(f"没有对应任务的单位行: {c}", n)
            elif m_units:
                if task.get("units"):
                    b.warn(f"任务 {task['no']} 有多个“责任单位”行, 已合并", n)
                    task["units"] += "," + m_units.group(2)
                    task["units_printed"] += "\n" + c
                else:
                    task["units"] = m_units.group(2)
                    task["units_printed"] = m_units.group(2)
                    task["units_line"] = n
            else:
                task["support"] = m_sup.group(2)
                task["units_printed"] = (task.get("units_printed", "") + "\n" + c).strip()
        elif m_cn and "牵头" in m_cn.group(2) and not SUBITEMS.match(m_cn.group(2)):
            if task:
                flush_task()
            flush_title()
            b.group(c, leader_from_group(c))
        elif m_cn:
            # 民生实事: "一、<title>(N个子项)。<a>;<b>" is itself a task, outside any leader group
            if task:
                flush_task()
            flush_title()
            b.end_group()
            body = m_cn.group(2)
            subs: list[str] = []
            ms = SUBITEMS.match(body)
            if ms:
                subs = _subitems(ms.group("body"))
                if len(subs) != int(ms.group("n")):
                    b.warn(f"民生实事写明 {ms.group('n')} 个子项, 实际分出 {len(subs)} 个", n)
            num = cn_to_int(m_cn.group(1))
            task = {"no": str(num) if num is not None else m_cn.group(1), "starred": False, "text": body,
                    "line": n, "subitems": subs, "leader": ""}
        elif m_task:
            if task:
                flush_task()
            flush_title()
            task = {"no": m_task.group(1), "starred": bool(m_task.group(2)), "text": m_task.group(3), "line": n}
            last_no = int(m_task.group(1))
        elif title_lines is not None:
            title_lines.append(c)
        elif task is not None and not task.get("units"):
            b.warn(f"任务 {task['no']} 的正文跨行, 已接续", n)
            task["text"] += c
        else:
            b.warn(f"无法归入任何任务的行: {c}", n)
    if task:
        flush_task()
    flush_title()
    return b.finish(text)
