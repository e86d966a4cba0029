"""A 细化项目 rated by itself (自评完成率, no target, no current) scores the same everywhere: in the unit's
own template, in what collect merges, in the 汇编, and in the reproduction's task rates; and 细化项目 are
grouped the same way (per unit) in the 汇编 and in compilation.progress_task_rates."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from xltasks.core import layout, rates
from xltasks.compiling.to_progress import progress_task_rates
from xltasks.compiling.writer import compile_workbook
from xltasks.core.libreoffice import recalculate
from xltasks.issuing.fill import Entry, fill_template
from xltasks.collecting.merge import collect
from xltasks.core.models import DIRECTION_HIGHER, Progress, ProgressRow, Register, Task
from xltasks.issuing.templates import make_templates

from tests.recalc import compare_with_libreoffice

UNIT, OTHER = "市发改委", "市经信局"


def _register() -> Register:
    return Register(source="t", layout="t", tasks=[
        Task(id="1.1", section="一、", group="", leader="", no="1", text="研究提出优化营商环境工作任务清单。",
             units=[UNIT], lead_unit=UNIT),
        Task(id="1.2", section="一、", group="", leader="", no="2", text="推进数字经济。",
             units=[UNIT, OTHER], lead_unit=UNIT)])


def test_python_rule():
    assert rates.indicator_rate(DIRECTION_HIGHER, None, None, 0.8) == 0.8
    assert rates.indicator_rate(DIRECTION_HIGHER, 10, None, 0.8) is None  # a target but no value yet
    assert rates.indicator_rate(DIRECTION_HIGHER, None, None, 0.8, pending=True) is None


def test_template_merge_and_compile_agree(tmp_path, soffice):
    register = _register()
    run = make_templates(register, tmp_path / "tpl", "2021Q3")
    issued = {it.unit: it for it in run.issued}
    returns = tmp_path / "returns"
    returns.mkdir()
    # the 指标方向 cell keeps its pre-filled 越高越好: the unit only types the item and its self-rating
    fill_template(issued[UNIT].path, returns / "fgw.xlsx", [
        Entry("1.1", "研究提出2021年优化营商环境工作任务清单", self_rate=0.8),
        Entry("1.2", "数字经济核心产业增加值", "增加值", "亿元", target=100, current=50),
    ])
    fill_template(issued[OTHER].path, returns / "jxj.xlsx", [
        Entry("1.2", "数字化改造", "改造企业数", "家", target=10, current=10),
        Entry("1.2", "", "新增上云企业", "家", target=20, current=5),
    ])
    result = collect([returns], register, "2021Q3")
    assert result.valid, result.problems
    (self_rated,) = [r for r in result.progress.rows if r.task_id == "1.1"]
    assert rates.row_rate(self_rated) == 0.8

    # the unit's own workbook (filled through openpyxl, so no cached values), recalculated by LibreOffice,
    # shows the same 80%
    recalculated = openpyxl.load_workbook(recalculate(returns / "fgw.xlsx", tmp_path / "lo"),
                                          data_only=True)[layout.SHEET_ENTRY]
    rate_col = layout.COLUMN_INDEX["rate"] + 1
    assert recalculated.cell(self_rated.provenance.row, rate_col).value == pytest.approx(0.8)

    compiled = compile_workbook(register, result.progress, tmp_path / "汇编.xlsx", as_of=dt.date(2021, 9, 30))
    # 1.2: 市发改委's item 50% and 市经信局's item (100% + 25%) / 2 = 62.5%, per unit: (0.5 + 0.625) / 2
    expected = {"1.1": 0.8, "1.2": (0.5 + 0.625) / 2}
    assert {t.task_id: t.rate for t in compiled.tasks} == pytest.approx(expected)
    assert progress_task_rates(result.progress) == pytest.approx(expected)
    n, problems = compare_with_libreoffice(compiled.path, tmp_path / "lo2")
    assert n > 0 and problems == []


def test_items_of_two_units_with_the_same_ordinal_stay_apart():
    rows = [ProgressRow("1.2", UNIT, "牵头", "甲", "a", target=4, current=1, item_no=1),
            ProgressRow("1.2", OTHER, "配合", "乙", "b", target=1, current=1, item_no=1),
            ProgressRow("1.2", OTHER, "配合", "乙", "c", target=2, current=1, item_no=1)]
    assert progress_task_rates(Progress("2021Q3", rows)) == {"1.2": pytest.approx((0.25 + 0.75) / 2)}
