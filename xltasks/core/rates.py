"""Completion-rate arithmetic: the one place it lives.

Each quantity has a Python function (used for cached values, summaries and checks) and a formula
emitter (used for the live Excel formulas). Both follow the same definitions, written once here:

- indicator rate  = current / target for higher-is-better (uncapped, 199% shows as 199%);
                    1 when current <= target for an upper bound (控制在…以内), else target / current;
                    the self-rated rate (自评完成率) for a qualitative indicator, and for a line
                    with neither target nor current value (a 细化项目 rated by itself).
                    No rate (blank) when a number is missing or the target is 0.
- scored rate     = min(indicator rate, 100%): what counts towards the 细化项目 mean.
- 细化项目 rate     = mean of the scored rates of its indicators (blanks left out).
- task rate       = mean of its 细化项目 rates (blanks left out).
- pending values  (当前值 "待年底核算") give no rate by default, so they are left out of the mean;
                    with pending_as_zero they count as a current value of 0.

Only functions every Excel since 2010 and WPS know are emitted (IF, AND, OR, ISNUMBER, MIN, AVERAGE,
IFERROR, COUNTIFS): no `_xlfn.` functions.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Iterable, Optional

from .models import DIRECTION_HIGHER, DIRECTION_QUALITATIVE, DIRECTION_UPPER
from .statuses import TaskStatus

Rate = Optional[float]

# Chinese labels of the directions, as typed in the templates' 指标方向 list and tested by formulas.
DIRECTION_LABELS = {
    DIRECTION_HIGHER: "越高越好",
    DIRECTION_UPPER: "不超过",
    DIRECTION_QUALITATIVE: "定性",
}
DIRECTION_BY_LABEL = {v: k for k, v in DIRECTION_LABELS.items()}


# ---------------------------------------------------------------------------------------------
# Python values
# ---------------------------------------------------------------------------------------------

def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def indicator_rate(direction: str, target, current, self_rate=None, *, pending: bool = False,
                   pending_as_zero: bool = False) -> Rate:
    """The rate of one indicator line, or None when it has none (see module doc)."""
    if direction == DIRECTION_QUALITATIVE:
        return float(self_rate) if _is_number(self_rate) else None
    if target is None and current is None and not pending and _is_number(self_rate):
        # No numbers at all, only a self-rated rate: a 细化项目 rated by itself, whatever the (pre-filled)
        # direction cell says.
        return float(self_rate)
    if pending and pending_as_zero:
        current = 0
    if not (_is_number(target) and _is_number(current)) or target == 0:
        return None
    if direction == DIRECTION_UPPER:
        return 1.0 if current <= target else max(0.0, target / current)
    return max(0.0, current / target)  # a negative figure (warned at collect) never scores below 0%


def scored_rate(rate: Rate) -> Rate:
    return None if rate is None else min(rate, 1.0)


def mean_rate(rates: Iterable[Rate]) -> Rate:
    """Mean of the rates that exist; None when none does (Excel: IFERROR(AVERAGE(…),""))."""
    values = [r for r in rates if r is not None]
    if not values:
        return None
    return sum(values) / len(values)


def item_rate(indicator_rates: Iterable[Rate]) -> Rate:
    """细化项目 rate from its indicators' (uncapped) rates."""
    return mean_rate(scored_rate(r) for r in indicator_rates)


def task_rate(item_rates: Iterable[Rate]) -> Rate:
    return mean_rate(item_rates)


def is_pending(row) -> bool:
    """A progress row whose current value is not known yet (待年底核算, or any text in its place)."""
    return bool(row.pending or (row.current is None and (row.current_text or "").strip()))


def row_rate(row, *, pending_as_zero: bool = False) -> Rate:
    """indicator_rate() of one progress row (models.ProgressRow)."""
    return indicator_rate(row.direction, row.target, row.current, row.self_rate, pending=is_pending(row),
                          pending_as_zero=pending_as_zero)


