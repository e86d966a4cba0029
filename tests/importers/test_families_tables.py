"""Issue 13, family 6 (tables) and the input hazards: real .xlsx/.csv/.docx/.pdf files, each asserting
tasks, unit lists, leads, leaders and deadlines."""
from __future__ import annotations

import time

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from xltasks.cli import main
from xltasks.core.errors import NotADecomposition
from xltasks.importers import MAX_TEXT_BYTES, import_paths

TASKS = [  # (no, text, leader, lead units, co units, deadline)
    ("1", "推进老旧小区改造40个。", "张明", "区住建局", "区财政局、各镇街", "2021年6月底前"),
    ("2", "新建口袋公园10个。", "张明", "区城管局、区住建局", "", "2021年12月31日"),
    ("3", "完成固定资产投资500亿元。", "李敏华", "区发改局", "区统计局", "年内持续推进"),
]


def _two_row_xlsx(path, *, hidden_old_first=False):
    wb = openpyxl.Workbook()
    if hidden_old_first:
        old = wb.active
        old.title = "旧版(作废)"
        old.append(["序号", "工作任务", "责任单位"])
        old.append([1, "旧版任务。", "区旧局"])
        old.sheet_state = "hidden"
        ws = wb.create_sheet("2021年分解")
    else:
        ws = wb.active
        ws.title = "2021年分解"
    ws.append(["2021年重点工作责任分解表"])
    ws.append(["板块", "序号", "工作任务", "责任领导", "责任单位", None, "完成时限", "备注"])
    ws.append([None, None, None, None, "牵头单位", "配合单位", None, None])
    ws.merge_cells("A1:H1")
    ws.merge_cells("E2:F2")
    for col in "ABCDGH":
        ws.merge_cells(f"{col}2:{col}3")
    for no, text, leader, lead, co, deadline in TASKS:
        ws.append(["城市建设", int(no), text, leader, lead, co or None, deadline, None])
    ws.merge_cells("A4:A6")  # the 板块 cell merged down over all three tasks
    ws.merge_cells("D4:D5")  # the leader cell merged down over tasks 1 and 2
    wb.save(path)
    return path


def _check(reg):
    assert [t.no for t in reg.tasks] == ["1", "2", "3"]
    a, b, c = reg.tasks
    assert a.units == ["区住建局", "区财政局", "各镇街"] and a.lead_unit == "区住建局"
    assert a.co_units == ["区财政局", "各镇街"]  # 配合单位 under a merged 责任单位 header are kept
    assert b.lead_units == ["区城管局", "区住建局"] and b.co_units == []
    assert [t.leaders for t in reg.tasks] == [["张明"], ["张明"], ["李敏华"]]  # merged-down leader
    assert (a.deadline, a.deadline_date) == ("2021年6月底前", "2021-06-30")
    assert b.deadline_date == "2021-12-31" and (c.deadline, c.deadline_date) == ("年内持续推进", None)
    assert not any("没有任务内容" in w.message for w in reg.warnings)


def test_xlsx_two_row_header_merged_cells_and_deadlines(tmp_path):
    reg = import_paths([_two_row_xlsx(tmp_path / "分解.xlsx")])
    _check(reg)
    assert {t.section for t in reg.tasks} == {"城市建设"} and reg.sources[0].sections == 1


def test_hidden_superseded_first_sheet_is_not_read_and_the_sheet_read_is_named(tmp_path):
    reg = import_paths([_two_row_xlsx(tmp_path / "分解.xlsx", hidden_old_first=True)])
    _check(reg)
    assert not any("旧版任务" in t.text for t in reg.tasks)
    note = reg.warnings[0].message
    assert "“2021年分解”" in note and "旧版(作废)" in note and "未读取" in note


def test_csv_two_row_header(tmp_path):
    path = tmp_path / "分解.csv"
    lines = ["序号,工作任务,责任领导,责任单位,,完成时限", ",,,牵头单位,配合单位,"]
    lines += [f"{no},{text},{leader},\"{lead}\",\"{co}\",{deadline}" for no, text, leader, lead, co, deadline in TASKS]
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    _check(import_paths([path]))


