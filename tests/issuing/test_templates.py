"""Per-unit templates: built over the real Hangzhou register (seed 000) and checked the way collect,
Excel users and LibreOffice see them."""
from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from xltasks.core import layout, rates
from xltasks.core.errors import XltasksError
from xltasks.core.models import (DIRECTION_UPPER, UNIT_KIND_COLLECTIVE, Progress, ProgressRow,
                            Register, Task, Unit)
from xltasks.issuing.templates import DISTRIBUTION_LIST, make_templates

from tests.conftest import SEED_000
from tests.recalc import compare_with_libreoffice

C = {k: i + 1 for k, i in layout.COLUMN_INDEX.items()}  # 1-based columns for openpyxl
DEADLINE = dt.date(2021, 10, 10)


@pytest.fixture(scope="module")
def hangzhou() -> Register:
    from xltasks.importers import import_paths

    return import_paths([SEED_000])


@pytest.fixture(scope="module")
def run(hangzhou, tmp_path_factory):
    out = tmp_path_factory.mktemp("templates")
    return make_templates(hangzhou, out, "2021Q3", deadline=DEADLINE, register_sha256="ab" * 32)


def meta_of(wb) -> dict:
    return {k: v for k, v, *_ in wb[layout.SHEET_META].iter_rows(values_only=True)}


def task_ids_in_sheet(ws) -> list[str]:
    """Task ids of the 填报 sheet, one per block, in order (every entry row carries one)."""
    ids = []
    for (value,) in ws.iter_rows(min_row=layout.FIRST_ENTRY_ROW, min_col=C["task_id"], max_col=C["task_id"],
                                 values_only=True):
        assert value not in (None, ""), "an entry row without its task id"
        if not ids or ids[-1] != value:
            ids.append(value)
    return ids


def issued_for(run, unit):
    return next(i for i in run.issued if i.unit == unit)


def test_one_template_per_unit_with_exactly_its_tasks(hangzhou, run):
    names = list(dict.fromkeys(n for t in hangzhou.tasks for n in t.units))
    assert sorted(i.unit for i in run.issued) == sorted(names)
    for it in run.issued:
        expected = [t.id for t in hangzhou.tasks if it.unit in t.units]
        assert it.task_ids == expected
        wb = openpyxl.load_workbook(it.path, read_only=True)
        assert task_ids_in_sheet(wb[layout.SHEET_ENTRY]) == expected, it.unit
        meta = meta_of(wb)
        assert meta[layout.META_TASK_IDS].split(",") == expected
        assert meta[layout.META_UNIT] == it.unit
        wb.close()
        assert it.path.name == f"2021Q3_{it.unit}.xlsx" or "/" in it.unit


def test_roles_follow_the_register(hangzhou, run):
    it = issued_for(run, "市地铁集团")
    assert "4.26" in it.lead_task_ids
    it = issued_for(run, "市轨道办")
    assert "4.26" in it.support_task_ids and "4.26" not in it.lead_task_ids
    wb = openpyxl.load_workbook(it.path)
    ws = wb[layout.SHEET_ENTRY]
    first, _ = next((f, l) for tid, f, l in layout.parse_task_rows(meta_of(wb)[layout.META_TASK_ROWS])
                    if tid == "4.26")
    assert ws.cell(first, C["role"]).value == "配合"


def test_meta_is_complete_and_hidden(run):
    it = issued_for(run, "市发改委")
    wb = openpyxl.load_workbook(it.path)
    assert wb.sheetnames == [layout.SHEET_INSTRUCTIONS, layout.SHEET_ENTRY, layout.SHEET_META]
    assert wb[layout.SHEET_META].sheet_state == "veryHidden"
    meta = meta_of(wb)
    assert list(meta) == list(layout.META_KEYS)
    assert len(meta[layout.META_TEMPLATE_ID]) == 32 and int(meta[layout.META_TEMPLATE_ID], 16) >= 0
    assert meta[layout.META_TEMPLATE_ID] == it.template_id
    assert meta[layout.META_SCHEMA_VERSION] == layout.SCHEMA_VERSION
    assert meta[layout.META_PERIOD] == "2021Q3"
    assert meta[layout.META_DEADLINE] == "2021-10-10"
    assert meta[layout.META_REGISTER_SHA256] == "ab" * 32
    assert meta[layout.META_GENERATOR].startswith(layout.GENERATOR)
    dt.datetime.fromisoformat(meta[layout.META_GENERATED_AT])
    # task_rows covers the sheet's blocks exactly, each row of a block carrying the block's id
    ws = wb[layout.SHEET_ENTRY]
    blocks = layout.parse_task_rows(meta[layout.META_TASK_ROWS])
    assert [b[0] for b in blocks] == it.task_ids
    assert blocks[0][1] == layout.FIRST_ENTRY_ROW
    for (tid, first, last), nxt in zip(blocks, blocks[1:] + [(None, ws.max_row + 1, None)]):
        assert nxt[1] == last + 1
        assert last - first + 1 >= layout.DEFAULT_ROWS_PER_TASK
        assert {ws.cell(r, C["task_id"]).value for r in range(first, last + 1)} == {tid}
    # ids differ between workbooks: a returned file is identified by its content
    other = meta_of(openpyxl.load_workbook(issued_for(run, "市建委").path))
    assert other[layout.META_TEMPLATE_ID] != meta[layout.META_TEMPLATE_ID]