def item_key(row) -> tuple:
    """Which 细化项目 a progress row belongs to: the same unit, ordinal and text."""
    return (row.unit, row.item_no, row.item)


def task_rate_of_rows(rows, *, pending_as_zero: bool = False) -> Rate:
    """A task's rate from its progress rows: rows → 细化项目 by item_key → item_rate → task_rate."""
    items: dict[tuple, list[Rate]] = {}
    for r in rows:
        items.setdefault(item_key(r), []).append(row_rate(r, pending_as_zero=pending_as_zero))
    return task_rate(item_rate(v) for v in items.values())


# ---------------------------------------------------------------------------------------------
# Excel formulas (without the leading "="; callers add it)
# ---------------------------------------------------------------------------------------------

def _direction_test(direction_ref: str | None, direction: str | None, wanted: str) -> str:
    """A boolean expression: is this line's direction `wanted`? Either a cell or a constant."""
    if direction_ref:
        return f'{direction_ref}="{DIRECTION_LABELS[wanted]}"'
    return "TRUE" if direction == wanted else "FALSE"


def indicator_formula(target_ref: str, current_ref: str, self_rate_ref: str, *,
                      direction_ref: str | None = None, direction: str | None = None,
                      pending_as_zero: bool = False, floor: bool = True) -> str:
    """Formula of indicator_rate(); the direction is read from a cell (templates) or fixed (compile).
    `floor=False` gives the formula of templates issued before rates were floored at 0% (collect accepts it)."""
    if direction_ref is None and direction == DIRECTION_QUALITATIVE:
        return f'IF(ISNUMBER({self_rate_ref}),{self_rate_ref},"")'
    # A blank cell equals "" in Excel, WPS and LibreOffice; a number or the pending marker does not.
    self_rated = f'AND({target_ref}="",{current_ref}="",ISNUMBER({self_rate_ref}))'
    return (f'IF({self_rated},{self_rate_ref},'
            f'{_numeric_formula(target_ref, current_ref, self_rate_ref, direction_ref, direction, pending_as_zero, floor)})')


def _numeric_formula(target_ref: str, current_ref: str, self_rate_ref: str, direction_ref: str | None,
                     direction: str | None, pending_as_zero: bool, floor: bool = True) -> str:
    cur = f"IF(ISNUMBER({current_ref}),{current_ref},0)" if pending_as_zero else current_ref
    has_numbers = (f"AND(ISNUMBER({target_ref}),{target_ref}<>0)" if pending_as_zero else
                   f"AND(ISNUMBER({target_ref}),ISNUMBER({current_ref}),{target_ref}<>0)")
    if pending_as_zero:
        # Only a blank current stays blank; text (the pending marker) counts as 0.
        has_numbers = f'AND({has_numbers},{current_ref}<>"")'
    upper = _direction_test(direction_ref, direction, DIRECTION_UPPER)

    def floored(expr: str) -> str:
        return f"MAX(0,{expr})" if floor else expr

    numeric = (f'IF({has_numbers},IF({upper},IF({cur}<={target_ref},1,{floored(f"{target_ref}/{cur}")}),'
               f'{floored(f"{cur}/{target_ref}")}),"")')
    if direction_ref is None:
        if direction == DIRECTION_UPPER:
            return f'IF({has_numbers},IF({cur}<={target_ref},1,{floored(f"{target_ref}/{cur}")}),"")'
        return f'IF({has_numbers},{floored(f"{cur}/{target_ref}")},"")'
    qual = _direction_test(direction_ref, direction, DIRECTION_QUALITATIVE)
    return f'IF({qual},IF(ISNUMBER({self_rate_ref}),{self_rate_ref},""),{numeric})'


def scored_formula(rate_ref: str) -> str:
    return f'IF(ISNUMBER({rate_ref}),MIN({rate_ref},1),"")'


def mean_formula(range_ref: str) -> str:
    """Mean of the numbers in a range, blank when there are none (item and task rates)."""
    return f'IFERROR(AVERAGE({range_ref}),"")'


