"""fill_template: a template filled through openpyxl the way a bureau fills it."""
from __future__ import annotations

import openpyxl
import pytest

from xltasks.core import layout, rates
from xltasks.core.fileio import sha256_file
from xltasks.issuing.fill import Entry, fill_template
from xltasks.core.libreoffice import recalculate
from xltasks.core.models import DIRECTION_HIGHER, DIRECTION_QUALITATIVE, DIRECTION_UPPER, Register, Task, Unit
from xltasks.issuing.templates import make_templates

C = {k: i + 1 for k, i in layout.COLUMN_INDEX.items()}


def register() -> Register:
    tasks = [Task(id=f"4.{i}", section="四", group="", leader="", no=str(i), text=text, units=units,
                  lead_unit=units[0])
             for i, (text, units) in enumerate([
                 ("新增地铁运营里程75公里。", ["市建委", "市地铁集团"]),
                 ("城镇登记失业率控制在3.5%以内。", ["市建委"]),
                 ("深化“最多跑一次”改革。", ["市建委", "市数据资源局"]),
             ], start=26)]
    return Register(source="t", layout="test", tasks=tasks, units=[Unit("市建委", "部门")])


@pytest.fixture()
def template(tmp_path):
    run = make_templates(register(), tmp_path / "t", "2021Q3")
    return next(i for i in run.issued if i.unit == "市建委").path


def blocks_of(wb):
    meta = {k: v for k, v, *_ in wb[layout.SHEET_META].iter_rows(values_only=True)}
    return {tid: (f, l) for tid, f, l in layout.parse_task_rows(meta[layout.META_TASK_ROWS])}, meta


HIGHER, UPPER, QUAL = (rates.DIRECTION_LABELS[d] for d in (DIRECTION_HIGHER, DIRECTION_UPPER, DIRECTION_QUALITATIVE))

ENTRIES = [
    Entry("4.26", "地铁三期建设", "新增地铁运营里程", "公里", 75, 60, HIGHER, highlights="3号线开通", problems="拆迁滞后"),
    Entry("4.26", "", "新开通站点", "座", 20, 25, HIGHER),  # over-achieved: 125%
    Entry("4.26", "地铁四期", "土建投资", "亿元", 80, "待年底核算", HIGHER),  # pending: no rate
    Entry("4.26", "", "前期工作", "", None, None, QUAL, self_rate=0.8),
    Entry("4.27", "稳就业", "城镇登记失业率", "%", 3.5, 2.5, UPPER),  # met: 100%
    Entry("4.27", "", "长期失业率", "%", 2, 2.5, UPPER),  # exceeded: 80%
    Entry("4.27", "", "零目标", "个", 0, 3, HIGHER),  # target 0: no rate
    Entry("4.28", "改革", "", "", None, "2000万", None, highlights="办事提速"),  # text in 当前值, default direction
]


def expected_rate(e: Entry, direction_label: str):
    direction = rates.DIRECTION_BY_LABEL[direction_label]
    return rates.indicator_rate(direction, e.target, e.current, e.self_rate)


def test_fill_writes_entries_in_block_order(template, tmp_path):
    out = tmp_path / "filled.xlsx"
    before = sha256_file(template)
    fill_template(template, out, ENTRIES)
    assert sha256_file(template) == before  # the template is never modified
    wb = openpyxl.load_workbook(out)
    ws = wb[layout.SHEET_ENTRY]
    blocks, _ = blocks_of(wb)
    first, last = blocks["4.26"]
    got = [[ws.cell(r, C[k]).value for k in ("item", "indicator", "measure_unit", "target", "current",
                                              "direction", "self_rate")] for r in range(first, first + 4)]
    assert got == [["地铁三期建设", "新增地铁运营里程", "公里", 75, 60, HIGHER, None],
                   [None, "新开通站点", "座", 20, 25, HIGHER, None],
                   ["地铁四期", "土建投资", "亿元", 80, "待年底核算", HIGHER, None],
                   [None, "前期工作", None, None, None, QUAL, 0.8]]
    assert ws.cell(first, C["highlights"]).value == "3号线开通"
    assert ws.cell(first, C["problems"]).value == "拆迁滞后"
    # unused rows of a filled block are cleared (no proposal left behind), direction default kept
    for r in range(first + 4, last + 1):
        assert ws.cell(r, C["indicator"]).value is None and ws.cell(r, C["target"]).value is None
        assert ws.cell(r, C["direction"]).value == HIGHER
    f28, _ = blocks["4.28"]
    assert ws.cell(f28, C["current"]).value == "2000万" and ws.cell(f28, C["direction"]).value == HIGHER
    assert ws.cell(f28, C["highlights"]).value == "办事提速"