def test_supporting_only_in_a_table_keeps_the_first_listed_as_lead(tmp_path):
    path = tmp_path / "分解.csv"
    path.write_text("序号,重点工作,配合单位\n1,推进文化强市建设。,\"市文化广电旅游局、杭州文广集团\"\n"
                    "2,推进X。,市发改委配合落实\n", encoding="utf-8")
    a, b = import_paths([path]).tasks
    assert a.supporting_only and a.lead_unit == "市文化广电旅游局" and a.units[1] == "杭州文广集团"
    assert b.supporting_only and b.lead_unit == "市发改委" and b.role_of("市发改委") == "配合"


# ---------------------------------------------------------------------------------------------- Word

def _docx_table(path, *, nested=False, province=False, two_rows=False):
    doc = Document()
    doc.add_paragraph("关于印发重点工作责任分解的通知")
    header = ["序号", "工作任务", "责任领导", "责任单位", "完成时限"]
    rows = 1 + len(TASKS) + (1 if two_rows else 0)
    table = doc.add_table(rows=rows, cols=6 if two_rows else 5)
    table.style = "Table Grid"
    if two_rows:
        for c, text in enumerate(["序号", "工作任务", "责任领导", "责任单位", "", "完成时限"]):
            table.cell(0, c).text = text
        table.cell(1, 3).text, table.cell(1, 4).text = "牵头单位", "配合单位"
        table.cell(0, 3).merge(table.cell(0, 4))
        for c in (0, 1, 2, 5):
            table.cell(0, c).merge(table.cell(1, c))
    else:
        for c, text in enumerate(header):
            table.cell(0, c).text = text
    first = 2 if two_rows else 1
    for r, (no, text, leader, lead, co, deadline) in enumerate(TASKS, start=first):
        cells = table.rows[r].cells
        cells[0].text, cells[1].text = no, text
        cells[2].text = leader
        if two_rows:
            cells[3].text, cells[4].text, cells[5].text = lead, co, deadline
            continue
        cells[4].text = deadline
        unit_cell = cells[3]
        if nested:
            unit_cell.text = ""
            inner = unit_cell.add_table(rows=2, cols=2)
            inner.cell(0, 0).text, inner.cell(0, 1).text = "牵头", "配合"
            inner.cell(1, 0).text, inner.cell(1, 1).text = lead, co
        else:
            unit_cell.text = lead + ("、" + co if co else "")
        if province:
            unit_cell.add_paragraph("省牵头单位：省建设厅")
    if two_rows:
        table.cell(first, 2).merge(table.cell(first + 1, 2)).text = "张明"
    doc.save(str(path))
    return path


def test_docx_nested_role_tables_in_unit_cells(tmp_path):
    reg = import_paths([_docx_table(tmp_path / "nested.docx", nested=True)])
    a, b, c = reg.tasks
    assert a.units == ["区住建局", "区财政局", "各镇街"] and a.lead_units == ["区住建局"]
    assert b.lead_units == ["区城管局", "区住建局"] and c.co_units == ["区统计局"]
    units = {u for t in reg.tasks for u in t.units}
    assert not units & {"牵头", "配合"} and a.deadline_date == "2021-06-30"


def test_docx_province_lead_paragraph_is_not_a_unit(tmp_path):
    reg = import_paths([_docx_table(tmp_path / "province.docx", province=True)])
    a = reg.tasks[0]
    assert a.units == ["区住建局", "区财政局", "各镇街"] and a.province_lead == "省建设厅"
    assert not any("省" in u for t in reg.tasks for u in t.units)


def test_docx_two_row_header_with_merged_leader(tmp_path):
    _check(import_paths([_docx_table(tmp_path / "two.docx", two_rows=True)]))


