"""销号: the office closes a task; it is no longer issued in LATER periods' templates, and stays in every 汇编
from the period it was closed in on as 已销号 (with that period), counted apart in the 汇总.

    ws.close_task("2021Q2", ["3.1", "3.2"], reason="已全面完成")  → [Closure, …]
    ws.closures(up_to="2021Q3")                                   → {task_id: Closure} closed in 2021Q3 or before
    closures_from_sheet("销号.xlsx")                             → [(task id, reason), …] from a sheet the office edits
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def close_tasks(ws, period: str, task_ids, *, reason: str | dict[str, str]) -> list[Closure]:
    """Close tasks in `period` (all or none: an unknown or already closed id refuses the whole call).
    `reason`: one reason for all, or task id → reason (a 销号 sheet's rows)."""
    from .workspace import now_iso

    p = ws.period(period)
    reasons = {str(t).strip(): (reason.get(t) if isinstance(reason, dict) else reason) or "" for t in task_ids}
    if any(not r.strip() for r in reasons.values()):
        raise XltasksError("销号须写明原因（如“已全面完成”“已纳入其他任务”）")
    ids = [t for t in reasons if t]
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
    out = [Closure(t, p.name, reasons[t].strip(), at) for t in ids]
    with transaction(ws.db):
        ws.db.executemany("INSERT INTO closures (task_id, period, reason, closed_at) VALUES (?,?,?,?)",
                          [(c.task_id, c.period, c.reason, c.closed_at) for c in out])
    return out


_ID_LABELS, _REASON_LABELS = ("任务编号", "编号"), ("销号原因", "销号")
_MARKS = {"√", "✓", "是", "1", "y", "yes", "x", "×"}
_HEADER_ROWS = 10


def closures_from_sheet(path: str | Path) -> list[tuple[str, str]]:
    """(task id, reason) of each row of an office's sheet whose 销号原因 (or 销号) cell is filled in.

    The first sheet of an .xlsx with a header row (within its first 10 rows) holding 任务编号 and 销号原因 or
    销号 — the register's 任务 sheet with such a column added will do. A 销号 cell holding only a mark
    (√, 是, 1) closes the task with the reason “已销号”."""
    import openpyxl

    path = Path(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - not a workbook: one clear line naming the file
        raise XltasksError(f"无法读取销号表（{type(exc).__name__}）：请提供 .xlsx 文件", file=str(path)) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        id_col = reason_col = None
        for n, row in enumerate(rows, start=1):
            labels = [str(v).strip() if v is not None else "" for v in row]
            id_col = next((labels.index(x) for x in _ID_LABELS if x in labels), None)
            reason_col = next((labels.index(x) for x in _REASON_LABELS if x in labels), None)
            if id_col is not None and reason_col is not None:
                break
            if n >= _HEADER_ROWS:
                break
        if id_col is None or reason_col is None:
            raise XltasksError(f"前 {_HEADER_ROWS} 行中没有同时含“任务编号”和“销号原因”（或“销号”）的表头",
                               file=str(path), where=sheet.title)
        out = []
        for row in rows:
            tid = str(row[id_col]).strip() if id_col < len(row) and row[id_col] is not None else ""
            mark = str(row[reason_col]).strip() if reason_col < len(row) and row[reason_col] is not None else ""
            if tid and mark:
                out.append((tid, "已销号" if mark.lower() in _MARKS else mark))
        return out
    finally:
        book.close()
