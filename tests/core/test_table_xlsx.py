"""merged.xlsx written straight as SpreadsheetML holds what xlsxwriter (new_workbook + write_table) writes:
the same sheets and states, cells (values and types), fonts, fills, borders, alignment, number formats,
column widths, frozen panes and autofilter, read back with openpyxl and calamine."""
from __future__ import annotations

import math

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xltasks.core.cells import column_letter
from xltasks.core.table_xlsx import Table, write_tables
from xltasks.core.xlsx import header_format, new_workbook, write_table, write_text

COLUMNS = [("任务编号", 9), ("单位", 22), ("序号", 8), ("细化项目", 40), ("目标值", 10), ("说明", 20)]
ROWS = [
    ["1.1", "市发改委", 1, "地铁建设 & <三号线>", 75.0, None],
    ["1.2", "市交通局", 2, " 前后有空格 ", 3.5e-7, "_x000D_ 与\r回车\n换行"],
    ["1.10", "", 3, "=1+1", 12345678901234567.0, "x" * 40000],
    ["2", "市应急局", 0, "", -0.1, True],
]


def _reference(path):
    wb = new_workbook(path)
    write_table(wb, "进度台账", COLUMNS, ROWS, head=header_format(wb), wrap_from=20, freeze_cols=2)
    rep = wb.add_worksheet("报送单位")
    rep.write_string(0, 0, "单位", header_format(wb))
    rep.set_column(0, 0, 30)
    for r, unit in enumerate(["市发改委", "市交通局"], start=1):
        write_text(rep, r, 0, unit)
    info = wb.add_worksheet("_info")
    info.write_string(0, 0, "period")
    write_text(info, 0, 1, "2021Q3")
    info.hide()
    wb.close()


def _ours(path):
    write_tables(path, [
        Table("进度台账", COLUMNS, ROWS, wrap_from=20, freeze_cols=2),
        Table("报送单位", [("单位", 30)], [["市发改委"], ["市交通局"]], wrap_from=math.inf, freeze=False,
              autofilter=False),
        Table("_info", [], [["period", "2021Q3"]], header=False, freeze=False, autofilter=False, hidden=True),
    ])


def _dump(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                cells[c.coordinate] = (c.value, c.data_type, c.font.b, c.font.name, c.font.sz, c.fill.fill_type,
                                       c.fill.fgColor.rgb if c.fill.fill_type else None, c.border.left.style,
                                       c.alignment.wrap_text, c.alignment.vertical, c.number_format)
        widths = {k: (round(d.width, 6), d.customWidth) for k, d in ws.column_dimensions.items() if d.width}
        out[ws.title] = (ws.sheet_state, ws.freeze_panes, ws.auto_filter.ref, cells, widths)
    return out


def test_same_workbook_as_xlsxwriter_writes(tmp_path):
    _reference(tmp_path / "ref.xlsx")
    _ours(tmp_path / "ours.xlsx")
    ref, ours = _dump(tmp_path / "ref.xlsx"), _dump(tmp_path / "ours.xlsx")
    assert ours == ref
    assert ours["进度台账"][3]["D4"][0] == "=1+1"  # text stays text
    for name in ("进度台账", "报送单位", "_info"):
        a = CalamineWorkbook.from_path(str(tmp_path / "ref.xlsx")).get_sheet_by_name(name).to_python()
        b = CalamineWorkbook.from_path(str(tmp_path / "ours.xlsx")).get_sheet_by_name(name).to_python()
        assert a == b, name


def test_libreoffice_opens_it(tmp_path, soffice):
    import subprocess

    _ours(tmp_path / "ours.xlsx")
    out = tmp_path / "lo"
    subprocess.run([soffice, "--headless", "--convert-to", "ods", "--outdir", str(out), str(tmp_path / "ours.xlsx")],
                   check=True, capture_output=True, timeout=180)
    sheet = CalamineWorkbook.from_path(str(out / "ours.ods")).get_sheet_by_name("进度台账").to_python()
    assert sheet[1][:5] == ["1.1", "市发改委", 1, "地铁建设 & <三号线>", 75]
    assert sheet[3][3] == "=1+1" and len(sheet) == len(ROWS) + 1


def test_column_names():
    assert [column_letter(c) for c in (0, 25, 26, 701, 702, 16383)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]


def test_a_number_no_workbook_can_hold_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_tables(tmp_path / "x.xlsx", [Table("t", [("a", 9)], [[float("nan")]])])