@pytest.mark.libreoffice
def test_pdf_wrapped_unit_names_are_joined(tmp_path, soffice_writer):
    """A narrow unit column wraps "市规划和自然资源局" inside the cell; pdfplumber's cell joins it back."""
    from xltasks.core.libreoffice import convert

    doc = Document()
    table = doc.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for c, text in enumerate(["序号", "工作任务", "责任单位"]):
        table.cell(0, c).text = text
    long_units = "市规划和自然资源局、市商务局(市粮食和物资储备局)、各区、县(市)政府(管委会)"
    table.cell(1, 0).text, table.cell(1, 1).text, table.cell(1, 2).text = "1", "完善国土空间规划。", long_units
    table.cell(2, 0).text, table.cell(2, 1).text, table.cell(2, 2).text = "2", "推进粮食安全。", "市农业农村局、市发改委"
    for row in table.rows:
        for cell, width in zip(row.cells, (1.2, 8.0, 2.6)):
            tc_w = OxmlElement("w:tcW")
            tc_w.set(qn("w:w"), str(int(width * 567)))
            tc_w.set(qn("w:type"), "dxa")
            cell._tc.get_or_add_tcPr().append(tc_w)
    src = tmp_path / "narrow.docx"
    doc.save(str(src))
    pdf = convert(src, tmp_path, "pdf")
    import pdfplumber

    with pdfplumber.open(str(pdf)) as p:
        printed = p.pages[0].extract_text()
    want = ["市规划和自然资源局", "市商务局(市粮食和物资储备局)", "各区、县(市)政府(管委会)"]
    assert any(u not in printed.replace("\n", "|") for u in want)  # names really wrap in the PDF
    a, b = import_paths([pdf]).tasks
    assert a.units == want
    assert b.units == ["市农业农村局", "市发改委"] and a.lead_unit == "市规划和自然资源局"


# ---------------------------------------------------------------------------------------------- text files

def test_utf16_with_bom_is_read(tmp_path):
    text = "1.推进老旧小区改造。\r\n牵头单位：区住建局\r\n配合单位：区财政局\r\n"
    for enc in ("utf-16", "utf-16-be"):
        path = tmp_path / f"{enc}.txt"
        data = text.encode(enc)
        path.write_bytes(data if enc == "utf-16" else b"\xfe\xff" + data)
        (t,) = import_paths([path]).tasks
        assert t.units == ["区住建局", "区财政局"] and t.lead_unit == "区住建局"


def test_a_file_far_beyond_any_decomposition_is_refused_up_front(tmp_path):
    path = tmp_path / "huge.txt"
    line = "1.推进X。（牵头单位：区住建局）\n".encode()
    with open(path, "wb") as fh:
        for _ in range(MAX_TEXT_BYTES // len(line) + 10):
            fh.write(line)
    start = time.perf_counter()
    with pytest.raises(NotADecomposition) as exc:
        import_paths([path])
    assert time.perf_counter() - start < 1.0  # refused before reading, not after parsing
    assert "文件太大" in str(exc.value) and "5 MB" in str(exc.value) and str(path) in str(exc.value)
    r = CliRunner().invoke(main, ["import", str(path), "-o", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 1 and "文件太大" in r.output and "Traceback" not in r.output


def test_explain_names_layouts_counts_and_unmatched_lines(tmp_path):
    path = tmp_path / "通知.txt"
    path.write_text("关于开展检查的通知\n各单位：\n请于月底前报送材料。\n联系人：王五\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["import", "--explain", str(path)])
    assert r.exit_code == 0
    for layout in ("web-table", "numbered", "pipe-table", "labelled", "tab-table"):
        assert f"  {layout}: " in r.output
    assert "没有任何版式" in r.output
    r = CliRunner().invoke(main, ["import", str(path), "-o", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 1 and r.output.count("\n") == 1
    assert "labelled 0 项" in r.output and "--explain" in r.output
    good = tmp_path / "分解.txt"
    good.write_text("1.推进X。【牵头单位：区住建局】\n无关的一行\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["import", "--explain", str(good)])
    assert "labelled: 1 项任务, 其中 1 项有责任单位, 1 行无法归入  ← 采用" in r.output
    assert "第2行: 无关的一行" in r.output
