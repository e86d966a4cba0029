"""The completion arithmetic (xltasks.core.rates) on the cases of the arithmetic note, read off seed 002,
and every formula emitter checked against what LibreOffice computes."""
from __future__ import annotations

import datetime as dt

import pytest
from xlsxwriter.utility import xl_rowcol_to_cell

from xltasks.core import rates
from xltasks.core.models import DIRECTION_HIGHER, DIRECTION_QUALITATIVE, DIRECTION_UPPER
from xltasks.core.statuses import TaskStatus
from xltasks.core.xlsx import new_workbook, write_text

from tests.recalc import compare_with_libreoffice


def pct(x: float) -> float:
    """As 002 displays a rate: percent with two decimals."""
    return round(x * 100 + 1e-9, 2)


# --- 002 L15–24: the 粮食 task ----------------------------------------------------------------

def test_item_rate_caps_each_indicator_at_100_percent():
    # 播种面积 136.7万亩 / 142.1万亩 = 103.9%, 总产量 10.39亿斤 / 1.57亿斤 = 15.11%
    sown = rates.indicator_rate(DIRECTION_HIGHER, 136.7, 142.1)
    total = rates.indicator_rate(DIRECTION_HIGHER, 10.39, 1.57)
    assert pct(sown) == 103.95  # shown uncapped (002 prints 103.9%)
    assert sown > 1
    assert pct(total) == 15.11
    assert pct(rates.item_rate([sown, total])) == 57.56  # (100 + 15.11) / 2, not (103.9 + 15.11) / 2


def test_indicator_rate_is_uncapped():
    assert pct(rates.indicator_rate(DIRECTION_HIGHER, 100, 199)) == 199.0
    assert pct(rates.indicator_rate(DIRECTION_HIGHER, 25, 78.8)) == 315.2


def test_task_rate_is_mean_of_item_rates_002():
    # 002 L15: (68.76 + 66 + 57.56 + 100) / 4 = 73.08%
    assert pct(rates.task_rate([0.6876, 0.66, 0.5756, 1.0])) == 73.08
    # 002 L38: (85 + 66 + 83 + 93 + 100) / 5 = 85.4%
    assert pct(rates.task_rate([0.85, 0.66, 0.83, 0.93, 1.0])) == 85.4


def test_task_rate_computed_exactly_from_indicators():
    # 002 rounds 66.67% down to 66%; computed exactly the 粮食 task is 73.25%, not 73.08%.
    items = [rates.item_rate([rates.indicator_rate(DIRECTION_HIGHER, 121, 83.2)]),
             rates.item_rate([1.0, 1.0, rates.indicator_rate(DIRECTION_HIGHER, 20, 0)]),
             rates.item_rate([rates.indicator_rate(DIRECTION_HIGHER, 136.7, 142.1),
                              rates.indicator_rate(DIRECTION_HIGHER, 10.39, 1.57)]),
             rates.item_rate([1.0] * 6)]
    assert [pct(x) for x in items] == [68.76, 66.67, 57.56, 100.0]
    assert pct(rates.task_rate(items)) == 73.25


# --- direction ----------------------------------------------------------------------------------

def test_upper_bound_met_is_100_percent_not_71_71():
    # 002 L828 "控制城镇登记失业率 3.50% / 2.51%" scored 71.71%: wrong, the bound is met.
    assert rates.indicator_rate(DIRECTION_UPPER, 3.5, 2.51) == 1.0
    assert pct(rates.indicator_rate(DIRECTION_HIGHER, 3.5, 2.51)) == 71.71  # 002's mistake
    # its sub-item 90.57% = (100 + 71.71 + 100) / 3 becomes 100% when the bound is read right
    new_jobs = rates.indicator_rate(DIRECTION_HIGHER, 25, 78.8)
    assert pct(rates.item_rate([new_jobs, 0.7171, 1.0])) == 90.57
    assert rates.item_rate([new_jobs, rates.indicator_rate(DIRECTION_UPPER, 3.5, 2.51), 1.0]) == 1.0