# ---------------------------------------------------------------------------------------------
# Expected progress (序时进度) and the status of a task against it
# ---------------------------------------------------------------------------------------------
# The statuses themselves: statuses.TaskStatus.



# A task with its own 完成时限 (issue 13), past it on the as-of date and not at 100%: a mark beside its status
# (not one of STATUSES, so the counts of a register without deadlines stay as they are).
OVERDUE_MARK = "逾期"


def overdue(rate: Rate, as_of: dt.date, deadline: dt.date | None) -> bool:
    """Past its own deadline on `as_of` and under 100% (no rate at all counts as under)."""
    return deadline is not None and as_of > deadline and not (rate is not None and rate >= 1)


def overdue_formula(rate_ref: str, as_of_ref: str, deadline_ref: str) -> str:
    """Formula of overdue(): the deadline cell holds a date (blank: no deadline), the rate a number or ""."""
    return (f"AND(ISNUMBER({deadline_ref}),{as_of_ref}>{deadline_ref},"
            f"NOT(AND(ISNUMBER({rate_ref}),N({rate_ref})>=1)))")


def expected_progress(as_of: dt.date, start: dt.date | None = None, end: dt.date | None = None) -> float:
    """Share of an annual task's time elapsed on `as_of`, counted in months (Q3 end = 75%).

    Month-counting matches how offices state it (三季度末 = 75%, 年中 = 50%); with an explicit
    start/end the share is counted in days instead.
    """
    if start is not None or end is not None:
        start = start or dt.date(as_of.year, 1, 1)
        end = end or dt.date(as_of.year, 12, 31)
        total = (end - start).days + 1
        done = (min(max(as_of, start - dt.timedelta(days=1)), end) - start).days + 1
        return max(0.0, min(1.0, done / total))
    days_in_month = calendar.monthrange(as_of.year, as_of.month)[1]
    return (as_of.month - 1 + as_of.day / days_in_month) / 12


# Rates are compared with 序时进度 and with 100% at this many decimal places, in Python and in the emitted
# formulas alike (ROUND(rate,10)): 0.3/0.4 is 0.7499999999999999 in binary, and a comparison at full precision
# would call it 滞后 while Excel (15 significant digits) and LibreOffice show 75% = 达序时.
COMPARE_DIGITS = 10


def compared(x: float) -> float:
    """A rate or threshold as it is compared (see COMPARE_DIGITS)."""
    return round(x, COMPARE_DIGITS)


def compared_formula(expr: str, *, inside_and: bool = False) -> str:
    """Formula of compared(). Inside AND(), which LibreOffice evaluates whole (no short cut), a blank or text
    rate would make ROUND an error: N() turns it into 0 there (the ISNUMBER test beside it decides anyway)."""
    return f"ROUND(N({expr}),{COMPARE_DIGITS})" if inside_and else f"ROUND({expr},{COMPARE_DIGITS})"


def classify(rate: Rate, expected: float, *, reported: bool = True, on_time_band: float = 0.0) -> TaskStatus:
    """已完成 ≥ 100%; 超序时 ≥ expected + band; 达序时 ≥ expected; 滞后 below; 无完成率 reported but no
    rate (blank); 未报送 no return. Compared at COMPARE_DIGITS decimals."""
    if not reported:
        return TaskStatus.NOT_REPORTED
    if rate is None:
        return TaskStatus.NO_RATE
    r = compared(rate)
    if r >= 1:
        return TaskStatus.DONE
    ahead = r >= compared(expected + on_time_band) if on_time_band > 0 else r > compared(expected)
    if ahead:
        return TaskStatus.AHEAD
    if r >= compared(expected):
        return TaskStatus.ON_TIME
    return TaskStatus.BEHIND


