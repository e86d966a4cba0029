"""core.grids: the one reader of our own workbooks' and imported tables' grids."""
from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from xltasks.core.errors import InputError
from xltasks.core.grids import GridLimits, number_formats, open_grids, openpyxl_like


def _book(path, far: str | None = None):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表")
    pct = wb.add_format({"num_format": "0.00%"})
    unit = wb.add_format({"num_format": 'General"万亩"'})
    ws.write_string(0, 0, "序号")
    ws.write_number(1, 1, 0.6876, pct)
    ws.write_number(1, 2, 70, unit)
    ws.write_number(2, 0, 3)
    ws.merge_range(3, 0, 4, 0, "合并")
    hidden = wb.add_worksheet("旧")
    hidden.hide()
    if far:
        hidden.write_string(far, "x")
    wb.close()
    return path


def test_grid_values_merges_and_hidden_sheets(tmp_path):
    with open_grids(_book(tmp_path / "a.xlsx"), GridLimits(100, 20), unreadable="无法读取") as wb:
        assert wb.sheet_names == ["表", "旧"] and wb.hidden_sheets == {"旧"}
        rows = wb.rows("表")
        assert rows[0][0] == "序号" and rows[1][1] == 0.6876 and rows[2][0] == 3.0 and rows[1][0] == ""
        assert wb.merged_ranges("表") == [(3, 0, 4, 0)]
    assert number_formats(tmp_path / "a.xlsx", "表") == {(1, 1): "0.00%", (1, 2): 'General"万亩"'}


def test_far_cell_refused_naming_sheet_and_cell(tmp_path):
    path = _book(tmp_path / "far.xlsx", far="ZZ5000")
    with pytest.raises(InputError) as e:
        open_grids(path, GridLimits(1000, 20), unreadable="无法读取")
    assert e.value.where == "旧!ZZ5000" and str(path) in str(e.value)


def test_unreadable_file_is_one_input_error(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(InputError, match="^.*bad.xlsx: 无法读取单位名录: "):
        open_grids(bad, GridLimits(10, 10), unreadable="无法读取单位名录")


def test_openpyxl_like_values():
    assert openpyxl_like("") is None and openpyxl_like(3.0) == 3 and isinstance(openpyxl_like(3.0), int)
    assert openpyxl_like(2.5) == 2.5 and openpyxl_like("x") == "x" and openpyxl_like(True) is True
    assert openpyxl_like(dt.date(2021, 9, 30)) == dt.datetime(2021, 9, 30)
