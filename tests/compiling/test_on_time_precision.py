"""Issue 14 item 7: a task rate that is exactly 75% in decimal arithmetic (0.3/0.4, 2.1/2.8, 6.6/8.8 — each
0.7499999999999999 in binary) is 达序时 at 三季度末 in our cached classification, in the formulas LibreOffice
recalculates, and in the 汇总 counts, under the default and the 瓯海 rules."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from tests.recalc import compare_with_libreoffice
from xltasks.compiling.rules import load_rules
from xltasks.compiling.writer import compile_workbook
from xltasks.core.layout import SHEET_COMPILATION
from xltasks.core import rates
from xltasks.core.statuses import TaskStatus
from xltasks.core.models import Progress, ProgressRow, Register, Task

AS_OF = dt.date(2021, 9, 30)  # 序时进度 exactly 75%
PAIRS = ((0.4, 0.3), (2.8, 2.1), (8.8, 6.6))


def _case():
    tasks, rows = [], []
    for i, (target, current) in enumerate(PAIRS, start=1):
        unit = f"市第{i}局"
        tasks.append(Task(id=f"1.{i}", section="一、重点工作", group="", leader="", no=str(i),
                          text=f"任务{i}", units=[unit], lead_unit=unit))
        rows.append(ProgressRow(task_id=f"1.{i}", unit=unit, role="牵头", item="细化项目", indicator="指标",
                                measure_unit="个", target=target, current=current, item_no=1))
    register = Register(source="t", layout="t", tasks=tasks)
    return register, Progress(period="2021Q3", rows=rows, reported_units=[t.units[0] for t in tasks])


def test_the_pairs_are_really_below_75_percent_in_binary():
    assert [c / t == 0.75 for t, c in PAIRS] == [False] * 3  # the trap is real: 0.74999… and 0.75000…01
    assert rates.classify(2.1 / 2.8, 0.75) == TaskStatus.ON_TIME  # not 超序时 by 1e-16


@pytest.mark.parametrize("band", [0.0, 0.05])
def test_python_classification_at_the_stated_precision(band):
    for t, c in PAIRS:
        assert rates.classify(c / t, 0.75, on_time_band=band) == TaskStatus.ON_TIME
    assert rates.classify(0.75 - 1e-9, 0.75) == TaskStatus.BEHIND  # a real difference still counts
    assert rates.classify(0.75 + 1e-9, 0.75) == TaskStatus.AHEAD
    assert 0.3 / (0.1 + 0.2) < 1 and rates.classify(0.3 / (0.1 + 0.2), 0.75) == TaskStatus.DONE
    assert f"ROUND(A1,{rates.COMPARE_DIGITS})" in rates.classify_formula("A1", "B1", on_time_band=band)
    assert not rates.below_margin(0.65 - 1e-17, 0.75, 0.1)


@pytest.mark.parametrize("rule_name", ["default", "ouhai"])
def test_compiled_statuses_and_counts_agree_with_libreoffice(rule_name, soffice, tmp_path):
    register, progress = _case()
    out = tmp_path / "汇编.xlsx"
    result = compile_workbook(register, progress, out, as_of=AS_OF, rules=load_rules(rule_name))
    assert result.expected == 0.75
    assert {t.task_id: t.status for t in result.tasks} == {"1.1": "达序时", "1.2": "达序时", "1.3": "达序时"}
    assert result.counts["达序时"] == 3 and result.counts["滞后"] == 0 and result.counts["超序时"] == 0
    n, problems = compare_with_libreoffice(out, tmp_path / "lo")
    assert n > 10 and problems == []
    recalculated = openpyxl.load_workbook(next((tmp_path / "lo").glob("*.xlsx")), data_only=True)[SHEET_COMPILATION]
    statuses = [c.value for row in recalculated.iter_rows() for c in row if c.value in set(TaskStatus)]
    assert statuses.count("达序时") == 3 and "滞后" not in statuses