def test_upper_bound_pm25():
    # 002 L433: PM2.5 33.5 微克/立方米 target, 26.4 current → 100%
    assert rates.indicator_rate(DIRECTION_UPPER, 33.5, 26.4) == 1.0
    # exceeding the bound scores target / current
    assert rates.indicator_rate(DIRECTION_UPPER, 33.5, 40.2) == pytest.approx(33.5 / 40.2)


def test_reduction_restated_as_rate_of_reduction():
    # 002 L818 "“三公”经费压减率 10% / 7%" → 70%
    assert pct(rates.indicator_rate(DIRECTION_HIGHER, 0.10, 0.07)) == 70.0


def test_qualitative_uses_self_rate_and_missing_numbers_give_no_rate():
    assert rates.indicator_rate(DIRECTION_QUALITATIVE, None, None, 0.9) == 0.9
    assert rates.indicator_rate(DIRECTION_QUALITATIVE, 10, 5, None) is None
    assert rates.indicator_rate(DIRECTION_HIGHER, 0, 5) is None
    assert rates.indicator_rate(DIRECTION_HIGHER, 10, None) is None


# --- pending --------------------------------------------------------------------------------------

def test_pending_left_out_of_mean_by_default():
    # 002 L563 "0（待年底核算）": not 0%, it is pending
    pending = rates.indicator_rate(DIRECTION_HIGHER, 0.10, None, pending=True)
    assert pending is None
    assert rates.item_rate([pending, 1.0]) == 1.0
    assert rates.shown_rate(pending, "待年底核算") == rates.PENDING_LABEL


def test_pending_counts_as_zero_when_chosen():
    pending = rates.indicator_rate(DIRECTION_HIGHER, 0.10, None, pending=True, pending_as_zero=True)
    assert pending == 0.0
    assert rates.item_rate([pending, 1.0]) == 0.5
    assert rates.shown_rate(pending, "待年底核算", pending_as_zero=True) == 0.0


# --- expected progress and status -----------------------------------------------------------------

def test_expected_progress_and_classify():
    assert rates.expected_progress(dt.date(2021, 9, 30)) == 0.75
    assert rates.expected_progress(dt.date(2021, 6, 30)) == 0.5
    e = 0.75
    assert rates.classify(1.2, e) == TaskStatus.DONE
    assert rates.classify(0.8, e) == TaskStatus.AHEAD
    assert rates.classify(0.75, e) == TaskStatus.ON_TIME
    assert rates.classify(0.74, e) == TaskStatus.BEHIND
    assert rates.classify(0.78, e, on_time_band=0.05) == TaskStatus.ON_TIME
    assert rates.classify(0.9, e, reported=False) == TaskStatus.NOT_REPORTED
    # reported but nothing computable (all pending, not self-rated) is not the same as not reported
    assert rates.classify(None, e) == TaskStatus.NO_RATE
    assert rates.classify(None, e, reported=False) == TaskStatus.NOT_REPORTED
    assert tuple(TaskStatus) == ("已完成", "超序时", "达序时", "滞后", "无完成率", "未报送")
    assert rates.share(3, 4) == 0.75 and rates.share(0, 0) is None
    assert rates.below_margin(0.6, 0.75, 0.1) and not rates.below_margin(0.7, 0.75, 0.1)


# --- every emitter against LibreOffice --------------------------------------------------------------

# (direction, target, current cell, self rate, pending_as_zero)
CASES = [
    (DIRECTION_HIGHER, 136.7, 142.1, None, False),
    (DIRECTION_HIGHER, 10.39, 1.57, None, False),
    (DIRECTION_HIGHER, 20, 0, None, False),
    (DIRECTION_HIGHER, 100, 199, None, False),
    (DIRECTION_UPPER, 3.5, 2.51, None, False),
    (DIRECTION_UPPER, 33.5, 26.4, None, False),
    (DIRECTION_UPPER, 33.5, 40.2, None, False),
    (DIRECTION_HIGHER, 0.10, 0.07, None, False),
    (DIRECTION_HIGHER, 0.10, "待年底核算", None, False),
    (DIRECTION_HIGHER, 0.10, "待年底核算", None, True),
    (DIRECTION_UPPER, 3.5, "待年底核算", None, True),
    (DIRECTION_HIGHER, 0.10, None, None, True),
    (DIRECTION_HIGHER, 0, 5, None, False),
    (DIRECTION_HIGHER, None, 5, None, False),
    (DIRECTION_QUALITATIVE, None, None, 0.85, False),
    (DIRECTION_QUALITATIVE, None, None, None, False),
]