def classify_formula(rate_ref: str, expected_ref: str, *, on_time_band: float = 0.0) -> str:
    """Formula of classify() for a reported rate; a blank (non-numeric) rate means 无完成率."""
    r, e = compared_formula(rate_ref), compared_formula(expected_ref)
    ahead = (f"{r}>={compared_formula(f'{expected_ref}+{on_time_band!r}')}" if on_time_band > 0 else f"{r}>{e}")
    s = TaskStatus
    return (f'IF(NOT(ISNUMBER({rate_ref})),"{s.NO_RATE}",IF({r}>=1,"{s.DONE}",'
            f'IF({ahead},"{s.AHEAD}",IF({r}>={e},"{s.ON_TIME}","{s.BEHIND}"))))')


# ---------------------------------------------------------------------------------------------
# Added for compile: the pending display, the status with a reported flag, shares, margins
# ---------------------------------------------------------------------------------------------

PENDING_LABEL = "待核算"  # what an indicator's 完成率 cell shows while its current value is pending


def shown_rate(rate: Rate, current_cell, *, pending_as_zero: bool = False):
    """What a numeric indicator's 完成率 cell shows: PENDING_LABEL when its 当前值 cell holds text
    (the pending marker) and pending values are left out, else the rate (None = blank)."""
    if not pending_as_zero and isinstance(current_cell, str) and current_cell != "":
        return PENDING_LABEL
    return rate


def shown_formula(rate_formula: str, current_ref: str, *, pending_as_zero: bool = False) -> str:
    """Formula of shown_rate() around an indicator_formula(); the label is text, so the scored
    helper (scored_formula) and the means leave it out."""
    if pending_as_zero:
        return rate_formula
    return f'IF(ISTEXT({current_ref}),"{PENDING_LABEL}",{rate_formula})'


def status_formula(rate_ref: str, expected_ref: str, reported_ref: str, *, on_time_band: float = 0.0) -> str:
    """Formula of classify(rate, expected, reported=…): the reported flag cell holds 1 or 0."""
    return (f'IF({reported_ref}=0,"{TaskStatus.NOT_REPORTED}",'
            f'{classify_formula(rate_ref, expected_ref, on_time_band=on_time_band)})')


def share(count: int, total: int) -> Rate:
    """count / total, None (blank) when there is nothing to share."""
    return None if not total else count / total


def share_formula(count_ref: str, total_ref: str) -> str:
    return f'IF({total_ref}=0,"",{count_ref}/{total_ref})'


def below_margin(rate: Rate, expected: float, margin: float) -> bool:
    """A rate more than `margin` under the expected progress (严重滞后)."""
    return rate is not None and compared(rate) < compared(expected - margin)


def below_margin_formula(rate_ref: str, expected_ref: str, margin: float) -> str:
    return (f"AND(ISNUMBER({rate_ref}),{compared_formula(rate_ref, inside_and=True)}"
            f"<{compared_formula(f'{expected_ref}-{float(margin)!r}')})")


# ---------------------------------------------------------------------------------------------
# Across periods (workspace): a unit's rate, and the change of a rate since the previous period
# ---------------------------------------------------------------------------------------------

def unit_rates_of_rows(rows, *, pending_as_zero: bool = False) -> dict[str, Rate]:
    """Each unit's rate in a period: the mean of its 细化项目 rates over all its tasks (趋势, the 通报's ranking)."""
    items: dict[tuple, list[Rate]] = {}
    for r in rows:
        items.setdefault((r.task_id, *item_key(r)), []).append(row_rate(r, pending_as_zero=pending_as_zero))
    by_unit: dict[str, list[Rate]] = {}
    for key, line_rates in items.items():
        by_unit.setdefault(key[1], []).append(item_rate(line_rates))
    return {unit: mean_rate(v) for unit, v in by_unit.items()}


def change(rate: Rate, previous: Rate) -> Rate:
    """The change of a rate since the previous period (a difference of fractions: +0.25 = 25 个百分点)."""
    return None if rate is None or previous is None else rate - previous


def change_formula(rate_ref: str, previous_ref: str) -> str:
    return f'IF(AND(ISNUMBER({rate_ref}),ISNUMBER({previous_ref})),{rate_ref}-{previous_ref},"")'
