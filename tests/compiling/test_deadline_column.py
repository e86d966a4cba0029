"""Issue 13: where the register has deadlines the 汇编 gets a 完成时限 column, and a task past its deadline
and under 100% on the as-of date reads 逾期 (a live formula LibreOffice recalculates to the same text),
coloured by the rule set's overdue rule (or its 滞后 rule). Without deadlines nothing changes."""
from __future__ import annotations

import openpyxl
import pytest

from xltasks.compiling.deadlines import DATE_HEADER, HEADER
from xltasks.compiling.writer import compile_workbook
from xltasks.core.layout import COL_ROW_UNIT, SHEET_COMPILATION
from xltasks.core import rates

from tests.builders import AS_OF, compile_progress, compile_register
from tests.recalc import compare_with_libreoffice

DEADLINES = {  # task id → (printed, ISO date)
    "1.1.1": ("2021年6月底前", "2021-06-30"),   # 82% on 9-30: overdue
    "1.2.2": ("2021年12月底前", "2021-12-31"),  # not yet due
    "2.1.40": ("2021年三季度", "2021-09-30"),   # due on the as-of date itself: not yet past
    "2.1.41": ("2021年8月", "2021-08-31"),      # behind and past: overdue
    "2.1.42": ("年内持续推进", None),            # names no date: never overdue
}


def _with_deadlines():
    reg = compile_register()
    for t in reg.tasks:
        if t.id in DEADLINES:
            t.deadline, t.deadline_date = DEADLINES[t.id]
    return reg


def _column(path):
    ws = openpyxl.load_workbook(path)[SHEET_COMPILATION]
    col = COL_ROW_UNIT + 2  # 1-based: right of the hidden helpers
    return ws, col


def test_deadline_column_and_overdue_mark(tmp_path):
    out = tmp_path / "汇编.xlsx"
    result = compile_workbook(_with_deadlines(), compile_progress(), out, as_of=AS_OF)
    ws, col = _column(out)
    assert ws.cell(3, col).value == HEADER and ws.cell(4, col + 1).value == DATE_HEADER
    assert not ws.column_dimensions[openpyxl.utils.get_column_letter(col)].hidden
    shown = {res.task_id: ws.cell(res.row, col).value for res in result.tasks}
    assert all(shown[k].startswith("=IF(AND(") for k, (_text, date) in DEADLINES.items() if date)
    assert shown["2.1.42"] == "年内持续推进" and shown["2.1.1"] is None  # no date: plain text; none: blank
    late = {r.task_id for r in result.tasks if r.overdue}
    assert late == {"1.1.1", "2.1.41"}
    rate = {r.task_id: r.rate for r in result.tasks}
    assert rate["1.1.1"] < 1 and rate["2.1.41"] < 1
    assert rates.overdue(None, AS_OF, AS_OF.replace(month=8)) and not rates.overdue(1.0, AS_OF, AS_OF.replace(month=8))


def test_no_deadlines_no_column(tmp_path):
    out = tmp_path / "汇编.xlsx"
    compile_workbook(compile_register(), compile_progress(), out, as_of=AS_OF)
    ws, col = _column(out)
    assert ws.max_column <= COL_ROW_UNIT + 1  # (before any cell() call, which would add one)


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_overdue_marks(soffice, tmp_path):
    out = tmp_path / "汇编.xlsx"
    result = compile_workbook(_with_deadlines(), compile_progress(), out, as_of=AS_OF)
    n, problems = compare_with_libreoffice(out, tmp_path / "lo")
    assert n > 20 and problems == []
    ws, col = _column(out)
    cached = openpyxl.load_workbook(out, data_only=True)[SHEET_COMPILATION]
    marks = {r.task_id: cached.cell(r.row, col).value for r in result.tasks if r.task_id in DEADLINES}
    assert marks == {"1.1.1": "2021年6月底前（逾期）", "1.2.2": "2021年12月底前", "2.1.40": "2021年三季度",
                     "2.1.41": "2021年8月（逾期）", "2.1.42": "年内持续推进"}