def test_header_and_title_rows(run):
    wb = openpyxl.load_workbook(issued_for(run, "市建委").path)
    ws = wb[layout.SHEET_ENTRY]
    header = [c.value for c in ws[layout.HEADER_ROW]]
    assert tuple(header) == layout.HEADER_LABELS
    required = [h for h in header if h in layout.REQUIRED_LABELS]
    assert required == ["任务编号", "细化项目", "指标名称", "计量单位", "目标值", "当前值", "指标方向", "自评完成率",
                        "完成率", "主要亮点", "存在问题与下步计划"]
    assert ws.cell(layout.TITLE_ROW, 1).value == "2021年第三季度 重点工作推进情况填报表"
    assert "市建委" in ws.cell(layout.INFO_ROW, 1).value and "2021-10-10" in ws.cell(layout.INFO_ROW, 1).value


def test_protection_only_entry_cells_unlocked(run):
    wb = openpyxl.load_workbook(issued_for(run, "市建委").path)
    ws = wb[layout.SHEET_ENTRY]
    assert ws.protection.sheet is True
    # resizing and filtering stay allowed (False = not protected in OOXML terms)
    assert ws.protection.formatColumns is False and ws.protection.formatRows is False
    assert ws.protection.autoFilter is False
    blocks = layout.parse_task_rows(meta_of(wb)[layout.META_TASK_ROWS])
    merged = {str(m) for m in ws.merged_cells.ranges}
    for tid, first, last in blocks[:5]:
        for row in range(first, last + 1):
            for col in layout.COLUMNS:
                cell = ws.cell(row, C[col.key])
                if col.task_level:
                    if row == first:
                        assert cell.protection.locked is False, cell.coordinate
                    continue
                assert cell.protection.locked is (not col.entry), cell.coordinate
        # the task id cell of every row is its own, unmerged cell
        tid_col = layout.col_letter("task_id")
        assert not any(m.startswith(f"{tid_col}{first}:") for m in merged)
    assert ws.cell(layout.HEADER_ROW, C["item"]).protection.locked is True
    instructions = wb[layout.SHEET_INSTRUCTIONS]
    assert instructions.protection.sheet is True


def test_data_validations(run):
    wb = openpyxl.load_workbook(issued_for(run, "市建委").path)
    ws = wb[layout.SHEET_ENTRY]
    by_col = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_col[rng.min_col] = (dv, rng)
    last = ws.max_row

    def rule(key):
        dv, rng = by_col[C[key]]
        assert (rng.min_row, rng.max_row) == (layout.FIRST_ENTRY_ROW, last)
        assert dv.promptTitle and dv.prompt and dv.errorTitle and dv.error
        return dv

    assert rule("target").type == "decimal" and rule("target").errorStyle in (None, "stop")
    current = rule("current")
    assert current.type == "decimal" and current.errorStyle == "warning" and "待年底核算" in current.prompt
    direction = rule("direction")
    assert direction.type == "list"
    assert direction.formula1 == '"' + ",".join(rates.DIRECTION_LABELS.values()) + '"'
    self_rate = rule("self_rate")
    assert self_rate.type == "decimal" and (float(self_rate.formula1), float(self_rate.formula2)) == (0, 1)
    for key, limit in (("item", layout.MAX_ITEM_LEN), ("indicator", layout.MAX_INDICATOR_LEN),
                       ("measure_unit", layout.MAX_MEASURE_UNIT_LEN), ("highlights", layout.MAX_NARRATIVE_LEN),
                       ("problems", layout.MAX_NARRATIVE_LEN)):
        dv = rule(key)
        assert dv.type == "textLength" and int(dv.formula1) == limit, key
    for dv, _ in by_col.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in dv.error), dv.error


