"""销号: the office closes a task; it is no longer issued in LATER periods' templates, and stays in every 汇编
from the period it was closed in on as 已销号 (with that period), counted apart in the 汇总.

    ws.close_task("2021Q2", ["3.1", "3.2"], reason="已全面完成")  → [Closure, …]
    ws.closures(up_to="2021Q3")                                   → {task_id: Closure} closed in 2021Q3 or before
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import XltasksError
from .db import transaction


@dataclass(frozen=True)
class Closure:
    task_id: str
    period: str  # the period in which it was closed
    reason: str
    closed_at: str


def closures(ws, up_to: str | None = None, *, before: str | None = None) -> dict[str, Closure]:
    """Closures made in `up_to` or an earlier period (all when None); `before`: strictly earlier periods only."""
    order = {p.name: i for i, p in enumerate(ws.config.periods)}
    limit = None
    if up_to is not None:
        limit = order[ws.period(up_to).name]
    if before is not None:
        limit = order[ws.period(before).name] - 1
    out = {}
    for task_id, period, reason, closed_at in ws.db.execute(
            "SELECT task_id, period, reason, closed_at FROM closures ORDER BY closed_at, task_id"):
        if limit is None or order.get(period, len(order)) <= limit:
            out[task_id] = Closure(task_id, period, reason, closed_at)
    return out


def close_tasks(ws, period: str, task_ids, *, reason: str) -> list[Closure]:
    """Close tasks in `period` (all or none: an unknown or already closed id refuses the whole call)."""
    from .workspace import now_iso

    p = ws.period(period)
    reason = (reason or "").strip()
    if not reason:
        raise XltasksError("销号须写明原因（如“已全面完成”“已纳入其他任务”）")
    ids = [str(t).strip() for t in task_ids if str(t).strip()]
    if not ids:
        raise XltasksError("请给出要销号的任务编号")
    register = ws.load_register()
    known = {t.id for t in register.tasks}
    unknown = [t for t in ids if t not in known]
    if unknown:
        raise XltasksError(f"任务台账中没有任务 {'、'.join(unknown)}，未销号任何任务", file=str(ws.register_path))
    done = closures(ws)
    again = [f"{t}（已于 {done[t].period} 销号）" for t in ids if t in done]
    if again:
        raise XltasksError(f"{'、'.join(again)}，未销号任何任务")
    at = now_iso()
    out = [Closure(t, p.name, reason, at) for t in dict.fromkeys(ids)]
    with transaction(ws.db):
        ws.db.executemany("INSERT INTO closures (task_id, period, reason, closed_at) VALUES (?,?,?,?)",
                          [(c.task_id, c.period, c.reason, c.closed_at) for c in out])
    return out
