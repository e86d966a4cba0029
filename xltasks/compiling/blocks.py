"""The 汇编's task blocks in pure Python, before any workbook: each task's 细化项目 in print order with their
indicator lines, rates and the text their cells will show, and the narrative columns joined across units."""
from __future__ import annotations

from dataclasses import dataclass

from ..core import layout, rates
from ..core.models import DIRECTION_QUALITATIVE, ProgressRow, Task


@dataclass
class Line:
    """One indicator row of a 细化项目 as the 汇编 prints it."""

    row: ProgressRow | None
    direction: str = ""
    current_cell: object = None  # what the 当前值 cell holds: a number, pending text or None
    rate: rates.Rate = None
    shown: object = None


@dataclass
class Item:
    """One unit's 细化项目 of a task, with its indicator lines and its rate."""

    unit: str
    text: str
    lines: list[Line]
    rate: rates.Rate = None


def line_of(r: ProgressRow, pending_as_zero: bool) -> Line:
    current_cell = (r.current_text.strip() or layout.PENDING_MARKERS[0]) if rates.is_pending(r) else r.current
    rate = rates.row_rate(r, pending_as_zero=pending_as_zero)
    shown = rate if r.direction == DIRECTION_QUALITATIVE else rates.shown_rate(
        rate, current_cell, pending_as_zero=pending_as_zero)
    return Line(row=r, direction=r.direction, current_cell=current_cell, rate=rate, shown=shown)


def items_of(task: Task, rows: list[ProgressRow], pending_as_zero: bool) -> list[Item]:
    """The task's 细化项目 in print order: lead unit first, then the register's order of units."""
    unit_order = {u: i for i, u in enumerate(task.units)}
    first_seen: dict[str, int] = {}
    for i, r in enumerate(rows):
        first_seen.setdefault(r.unit, i)
    units = sorted(first_seen, key=lambda u: (u != task.lead_unit, unit_order.get(u, len(unit_order)),
                                              first_seen[u]))
    items: list[Item] = []
    for unit in units:
        by_key: dict[tuple, Item] = {}
        order: list[tuple] = []
        for i, r in enumerate(rows):
            if r.unit != unit:
                continue
            key = rates.item_key(r)[1:]
            if key not in by_key:
                by_key[key] = Item(unit=unit, text=r.item, lines=[])
                order.append(key)
            by_key[key].lines.append(line_of(r, pending_as_zero))
        order.sort(key=lambda k: (k[0] == 0, k[0]))  # numbered items in number order, then the rest
        for key in order:
            item = by_key[key]
            item.rate = rates.item_rate(ln.rate for ln in item.lines)
            items.append(item)
    return items


def joined_narrative(task: Task, items: list[Item], attr: str) -> str:
    """亮点 / 问题 of the task; with several units each part is prefixed with the unit's name."""
    parts: list[tuple[str, str]] = []
    seen_units = []
    for it in items:
        if it.unit in seen_units:
            continue
        seen_units.append(it.unit)
        texts = []
        for other in items:
            if other.unit != it.unit:
                continue
            for ln in other.lines:
                t = (getattr(ln.row, attr) or "").strip()
                if t and t not in texts:
                    texts.append(t)
        if texts:
            parts.append((it.unit, "\n".join(texts)))
    if len(seen_units) <= 1:
        return "\n".join(t for _, t in parts)
    return "\n".join(f"【{u}】{t}" for u, t in parts)
