"""An old 汇编 → the progress register (Progress), e.g. for `xltasks templates --previous`: each indicator a
ProgressRow with its direction inferred, its reporting unit chosen and its values in the target's unit."""
from __future__ import annotations

import re
from pathlib import Path

from ..core import rates
from ..core.models import (DIRECTION_HIGHER, DIRECTION_QUALITATIVE, DIRECTION_UPPER, ROLE_LEAD, Progress, ProgressRow,
                           Provenance, Register, Task)
from ..core.textkeys import nfkc, squash
from .matching import MatchResult
from .printed import CompilationDoc, CompIndicator, CompItem, CompTask


# Direction rule (documented in the README and the tests):
#  * an indicator is an upper bound (不超过) when its name says so (控制/以内/以下/不超过/不高于/浓度),
#    or when the 细化项目 or task text bounds the target's own number ("控制在0.23以内", "3.5%以内",
#    "不超过5家") — a keyword elsewhere in a long task text does not count;
#  * "不低于/不少于/以上" are lower bounds: higher is better;
#  * no numeric target, or a current value that is neither a number nor pending → 定性 (qualitative),
#    whose self-rated rate is the printed indicator rate, else the printed 细化项目 rate.
_UPPER_NAME = re.compile(r"控制|以内|以下|不超过|不高于|浓度|死亡率|失业率|发生率")
# A bound found in the 细化项目/task text applies only to a rate-like indicator, not to a count:
# "认定不超过 5 家“链主工厂”" caps a recognition, its indicator "“链主工厂”数" is still a goal.
_RATE_LIKE_NAME = re.compile(r"率|浓度|指数|值")
_LOWER_NAME = re.compile(r"不低于|不少于|以上|提升|增长")
_BOUND_BEFORE = re.compile(r"(?:控制在|不超过|不高于|(?<!不)低于)\s*([0-9]+(?:\.[0-9]+)?)")
_BOUND_AFTER = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*[^\d，,。；;、]{0,10}?(?:以内|以下)")


def infer_direction(name: str, target: float | None, *texts: str) -> str:
    n = nfkc(name)
    if _UPPER_NAME.search(n) and not _LOWER_NAME.search(n):
        return DIRECTION_UPPER
    if target is not None and _RATE_LIKE_NAME.search(n):
        for text in texts:
            t = nfkc(text)
            for rx in (_BOUND_BEFORE, _BOUND_AFTER):
                for m in rx.finditer(t):
                    if abs(float(m.group(1)) - target) < 1e-9:
                        return DIRECTION_UPPER
    return DIRECTION_HIGHER


def reporting_unit(task: Task, name: str) -> str:
    """The register unit of `task` that a compilation's unit name `name` stands for: the same name, the same
    name after NFKC and without spaces, one name containing the other, else the task's lead (or first) unit.
    Compilations spell units their own way (市住房保障局, 萧山区) while the register keeps the decomposition's."""
    if name in task.units:
        return name
    n = squash(name)
    normed = [(squash(u), u) for u in task.units]
    for nu, u in normed:
        if nu == n:
            return u
    if len(n) >= 3:
        for nu, u in normed:
            if len(nu) >= 3 and (n in nu or nu in n):
                return u
    return task.lead_unit or (task.units[0] if task.units else name)


def to_progress(doc: CompilationDoc, match: MatchResult | None = None, *, period: str = "",
                register: Register | None = None) -> Progress:
    """One ProgressRow per indicator line (a 细化项目 without indicators: one qualitative row),
    unit = the lead (first) unit of the task's 责任单位, role 牵头. With the register, the unit is the
    register's name for it (reporting_unit), so the rows line up with next period's templates."""
    match = match or MatchResult(with_register=False)
    register_tasks = {t.id: t for t in register.tasks} if register else {}
    prov_file = Path(doc.path).name
    rows: list[ProgressRow] = []
    units: list[str] = []
    for index, task in enumerate(doc.tasks):
        task_id = match.task_id(index, task)
        unit = task.lead_unit
        if task_id in register_tasks:
            unit = reporting_unit(register_tasks[task_id], unit)
        if unit and unit not in units:
            units.append(unit)
        first = True
        for item_no, item in enumerate(task.items, start=1):
            lines = item.indicators or [None]
            for ind in lines:
                row = ProgressRow(task_id=task_id, unit=unit, role=ROLE_LEAD, item=item.text, item_no=item_no,
                                  provenance=Provenance(file=prov_file, sha256=doc.sha256, sheet="",
                                                        row=(ind.line if ind else item.line)))
                if first:
                    row.highlights, row.problems = task.highlights, task.problems
                    first = False
                if ind is None:
                    row.direction = DIRECTION_QUALITATIVE
                    row.self_rate = item.rate_printed
                else:
                    _fill_indicator(row, ind, item, task)
                rows.append(row)
    return Progress(period=period, rows=rows, reported_units=units)


def _fill_indicator(row: ProgressRow, ind: CompIndicator, item: CompItem, task: CompTask) -> None:
    row.indicator = ind.name
    row.measure_unit = ind.target_unit
    fallback = ind.rate_printed if ind.rate_printed is not None else item.rate_printed
    if ind.target is None:
        row.direction = DIRECTION_QUALITATIVE
        row.self_rate = fallback
        row.current_text = ind.current_text if ind.current is None else ""
        row.current = ind.current
        return
    row.target = ind.target
    row.direction = infer_direction(ind.name, ind.target, item.text, task.text)
    if ind.pending:
        row.pending = True
        row.current_text = ind.current_text
    elif ind.current is None:
        # a current value that is not a number: keep the words, count the printed rate
        row.direction = DIRECTION_QUALITATIVE
        row.self_rate = fallback
        row.current_text = ind.current_text
    else:
        row.current = in_target_unit(ind.current, ind.current_unit, ind.target_unit)


_MAGNITUDE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}


def in_target_unit(value: float, unit: str, target_unit: str) -> float:
    """"1.9亿元" against a target in "万元" → 19000: only a magnitude prefix (万/亿/千/百) differs."""
    if unit == target_unit:
        return value

    def split(u: str) -> tuple[float, str]:
        u = u.replace(" ", "")
        if u[:1] in _MAGNITUDE and len(u) > 1:
            return _MAGNITUDE[u[0]], u[1:]
        return 1.0, u

    f1, base1 = split(unit)
    f2, base2 = split(target_unit)
    if base1 == base2 and base1:
        return value * f1 / f2
    return value


def progress_task_rates(progress: Progress, *, pending_as_zero: bool = False) -> dict[str, float | None]:
    """Task rates from progress rows, by rates.py (the same grouping and arithmetic as the 汇编)."""
    by_task: dict[str, list[ProgressRow]] = {}
    for r in progress.rows:
        by_task.setdefault(r.task_id, []).append(r)
    return {tid: rates.task_rate_of_rows(rows, pending_as_zero=pending_as_zero) for tid, rows in by_task.items()}
