"""Layout `table`: xlsx / csv grids with title rows, any column order, section and group rows."""
from __future__ import annotations

import csv

import pytest
import xlsxwriter

from xltasks.core.errors import NotADecomposition
from xltasks.importers import import_paths
from xltasks.importers.table import parse_rows

# Title rows, then a header in an unusual order, then section / group rows, tasks, a repeated header, a note.
GRID = [
    ["2024年政府工作报告重点工作责任分解", None, None, None, None],
    [None, None, None, None, None],
    ["责任单位", "重点工作任务", "序号", "配合单位", "牵头领导"],
    ["一、“十四五”时期重点工作", None, None, None, None],
    ["(一)张三副市长牵头重点工作", "(一)张三副市长牵头重点工作", None, None, None],  # merged across
    ["市发改委\n市经信局", "推进数字经济发展。", "1", "市科技局、市财政局", None],
    ["余杭经济技术开发区\n(钱江经济开发区)", "建设开发区。", "2*", None, "李四\n王五"],
    ["二、2024年重点工作", None, None, None, None],
    ["责任单位", "重点工作任务", "序号", "配合单位", "牵头领导"],
    ["(一)赵六常务副市长牵头重点工作", None, None, None, None],
    ["西湖区、滨江区政府", "新增就业1万人。", 1.0, None, None],
    [None, "市文化广电旅游局配合落实的任务。", "2", None, None],
    ["", "", "", "", ""],
    ["备注:以上任务按季度报送进展。", None, None, None, None],
    ["这一行说不清", "", "", "多出来的", ""],
]


def check(reg):
    assert [t.id for t in reg.tasks] == ["1.1", "1.2", "2.1", "2.2"]
    a, b, c, d = reg.tasks
    assert a.section == "一、“十四五”时期重点工作" and a.group == "(一)张三副市长牵头重点工作"
    assert a.leader == "张三" and a.text == "推进数字经济发展。"
    assert a.units == ["市发改委", "市经信局", "市科技局", "市财政局"] and a.lead_unit == "市发改委"
    assert a.unit_tiers == [["市发改委", "市经信局"], ["市科技局", "市财政局"]]
    assert b.starred and b.no == "2" and b.leader == "李四、王五"
    assert b.units == ["余杭经济技术开发区(钱江经济开发区)"]
    assert c.leader == "赵六" and c.units == ["西湖区政府", "滨江区政府"] and c.no == "1"
    assert d.units == [] and d.lead_unit == ""
    assert any("没有责任单位" in w.message for w in reg.warnings)
    assert any("备注" in w.message for w in reg.warnings)
    assert any("这一行说不清" in w.message for w in reg.warnings)
    assert reg.sources[0].sections == 2 and reg.sources[0].groups == 2


def test_parse_rows_grid():
    reg = parse_rows(GRID, "grid")
    check(reg)
    assert reg.tasks[0].source_line == 6  # 1-based row
    assert {w.line for w in reg.warnings if "备注" in w.message} == {14}


def test_xlsx(tmp_path):
    path = tmp_path / "分解.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("说明").write(0, 0, "这是说明页")
    ws = wb.add_worksheet("分解表")
    for r, row in enumerate(GRID):
        for c, v in enumerate(row):
            if isinstance(v, float):
                ws.write_number(r, c, v)
            elif v:
                ws.write_string(r, c, v)
    wb.close()
    reg = import_paths([path])
    assert reg.layout == "table"
    check(reg)
    assert reg.tasks[2].source_line == 11


def test_csv_gb18030(tmp_path):
    path = tmp_path / "分解.csv"
    with open(path, "w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows([["" if v is None else (str(int(v)) if isinstance(v, float) else v) for v in row]
                                 for row in GRID])
    check(import_paths([path], layout="table"))


def test_no_header_is_not_a_decomposition(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("姓名,电话\n张三,123\n", encoding="utf-8")
    with pytest.raises(NotADecomposition) as exc:
        import_paths([path])
    assert str(path) in str(exc.value)


def test_header_beyond_search_window_rejected():
    rows = [["标题"]] * 16 + [["序号", "重点工作任务", "责任单位"], ["1", "任务。", "市发改委"]]
    with pytest.raises(NotADecomposition):
        parse_rows(rows, "late-header")
    assert len(parse_rows(rows[2:], "ok").tasks) == 1