def test_filled_template_keeps_formulas_meta_protection_and_validations(template, tmp_path):
    out = tmp_path / "filled.xlsx"
    fill_template(template, out, ENTRIES)
    orig, filled = openpyxl.load_workbook(template), openpyxl.load_workbook(out)
    assert filled.sheetnames == orig.sheetnames
    assert filled[layout.SHEET_META].sheet_state == "veryHidden"
    assert blocks_of(filled)[1] == blocks_of(orig)[1]
    ws, ws0 = filled[layout.SHEET_ENTRY], orig[layout.SHEET_ENTRY]
    formulas = [ws.cell(r, C["rate"]).value for r in range(layout.FIRST_ENTRY_ROW, ws.max_row + 1)]
    assert formulas == [ws0.cell(r, C["rate"]).value for r in range(layout.FIRST_ENTRY_ROW, ws0.max_row + 1)]
    assert all(f.startswith("=IF(") for f in formulas)
    assert ws.protection.sheet is True
    assert len(ws.data_validations.dataValidation) == len(ws0.data_validations.dataValidation) > 0
    assert ws.cell(layout.FIRST_ENTRY_ROW, C["item"]).protection.locked is False
    assert ws.cell(layout.FIRST_ENTRY_ROW, C["task_id"]).protection.locked is True
    assert {str(m) for m in ws.merged_cells.ranges} == {str(m) for m in ws0.merged_cells.ranges}


def test_filled_rates_recalculated_by_libreoffice_match_rates_py(template, tmp_path, soffice):
    out = tmp_path / "filled.xlsx"
    fill_template(template, out, ENTRIES)
    recalced = openpyxl.load_workbook(recalculate(out, tmp_path / "lo"), data_only=True)[layout.SHEET_ENTRY]
    blocks, _ = blocks_of(openpyxl.load_workbook(out))
    seen = {d: 0 for d in (HIGHER, UPPER, QUAL)}
    by_task: dict[str, int] = {}
    for e in ENTRIES:
        i = by_task.get(e.task_id, 0)
        by_task[e.task_id] = i + 1
        row = blocks[e.task_id][0] + i
        direction = e.direction or HIGHER
        expected = expected_rate(e, direction)
        got = recalced.cell(row, C["rate"]).value
        if expected is None:
            assert got in (None, ""), (e, got)
        else:
            assert got == pytest.approx(expected, abs=1e-12), (e, got)
            seen[direction] += 1
    assert all(seen.values()), seen  # every direction produced a number
    assert expected_rate(ENTRIES[1], HIGHER) == pytest.approx(1.25)
    assert expected_rate(ENTRIES[5], UPPER) == pytest.approx(0.8)


def test_too_many_entries_or_unknown_task_raise(template, tmp_path):
    wb = openpyxl.load_workbook(template)
    first, last = blocks_of(wb)[0]["4.27"]
    too_many = [Entry("4.27", f"项目{i}") for i in range(last - first + 2)]
    with pytest.raises(ValueError, match="4.27"):
        fill_template(template, tmp_path / "x.xlsx", too_many)
    with pytest.raises(ValueError, match="9.99"):
        fill_template(template, tmp_path / "x.xlsx", [Entry("9.99", "x")])
    assert not (tmp_path / "x.xlsx").exists()
    exactly = [Entry("4.27", f"项目{i}") for i in range(last - first + 1)]
    fill_template(template, tmp_path / "ok.xlsx", exactly)
    ws = openpyxl.load_workbook(tmp_path / "ok.xlsx")[layout.SHEET_ENTRY]
    assert ws.cell(last, C["item"]).value == f"项目{last - first}"
    with pytest.raises(ValueError):
        fill_template(template, template, exactly)


def test_tasks_without_entries_keep_their_proposals(template, tmp_path):
    out = tmp_path / "filled.xlsx"
    fill_template(template, out, [Entry("4.28", "改革", self_rate=0.5, direction=DIRECTION_QUALITATIVE)])
    wb = openpyxl.load_workbook(out)
    ws = wb[layout.SHEET_ENTRY]
    blocks, _ = blocks_of(wb)
    first, _ = blocks["4.26"]
    assert ws.cell(first, C["indicator"]).value == "新增地铁运营里程"
    assert ws.cell(first, C["note"]).value == layout.NOTE_PROPOSED
    f28, _ = blocks["4.28"]
    assert ws.cell(f28, C["direction"]).value == QUAL  # an internal code is typed as its label
