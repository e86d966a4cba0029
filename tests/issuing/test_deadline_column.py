"""Issue 13: a register with deadlines gives each unit's template a 完成时限 column right of 说明 (every
other column keeps its letter); a register without them (the bundled example) gives none."""
from __future__ import annotations

import openpyxl

from xltasks.collecting.merge import collect
from xltasks.core import layout
from xltasks.importers import parse_text
from xltasks.issuing.templates import make_templates

TEXT = """1.推进老旧小区改造。（牵头单位：区住建局；配合单位：区财政局；完成时限：2021年6月底前）
2.新建口袋公园10个。（牵头单位：区城管局；配合单位：区住建局）
"""


def _header(path):
    ws = openpyxl.load_workbook(path)[layout.SHEET_ENTRY]
    return ws, [c.value for c in ws[layout.HEADER_ROW]]


def test_deadline_column_where_the_register_has_deadlines(tmp_path):
    reg = parse_text(TEXT, "分解.txt")
    run = make_templates(reg, tmp_path / "out", "2021Q3")
    by_unit = {it.unit: it.path for it in run.issued}
    ws, header = _header(by_unit["区住建局"])
    assert header[: len(layout.COLUMNS)] == list(layout.HEADER_LABELS)  # nothing moved
    assert header[layout.DEADLINE_INDEX] == "完成时限"
    deadlines: dict = {}
    for r in range(layout.FIRST_ENTRY_ROW, ws.max_row + 1):  # a task's first row carries it
        if ws.cell(r, 2).value:
            deadlines.setdefault(ws.cell(r, 2).value, ws.cell(r, layout.DEADLINE_INDEX + 1).value)
    assert deadlines == {"1": "2021年6月底前", "2": None}
    _ws, header = _header(by_unit["区城管局"])  # its only task has no deadline
    assert "完成时限" not in header and len(header) == len(layout.COLUMNS)


def test_a_template_with_the_deadline_column_is_collected(tmp_path):
    reg = parse_text(TEXT, "分解.txt")
    run = make_templates(reg, tmp_path / "out", "2021Q3")
    path = next(it.path for it in run.issued if it.unit == "区住建局")
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.SHEET_ENTRY]
    r = layout.FIRST_ENTRY_ROW
    ws.cell(r, layout.COLUMN_INDEX["item"] + 1, "改造小区")
    ws.cell(r, layout.COLUMN_INDEX["self_rate"] + 1, 0.5)
    returned = tmp_path / "returns" / "区住建局.xlsx"
    returned.parent.mkdir()
    wb.save(returned)
    result = collect([returned.parent], reg, "2021Q3")
    assert "区住建局" in result.progress.reported_units
