"""The year's trend: what each period's 汇编 said, stored when it is compiled, read back for the next.

- `store_rates(ws, period, result, progress, path)`: after `compile`, the task rates and statuses exactly as
  the 汇编 shows them (a closed task's status is 已销号), each unit's rate (rates.unit_rates_of_rows) and the
  status counts go into the database (replacing that period's earlier compile).
- `history_for(ws, period, progress)`: the CompilationHistory the 汇编 of `period` is written with.
- `trend_history(ws, period)`: [PeriodRates, …] of every compiled period up to `period` (the 趋势 sheet's
  data, and the web page's).
"""
from __future__ import annotations

from ..compiling.history import CompilationHistory, PeriodRates
from ..core import rates
from ..core.fileio import sha256_file
from .db import transaction



def compiled_periods(ws, up_to: str | None = None, *, before: str | None = None) -> list[str]:
    """Compiled periods in config order, up to `up_to` (inclusive) or before `before`."""
    names = [p.name for p in ws.config.periods]
    if up_to is not None:
        names = names[:names.index(ws.period(up_to).name) + 1]
    if before is not None:
        names = names[:names.index(ws.period(before).name)]
    done = {r[0] for r in ws.db.execute("SELECT period FROM compilations")}
    return [n for n in names if n in done]


def period_rates(ws, period: str) -> PeriodRates:
    row = ws.db.execute("SELECT expected FROM compilations WHERE period=?", (period,)).fetchone()
    tasks = dict(ws.db.execute("SELECT task_id, rate FROM task_rates WHERE period=? ORDER BY rowid", (period,)))
    units = dict(ws.db.execute("SELECT unit, rate FROM unit_rates WHERE period=? ORDER BY rowid", (period,)))
    return PeriodRates(period=period, expected=row[0] if row else None, tasks=tasks, units=units)


def trend_history(ws, period: str) -> list[PeriodRates]:
    return [period_rates(ws, name) for name in compiled_periods(ws, period)]


def history_for(ws, period: str, progress) -> CompilationHistory:
    from .closures import closures
    from .rounds import late_units

    closed = {c.task_id: (c.period, c.reason) for c in closures(ws, up_to=period).values()}
    earlier = [period_rates(ws, name) for name in compiled_periods(ws, before=period)]
    return CompilationHistory(period=ws.period(period).name, earlier=earlier, closures=closed,
                              late_units=set(late_units(ws, period)))


def store_rates(ws, period: str, result, progress, path) -> None:
    from .workspace import now_iso

    unit_rates = rates.unit_rates_of_rows(progress.rows, pending_as_zero=result.rules.pending_as_zero)
    with transaction(ws.db):
        for table in ("compilations", "task_rates", "unit_rates"):
            ws.db.execute(f"DELETE FROM {table} WHERE period=?", (period,))
        ws.db.execute("INSERT INTO compilations (period, at, path, sha256, as_of, expected, rules) "
                      "VALUES (?,?,?,?,?,?,?)", (period, now_iso(), ws.relative(path), sha256_file(path),
                                                 result.as_of.isoformat(), result.expected, result.rules.name))
        ws.db.executemany("INSERT INTO task_rates (period, task_id, rate, status, items) VALUES (?,?,?,?,?)",
                          [(period, t.task_id, t.rate, str(t.status), len(t.items)) for t in result.tasks])
        ws.db.executemany("INSERT INTO unit_rates (period, unit, rate) VALUES (?,?,?)",
                          [(period, u, r) for u, r in unit_rates.items()])


def task_statuses(ws, period: str) -> dict[str, dict]:
    """task id → {"rate", "status", "items"} as the period's 汇编 showed them ({} when not compiled)."""
    return {tid: {"rate": rate, "status": status, "items": items} for tid, rate, status, items in ws.db.execute(
        "SELECT task_id, rate, status, items FROM task_rates WHERE period=? ORDER BY rowid", (period,))}