def test_rate_formulas_and_defaults(run):
    wb = openpyxl.load_workbook(issued_for(run, "市建委").path)
    ws = wb[layout.SHEET_ENTRY]
    for row in range(layout.FIRST_ENTRY_ROW, ws.max_row + 1):
        expected = "=" + rates.indicator_formula(layout.cell_ref("target", row), layout.cell_ref("current", row),
                                                 layout.cell_ref("self_rate", row),
                                                 direction_ref=layout.cell_ref("direction", row))
        assert ws.cell(row, C["rate"]).value == expected
        assert ws.cell(row, C["rate"]).number_format == "0.00%"
        assert ws.cell(row, C["direction"]).value in rates.DIRECTION_LABELS.values()
        assert ws.cell(row, C["current"]).value is None


def test_print_setup_and_panes(run):
    wb = openpyxl.load_workbook(issued_for(run, "市建委").path)
    ws = wb[layout.SHEET_ENTRY]
    assert ws.page_setup.paperSize == 8 and ws.page_setup.orientation == "landscape"
    # one page wide (fitToWidth defaults to 1 in OOXML), any number of pages tall
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${layout.HEADER_ROW}:${layout.HEADER_ROW}"
    assert ws.freeze_panes == f"{layout.col_letter('units')}{layout.FIRST_ENTRY_ROW}"
    widths = {}
    for dim in ws.column_dimensions.values():  # openpyxl groups neighbouring columns of equal width
        for c in range(dim.min, dim.max + 1):
            widths[c] = dim.width
    for col in layout.COLUMNS:
        assert abs(widths[C[col.key]] - col.width) < 1, col.label
    assert ws.cell(layout.FIRST_ENTRY_ROW, C["task_text"]).font.name == "宋体"
    assert ws.cell(layout.FIRST_ENTRY_ROW, C["task_text"]).alignment.wrap_text
    assert "xltasks_entry" in wb.defined_names


def test_proposals_prefilled_and_marked(run):
    wb = openpyxl.load_workbook(issued_for(run, "市人力社保局").path)
    ws = wb[layout.SHEET_ENTRY]
    first, last = next((f, l) for tid, f, l in layout.parse_task_rows(meta_of(wb)[layout.META_TASK_ROWS])
                       if tid == "4.136")
    rows = [[ws.cell(r, C[k]).value for k in ("indicator", "target", "measure_unit", "direction", "note")]
            for r in range(first, last + 1)]
    assert rows[0] == ["城镇新增就业", 25, "万人", "越高越好", layout.NOTE_PROPOSED]
    assert rows[1] == ["城镇登记失业率", 3.5, "%", "不超过", layout.NOTE_PROPOSED]
    assert rows[2][:2] == [None, None] and rows[2][4] is None
    cell = ws.cell(first, C["indicator"])
    assert cell.protection.locked is False
    assert cell.fill.fgColor.rgb not in (None, "00000000", "FFFFFFFF")
    assert ws.cell(first + 2, C["indicator"]).fill.fgColor.rgb != cell.fill.fgColor.rgb


def test_instructions_notices_and_distribution_list(run, hangzhou):
    it = issued_for(run, "市发改委")
    wb = openpyxl.load_workbook(it.path)
    text = "\n".join(str(c.value) for c in wb[layout.SHEET_INSTRUCTIONS]["A"] if c.value)
    for phrase in ("白色单元格", "待年底核算", "自评完成率", "不超过", "2021年10月10日", "请勿修改", "市发改委"):
        assert phrase in text, phrase
    assert "{{" not in text and "{%" not in text
    assert text.startswith("2021年第三季度重点工作推进情况填报说明（市发改委）")
    assert "#" not in text
    notice = it.notice.read_text(encoding="utf-8-sig")
    assert it.notice.name == "2021Q3_市发改委_下发通知.txt"
    assert notice.startswith("关于报送2021年第三季度重点工作推进情况的通知")
    assert "#" not in notice and "2021Q3" not in notice.replace(it.path.name, "")
    assert it.notice.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "市发改委" in notice and "2021年10月10日" in notice and it.path.name in notice
    assert "、".join(it.lead_task_ids) in notice
    dl = openpyxl.load_workbook(run.distribution_list).active
    rows = list(dl.iter_rows(values_only=True))
    assert rows[0][:7] == ("单位", "文件", "牵头任务数", "牵头任务", "配合任务数", "配合任务", "截止日期")
    assert len(rows) - 1 == len(run.issued)
    row = next(r for r in rows if r[0] == "市发改委")
    assert row[1] == it.path.name and row[2] == len(it.lead_task_ids) and row[6] == "2021-10-10"
    # a 配合落实 task lists 市发改委 first (lead_unit, issue 13) but its role there is 配合
    assert row[4] == sum(1 for t in hangzhou.tasks if "市发改委" in t.units and t.role_of("市发改委") != "牵头")