def _cached(v):
    return "" if v is None else v


@pytest.mark.libreoffice
def test_every_emitter_agrees_with_libreoffice(soffice, tmp_path):
    path = tmp_path / "rates.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("算")
    ws.write_number(0, 10, 0.75)  # K1: expected progress
    expected_ref = "$K$1"
    A1 = xl_rowcol_to_cell
    scored_by_row = []
    for r, (direction, target, current, self_rate, pz) in enumerate(CASES, start=1):
        for c, v in ((0, target), (1, current), (2, self_rate)):
            if isinstance(v, str):
                write_text(ws, r, c, v)
            elif v is not None:
                ws.write_number(r, c, v)
        write_text(ws, r, 3, rates.DIRECTION_LABELS[direction])
        tgt, cur, slf, dref = A1(r, 0), A1(r, 1), A1(r, 2), A1(r, 3)
        is_text = isinstance(current, str)
        rate = rates.indicator_rate(direction, target, None if is_text else current, self_rate,
                                    pending=is_text, pending_as_zero=pz)
        fixed = rates.indicator_formula(tgt, cur, slf, direction=direction, pending_as_zero=pz)
        by_cell = rates.indicator_formula(tgt, cur, slf, direction_ref=dref, pending_as_zero=pz)
        ws.write_formula(r, 4, "=" + fixed, None, _cached(rate))
        ws.write_formula(r, 5, "=" + by_cell, None, _cached(rate))
        shown = rates.shown_rate(rate, current, pending_as_zero=pz)
        ws.write_formula(r, 6, "=" + rates.shown_formula(fixed, cur, pending_as_zero=pz), None, _cached(shown))
        ws.write_formula(r, 7, "=" + rates.scored_formula(A1(r, 6)), None, _cached(rates.scored_rate(rate)))
        scored_by_row.append(rates.scored_rate(rate))
        status = rates.classify(rate, 0.75)
        ws.write_formula(r, 8, "=" + rates.classify_formula(A1(r, 4), expected_ref), None, status)
        ws.write_formula(r, 9, "=" + rates.classify_formula(A1(r, 4), expected_ref, on_time_band=0.05), None,
                         rates.classify(rate, 0.75, on_time_band=0.05))
        reported = r % 2
        ws.write_number(r, 11, reported)
        ws.write_formula(r, 12, "=" + rates.status_formula(A1(r, 4), expected_ref, A1(r, 11)), None,
                         rates.classify(rate, 0.75, reported=bool(reported)))
        ws.write_formula(r, 13, "=" + rates.below_margin_formula(A1(r, 4), expected_ref, 0.1), None,
                         rates.below_margin(rate, 0.75, 0.1))
    n = len(CASES)
    last = n
    # means: over all scored rates (blanks and pending left out), and over a range with no number at all
    ws.write_formula(n + 2, 7, "=" + rates.mean_formula(f"H2:H{last + 1}"), None,
                     _cached(rates.mean_rate(scored_by_row)))
    ws.write_formula(n + 3, 7, "=" + rates.mean_formula(f"H{last}:H{last + 1}"), None,
                     _cached(rates.mean_rate(scored_by_row[-2:])))
    ws.write_formula(n + 4, 7, "=" + rates.mean_formula("Z1:Z3"), None, "")
    ws.write_number(n + 5, 0, 3)
    ws.write_number(n + 5, 1, 4)
    ws.write_number(n + 5, 2, 0)
    ws.write_formula(n + 5, 3, "=" + rates.share_formula(f"A{n + 6}", f"B{n + 6}"), None, rates.share(3, 4))
    ws.write_formula(n + 5, 4, "=" + rates.share_formula(f"A{n + 6}", f"C{n + 6}"), None, _cached(rates.share(3, 0)))
    wb.close()

    count, problems = compare_with_libreoffice(path, tmp_path / "lo")
    assert count == len(CASES) * 8 + 5
    assert problems == []
