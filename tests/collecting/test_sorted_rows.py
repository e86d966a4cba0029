"""Issue 14 item 4: a unit that unprotects 填报, unmerges and sorts rows (a task's block by 指标名称, or the
whole table) moves indicators away from the 细化项目 above them. Every row carries its issued place in the
hidden 行号 column: collect reads each block in its issued order (the same lines as the unsorted return), says
the rows were moved, and a whole-table sort gives no "任务编号被修改" when no id was edited."""
from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.builders import PERIOD
from tests.make_corpus import Kit
from xltasks.collecting.merge import collect
from xltasks.collecting.sheet_xml import shift_formula
from xltasks.core import layout
from xltasks.issuing.fill import Entry

UNIT = "市发改委"  # block 1.1: rows 4-9, block 1.2: rows 10-15
ENTRIES = [
    Entry("1.1", "地铁建设", "新增地铁运营里程", "公里", 75, 60),
    Entry("1.1", "", "站点数", "个", 20, 20),
    Entry("1.1", "", "车辆数", "辆", 100, 10),
    Entry("1.1", "稳就业", "城镇新增就业", "万人", 20, 15),
    Entry("1.1", "", "培训人次", "万人次", 10, 9),
    Entry("1.2", "配合数据归集", "接入系统数", "个", 10, 8),
    Entry("1.2", "", "归集数据量", "万条", 500, 100),
]


def _sort_rows(path: Path, first: int, last: int) -> None:
    """Unmerge everything and sort rows first..last by 指标名称 as a spreadsheet does (formulas follow)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.SHEET_ENTRY]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    width = len(layout.COLUMNS)
    rows = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in range(first, last + 1)]
    order = sorted(range(len(rows)), key=lambda i: (rows[i][layout.COLUMN_INDEX["indicator"]] or "\uffff", i))
    for new_i, old_i in enumerate(order):
        for c, v in enumerate(rows[old_i], start=1):
            if isinstance(v, str) and v.startswith("="):
                v = "=" + shift_formula(v[1:], new_i - old_i, 0)
            ws.cell(first + new_i, c).value = v
    wb.save(path)


def _lines(result, unit=UNIT):
    return sorted((r.task_id, r.item_no, r.item, r.indicator, r.target, r.current) for r in result.progress.rows
                  if r.unit == unit)


def test_sorting_a_block_or_the_table_changes_nothing_read(tmp_path):
    kit = Kit(tmp_path / "kit")
    plain = kit.filled(tmp_path / "plain" / "a.xlsx", ENTRIES)
    expected = _lines(collect([plain], kit.register, PERIOD))
    assert len(expected) == len(ENTRIES)
    for name, (first, last) in {"block": (4, 9), "table": (4, 15)}.items():
        sorted_file = kit.filled(tmp_path / name / "a.xlsx", ENTRIES)
        _sort_rows(sorted_file, first, last)
        ws = openpyxl.load_workbook(sorted_file)[layout.SHEET_ENTRY]
        moved = [ws.cell(r, layout.COLUMN_INDEX["indicator"] + 1).value for r in range(4, 9)]
        assert moved != [e.indicator for e in ENTRIES[:5]]  # the sort really moved indicators
        res = collect([sorted_file], kit.register, PERIOD)
        [f] = res.files
        assert f.status == "accepted", f.problems
        assert [p.code for p in f.problems if p.level == "错误"] == []
        assert "rows-reordered" in [p.code for p in f.problems], name
        assert not [p for p in f.problems if p.code == "locked-cell-changed"], name
        assert _lines(res) == expected, name


def test_a_real_edited_id_is_still_found_after_a_sort(tmp_path):
    kit = Kit(tmp_path / "kit")
    p = kit.filled(tmp_path / "a.xlsx", ENTRIES)
    _sort_rows(p, 4, 15)
    wb = openpyxl.load_workbook(p)
    ws = wb[layout.SHEET_ENTRY]
    key_col, id_col = layout.COLUMN_INDEX["row_key"] + 1, layout.COLUMN_INDEX["task_id"] + 1
    [r] = [r for r in range(4, 16) if ws.cell(r, key_col).value == 5]  # issued row 5: a row of task 1.1
    ws.cell(r, id_col).value = "1.2"
    wb.save(p)
    res = collect([p], kit.register, PERIOD)
    found = [(q.code, q.cell) for q in res.files[0].problems if q.code == "locked-cell-changed"]
    assert found == [("locked-cell-changed", f"B{r}")]


def test_task_ids_turned_into_numbers_are_said_and_read_as_issued(tmp_path):
    """"1.10" re-typed (or converted) into the number 1.1: the row's issued place names its block."""
    from xltasks.core.models import Register, Task, Unit
    from xltasks.issuing.fill import fill_template
    from xltasks.issuing.templates import make_templates

    def task(tid):
        return Task(id=tid, section="一、重点工作", group="", leader="", no=tid.split(".")[-1], text=f"任务{tid}",
                    units=[UNIT], lead_unit=UNIT)

    reg = Register(source="t", layout="t", tasks=[task("1.9"), task("1.10")], units=[Unit(UNIT, "部门")])
    [issued] = make_templates(reg, tmp_path / "tpl", PERIOD).issued
    p = tmp_path / "a.xlsx"
    fill_template(issued.path, p, [Entry("1.9", "甲", "指标甲", "个", 10, 5), Entry("1.10", "乙", "指标乙", "个", 10, 8)])
    wb = openpyxl.load_workbook(p)
    ws = wb[layout.SHEET_ENTRY]
    id_col = layout.COLUMN_INDEX["task_id"] + 1
    converted = [r for r in range(4, ws.max_row + 1) if ws.cell(r, id_col).value == "1.10"]
    for r in converted:
        ws.cell(r, id_col).value = 1.1  # what Excel makes of "1.10" typed into a General cell
    wb.save(p)
    res = collect([p], reg, PERIOD)
    [f] = res.files
    assert f.status == "accepted", f.problems
    assert sorted(q.cell for q in f.problems if q.code == "task-id-number") == [f"B{r}" for r in converted]
    assert [(r.task_id, r.item, r.current) for r in res.progress.rows] == [("1.9", "甲", 5), ("1.10", "乙", 8)]