def test_collectives_warned_without_directory(hangzhou, run):
    collectives = [u.name for u in hangzhou.units if u.kind == UNIT_KIND_COLLECTIVE]
    assert collectives
    (warning,) = [w for w in run.warnings if "集合" in w]
    for name in collectives:
        assert name in warning


def test_fresh_template_formulas_agree_with_libreoffice(run, soffice, tmp_path):
    n, disagreements = compare_with_libreoffice(issued_for(run, "市人力社保局").path, tmp_path)
    assert n > 0 and disagreements == []


def small_register() -> Register:
    tasks = [
        Task(id="1", section="四", group="", leader="", no="1", text="新增地铁运营里程75公里。",
             units=["市建委", "市交通局"], lead_unit="市建委"),
        Task(id="2", section="四", group="", leader="", no="2", text="城镇登记失业率控制在3.5%以内。",
             units=["市交通局", "市建委"], lead_unit="市交通局"),
        Task(id="3", section="四", group="", leader="", no="3", text="=HYPERLINK(\"http://x\")深化改革",
             units=["市建委"], lead_unit="市建委"),
    ]
    return Register(source="t", layout="test", tasks=tasks,
                    units=[Unit("市建委", "部门"), Unit("市交通局", "部门")])


def previous_progress() -> Progress:
    rows = [ProgressRow("1", "市建委", "牵头", "地铁三期", "新增地铁运营里程", "公里", 75, 60.5, item_no=1),
            ProgressRow("1", "市建委", "牵头", "地铁三期", "新开通站点", "座", 20, 12, item_no=1),
            ProgressRow("1", "市建委", "牵头", "地铁四期", "", "", None, None, "qualitative", self_rate=0.5, item_no=2),
            ProgressRow("1", "市建委", "牵头", "地铁四期", "土建投资", "亿元", 80, None, pending=True,
                        current_text="待年底核算", item_no=2),
            ProgressRow("1", "市建委", "牵头", "地铁五期", "控制超概", "%", 5, 3, DIRECTION_UPPER, item_no=3),
            ProgressRow("1", "市建委", "牵头", "地铁六期", "站点", "座", 7, 1, item_no=4),
            ProgressRow("1", "市交通局", "配合", "配合地铁", "接驳公交线路", "条", 10, 4, item_no=1)]
    return Progress(period="2021Q2", rows=rows, reported_units=["市建委", "市交通局"])


def test_previous_period_prefilled(tmp_path):
    run = make_templates(small_register(), tmp_path, "2021Q3", previous=previous_progress())
    wb = openpyxl.load_workbook(issued_for(run, "市建委").path)
    ws = wb[layout.SHEET_ENTRY]
    blocks = {tid: (f, l) for tid, f, l in layout.parse_task_rows(meta_of(wb)[layout.META_TASK_ROWS])}
    first, last = blocks["1"]
    assert last - first + 1 == 6 + 2  # six previous lines + two spare rows
    got = [[ws.cell(r, C[k]).value for k in ("item", "indicator", "measure_unit", "target", "current",
                                              "direction", "note")] for r in range(first, first + 6)]
    assert got[0] == ["地铁三期", "新增地铁运营里程", "公里", 75, None, "越高越好", "上期值：60.5公里"]
    assert got[1] == [None, "新开通站点", "座", 20, None, "越高越好", "上期值：12座"]  # blank item continues
    assert got[2][:2] == ["地铁四期", None] and got[2][5] == "定性" and got[2][6] == "上期值：自评50%"
    assert got[3][6] == "上期值：待年底核算"
    assert got[4][5] == "不超过"
    assert ws.cell(first + 6, C["indicator"]).value is None
    # task 2 had no previous lines: proposals instead, default block size
    f2, l2 = blocks["2"]
    assert ws.cell(f2, C["indicator"]).value == "城镇登记失业率" and l2 - f2 + 1 == layout.DEFAULT_ROWS_PER_TASK
    # the other unit sees only its own previous lines
    wb2 = openpyxl.load_workbook(issued_for(run, "市交通局").path)
    ws2 = wb2[layout.SHEET_ENTRY]
    first2, _ = next((f, l) for tid, f, l in layout.parse_task_rows(meta_of(wb2)[layout.META_TASK_ROWS])
                     if tid == "1")
    assert ws2.cell(first2, C["indicator"]).value == "接驳公交线路"
    assert ws2.cell(first2 + 1, C["indicator"]).value is None


def test_previous_template_formulas_agree_with_libreoffice(tmp_path, soffice):
    run = make_templates(small_register(), tmp_path / "out", "2021Q3", previous=previous_progress())
    n, disagreements = compare_with_libreoffice(issued_for(run, "市建委").path, tmp_path)
    assert n > 0 and disagreements == []


def test_task_text_that_looks_like_a_formula_stays_text(tmp_path):
    run = make_templates(small_register(), tmp_path, "2021Q3")
    ws = openpyxl.load_workbook(issued_for(run, "市建委").path)[layout.SHEET_ENTRY]
    texts = [ws.cell(r, C["task_text"]) for r in range(layout.FIRST_ENTRY_ROW, ws.max_row + 1)]
    cell = next(c for c in texts if c.value and "HYPERLINK" in c.value)
    assert cell.data_type == "s"


def test_units_filter_rows_per_task_and_unknown_unit(tmp_path):
    run = make_templates(small_register(), tmp_path, "2021Q3", units=["市交通局"], rows_per_task=3)
    assert [i.unit for i in run.issued] == ["市交通局"]
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(["2021Q3_市交通局.xlsx", DISTRIBUTION_LIST])
    blocks = layout.parse_task_rows(meta_of(openpyxl.load_workbook(run.issued[0].path))[layout.META_TASK_ROWS])
    assert [last - first + 1 for _, first, last in blocks] == [3, 3]
    with pytest.raises(XltasksError, match="市不存在局"):
        make_templates(small_register(), tmp_path, "2021Q3", units=["市不存在局"])


def test_unsafe_unit_names_give_safe_distinct_file_names(tmp_path):
    reg = small_register()
    reg.tasks[0].units = ["市建委", "A/B办", "A:B办"]
    run = make_templates(reg, tmp_path, "2021Q3")
    names = [i.path.name for i in run.issued]
    assert len(set(names)) == len(names)
    assert all(not any(ch in n for ch in '<>:"/\\|?*') for n in names)
    assert {i.unit for i in run.issued} >= {"A/B办", "A:B办"}


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------

def test_cli_templates(tmp_path):
    from xltasks.cli import main

    reg_path = tmp_path / "register.json"
    reg_path.write_text(json.dumps(small_register().to_json_dict(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["templates", str(reg_path), "-o", str(out), "--period", "2021Q3",
                                       "--deadline", "2021-10-10", "--contact", "督查室 张三 0571-1234"])
    assert result.exit_code == 0, result.output
    assert "已生成 2 个单位的填报模板" in result.output
    assert (out / "2021Q3_市建委.xlsx").is_file() and (out / DISTRIBUTION_LIST).is_file()
    assert "督查室 张三" in (out / "2021Q3_市建委_下发通知.txt").read_text(encoding="utf-8-sig")
    meta = meta_of(openpyxl.load_workbook(out / "2021Q3_市建委.xlsx"))
    from xltasks.core.fileio import sha256_file
    assert meta[layout.META_REGISTER_SHA256] == sha256_file(reg_path)

    bad = CliRunner().invoke(main, ["templates", str(reg_path), "-o", str(out), "--period", "2021Q3",
                                    "--deadline", "10/10/2021"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    missing = CliRunner().invoke(main, ["templates", str(tmp_path / "nope.json"), "-o", str(out),
                                        "--period", "2021Q3"])
    assert missing.exit_code == 1 and "Error:" in missing.output and "nope.json" in missing.output
    unknown = CliRunner().invoke(main, ["templates", str(reg_path), "-o", str(out), "--period", "2021Q3",
                                        "--units", "市建委,市不存在局"])
    assert unknown.exit_code == 1 and "市不存在局" in unknown.output
