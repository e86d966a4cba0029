"""`xltasks compile`: the 汇编 workbook in seed 002's layout, checked cell by cell and against LibreOffice.

The register and progress below are blocks of seed 002 (杭州 2021 Q3) rebuilt as data: the 粮食 task
(L15–24, reported by two units), the 消费 task (87.5%), the 城西科创 task with self-rated 细化项目 (85.4%),
the PM2.5 and 失业率 upper bounds, the 三公 reduction with a pending value, and tasks made up to hit
each status (滞后, 达序时, 未报送).
"""
from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from xltasks.core import rates
from xltasks.cli import main
from xltasks.compiling.writer import compile_workbook
from xltasks.core.layout import SHEET_COMPILATION, SHEET_LEGEND, SHEET_SUMMARY
from xltasks.core.statuses import TaskStatus
from xltasks.core.models import DIRECTION_QUALITATIVE, Progress, Register
from xltasks.core.progress_io import write_progress
from xltasks.compiling.rules import load_rules

from tests.builders import (AGRI, AS_OF, G11, G21, GRAIN, S1, S2, compile_progress, compile_register, compile_row,
                            compile_task)
from tests.conftest import SEED_000
from tests.recalc import compare_with_libreoffice

EXPECTED_RATES = {"1.1.1": (1 + (1 + 1 + 0) / 3 + (83.2 / 121) + (1 + 1.57 / 10.39) / 2) / 4,
                  "1.2.2": 0.875, "2.1.1": 0.854, "2.1.30": 1.0, "2.1.38": (1 + 0.85) / 2, "2.1.39": 1.0,
                  "2.1.40": None, "2.1.41": 0.5, "2.1.42": 0.75}
EXPECTED_STATUS = {"1.1.1": "滞后", "1.2.2": "超序时", "2.1.1": "超序时", "2.1.30": "已完成", "2.1.38": "超序时",
                   "2.1.39": "已完成", "2.1.40": "未报送", "2.1.41": "滞后", "2.1.42": "达序时"}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("compile") / "汇编.xlsx"
    result = compile_workbook(compile_register(), compile_progress(), out, as_of=AS_OF)
    return result, out


def _cell_rows(ws, col: str) -> dict[str, int]:
    """Task id (hidden helper column) → first row of its block."""
    rows = {}
    for r in range(5, ws.max_row + 1):
        tid = ws[f"T{r}"].value
        if tid and tid not in rows:
            rows[tid] = r
    return rows


def test_rates_and_statuses_by_value(compiled):
    result, _ = compiled
    assert [t.task_id for t in result.tasks] == [t.id for t in compile_register().tasks]
    for tid, want in EXPECTED_RATES.items():
        got = result.task(tid).rate
        assert (got is None) if want is None else got == pytest.approx(want, abs=1e-12), tid
    assert {t.task_id: t.status for t in result.tasks} == EXPECTED_STATUS
    food = result.task("1.1.1")
    assert [it.unit for it in food.items] == [AGRI, AGRI, AGRI, GRAIN]  # lead unit first
    assert round(food.items[1].rate * 100, 2) == 57.56  # 002 L15–24's item
    assert round(food.rate * 100, 2) == 73.25  # exactly; 002 shows 73.08% after rounding 66.67% to 66%
    jobs = result.task("2.1.39").items[1]
    assert [i.rate for i in jobs.indicators][1] == 1.0 and jobs.rate == 1.0  # not 71.71% / 90.57%
    assert result.task("2.1.30").items[0].indicators[0].rate == 1.0  # PM2.5
    assert result.task("2.1.38").items[1].indicators[0].rate == pytest.approx(0.7)
    pending = result.task("2.1.38").items[2]
    assert pending.rate is None and pending.indicators[0].shown == rates.PENDING_LABEL
    assert result.counts == {"已完成": 2, "超序时": 3, "达序时": 1, "滞后": 2, "无完成率": 0, "未报送": 1}
    assert len(result.warnings) == 1 and "9.9.9" in result.warnings[0]


def test_layout_merges_headers_and_cells(compiled):
    result, out = compiled
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SHEET_COMPILATION, SHEET_SUMMARY, SHEET_LEGEND]
    ws = wb[SHEET_COMPILATION]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:L1", "A3:A4", "B3:C3", "D3:E3", "F3:I3", "J3:J4", "K3:K4", "L3:L4"} <= merged
    assert [ws.cell(3, c).value for c in range(1, 13)] == [
        "序号", "重点工作", None, "细化项目", None, "量化指标", None, None, None, "责任单位", "主要亮点", "存在问题与下步计划"]
    assert [ws.cell(4, c).value for c in range(2, 10)] == [
        "任务说明", "完成率", "任务说明", "完成率", "指标名称", "数值及单位", "当前值", "完成率"]
    # section row, leader-group row, then the 粮食 task: 1 + 3 + 2 + 4 indicator rows = 10
    assert ws["A5"].value == S1 and "A5:L5" in merged
    assert ws["A6"].value == G11 and "A6:L6" in merged
    food = result.task("1.1.1").row
    assert food == 7
    for col in "ABCJKL":
        assert f"{col}7:{col}16" in merged
    assert "D8:D9" in merged and "E8:E9" in merged  # the 57.56% item over its two indicators
    assert "D14:D16" in merged and "E14:E16" in merged  # the co-unit's item, after the lead unit's
    assert ws["A7"].value == "1" and ws["J7"].value == f"{AGRI}、{GRAIN}"
    # several units: each unit's 亮点 prefixed with its name, lead unit first
    assert ws["K7"].value == f"【{AGRI}】压实责任分解任务。\n【{GRAIN}】订单粮食基地建设顺利。"
    # numbers stay numbers, the unit is in the number format
    assert ws["F7"].value == "生猪存栏数" and ws["G7"].value == 121 and ws["H7"].value == 83.2
    assert ws["G7"].number_format == 'General"万头"'
    # live formulas: indicator → scored helper → item mean → task mean
    assert ws["I7"].value.startswith("=IF(") and ws["M7"].value == "=IF(ISNUMBER(I7),MIN(I7,1),\"\")"
    assert ws["E8"].value == '=IFERROR(AVERAGE(M8:M9),"")'
    assert ws["C7"].value == '=IFERROR(AVERAGE(E7:E16),"")'
    assert "_xlfn" not in "".join(str(c.value) for row in ws.iter_rows() for c in row)
    # helpers hidden, right of the table; print set-up
    hidden = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden:
            hidden.update(range(dim.min, dim.max + 1))
    assert hidden == set(range(13, 22))  # M:U, and nothing of A:L
    assert ws.freeze_panes == "B5"
    assert ws.print_title_rows == "$3:$4"
    assert ws.page_setup.paperSize == 8 and ws.page_setup.orientation == "landscape"
    assert ws.row_dimensions[7].height and ws.row_dimensions[7].height > 14
    assert len(ws.conditional_formatting) >= 2


def test_cached_values_every_task_pending_and_not_reported(compiled):
    result, out = compiled
    ws = openpyxl.load_workbook(out, data_only=True)[SHEET_COMPILATION]
    rows = _cell_rows(ws, "T")
    assert set(rows) == set(EXPECTED_RATES)  # every task of the register appears
    for tid, r in rows.items():
        want = EXPECTED_RATES[tid]
        got = ws[f"C{r}"].value
        assert (got is None or got == "") if want is None else got == pytest.approx(want, abs=1e-12), tid
        assert ws[f"N{r}"].value == EXPECTED_STATUS[tid]
    assert ws[f"D{rows['2.1.40']}"].value == "未报送" and ws[f"O{rows['2.1.40']}"].value == 0
    r38 = result.task("2.1.38").items[2].row
    assert ws[f"H{r38}"].value == "0（待年底核算）" and ws[f"I{r38}"].value == rates.PENDING_LABEL
    assert ws[f"E{r38}"].value in (None, "")
    assert ws["J2"].value == 0.75  # the one 序时进度 cell


def test_summary_counts_equal_python_classification(compiled):
    result, out = compiled
    wb = openpyxl.load_workbook(out, data_only=True)
    ws = wb[SHEET_SUMMARY]
    overall = {ws.cell(r, 2).value: (ws.cell(r, 3).value, ws.cell(r, 4).value) for r in range(6, 12)}
    python = {s: sum(1 for t in result.tasks if rates.classify(t.rate, 0.75, reported=t.reported) == s)
              for s in TaskStatus}
    assert {k: v[0] for k, v in overall.items()} == python == result.counts
    assert overall["滞后"][1] == pytest.approx(2 / 9)
    # per leader: 戴建平 has 7 tasks of which 2 已完成, 2 超序时, 1 达序时, 1 滞后, 0 无完成率, 1 未报送
    texts = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1)}
    r = texts["戴建平"]
    assert [ws.cell(r, c).value for c in (3, 4, 6, 8, 10, 12, 14)] == [7, 2, 2, 1, 1, 0, 1]
    r = texts[S1]
    assert [ws.cell(r, c).value for c in (3, 4, 6, 8, 10, 12, 14)] == [2, 0, 1, 0, 1, 0, 0]
    formulas = openpyxl.load_workbook(out)[SHEET_SUMMARY]
    assert formulas.cell(texts["戴建平"], 4).value.startswith("=COUNTIFS('汇编'!$N$5:$N$")
    assert formulas._charts  # the chart of the overall counts
    legend = wb[SHEET_LEGEND]
    labels = [legend.cell(r, 1).value for r in range(7, 13)]
    assert labels == ["已完成", "超序时", "达序时", "滞后", "无完成率", "未报送"]
    assert legend.cell(7, 1).fill.fgColor.rgb.endswith("C6EFCE")


def _reporting_cases() -> tuple[Register, Progress]:
    """A task whose values are all pending, one nobody returned, one whose lead did not report but a co-unit
    did, and one whose co-unit reported but wrote nothing for it."""
    register = Register(source="test", layout="test", tasks=[
        compile_task("3.1", S2, G21, "戴建平", "1", "数值均待年底核算的任务。", ["市统计局"]),
        compile_task("3.2", S2, G21, "戴建平", "2", "定性细化项目未自评的任务。", ["市统计局"]),
        compile_task("3.3", S2, G21, "戴建平", "3", "无人报送的任务。", ["市某局", "市另一局"]),
        compile_task("3.4", S2, G21, "戴建平", "4", "牵头单位未报送、配合单位已报送的任务。", ["市跨境电商综试办", "市商务局"]),
        compile_task("3.5", S2, G21, "戴建平", "5", "配合单位已报送但未填写本任务。", ["市某局", "市统计局"]),
    ])
    rows = [
        compile_row("3.1", "市统计局", 1, "GDP增速", "地区生产总值增速", "%", 6, None, pending=True,
             current_text="待年底核算"),
        compile_row("3.1", "市统计局", 2, "居民收入", "居民人均可支配收入增速", "%", 7, None, pending=True,
             current_text="待年底核算"),
        compile_row("3.2", "市统计局", 1, "统计改革", "推进情况", direction=DIRECTION_QUALITATIVE),
        compile_row("3.4", "市商务局", 1, "跨境电商进出口", "进出口额", "亿元", 1000, 800),
    ]
    return register, Progress(period="2021Q3", rows=rows, reported_units=["市统计局", "市商务局"])


@pytest.mark.libreoffice
def test_no_rate_is_not_unreported_and_missing_units_are_marked(soffice, tmp_path):
    register, progress = _reporting_cases()
    out = tmp_path / "reporting.xlsx"
    result = compile_workbook(register, progress, out, as_of=AS_OF)
    status = {t.task_id: t.status for t in result.tasks}
    assert status == {"3.1": "无完成率", "3.2": "无完成率", "3.3": "未报送", "3.4": "超序时", "3.5": "无完成率"}
    assert result.counts == {"已完成": 0, "超序时": 1, "达序时": 0, "滞后": 0, "无完成率": 3, "未报送": 1}
    assert result.task("3.4").rate == pytest.approx(0.8)  # from the co-unit
    assert result.task("3.3").units_not_reported == ["市某局", "市另一局"]
    assert result.task("3.4").units_not_reported == ["市跨境电商综试办"]
    assert result.task("3.1").highlight == "无完成率" and result.task("3.3").highlight == "未报送"

    ws = openpyxl.load_workbook(out, data_only=True)[SHEET_COMPILATION]
    rows = _cell_rows(ws, "T")
    assert ws[f"J{rows['3.4']}"].value == "市跨境电商综试办（未报送）、市商务局"
    assert ws[f"J{rows['3.3']}"].value == "市某局（未报送）、市另一局（未报送）"
    assert ws[f"J{rows['3.1']}"].value == "市统计局"
    assert ws[f"J{rows['3.5']}"].value == "市某局（未报送）、市统计局"
    assert [ws[f"O{rows[t]}"].value for t in ("3.1", "3.3", "3.4", "3.5")] == [1, 0, 1, 1]
    assert [ws[f"N{rows[t]}"].value for t in ("3.1", "3.2", "3.3", "3.4", "3.5")] == [
        "无完成率", "无完成率", "未报送", "超序时", "无完成率"]
    assert ws[f"D{rows['3.3']}"].value == "未报送" and ws[f"D{rows['3.5']}"].value == "已报送，未填写"
    summary = openpyxl.load_workbook(out, data_only=True)[SHEET_SUMMARY]
    overall = {summary.cell(r, 2).value: summary.cell(r, 3).value for r in range(6, 12)}
    assert overall == result.counts
    legend = "\n".join(str(c.value) for row in openpyxl.load_workbook(out)[SHEET_LEGEND].iter_rows()
                       for c in row if c.value)
    assert "无完成率" in legend and "（未报送）" in legend and "牵头单位未报送而配合单位已报送" in legend

    # LibreOffice recalculates the statuses (无完成率 / 未报送 formulas) and counts to the cached values
    n, problems = compare_with_libreoffice(out, tmp_path / "lo")
    assert n > 20 and problems == []


def test_pending_counted_as_zero_under_the_other_rule(tmp_path):
    rules = load_rules(None)
    rules.pending = "zero"
    result = compile_workbook(compile_register(), compile_progress(), tmp_path / "zero.xlsx", as_of=AS_OF, rules=rules)
    t = result.task("2.1.38")
    assert t.items[2].rate == 0.0 and t.items[2].indicators[0].shown == 0.0
    assert t.rate == pytest.approx((1 + 0.85 + 0) / 3)
    assert t.status == "滞后"
    ws = openpyxl.load_workbook(tmp_path / "zero.xlsx", data_only=True)[SHEET_COMPILATION]
    assert ws[f"I{t.items[2].row}"].value == 0
    assert ws[f"C{t.row}"].value == pytest.approx((1 + 0.85) / 3)


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_same_values_and_renders_a_pdf(soffice, compiled, tmp_path):
    _, out = compiled
    n, problems = compare_with_libreoffice(out, tmp_path / "lo")
    assert n > 100
    assert problems == []
    rules = load_rules("suqian")
    rules.pending = "zero"
    other = tmp_path / "宿迁.xlsx"
    result = compile_workbook(compile_register(), compile_progress(), other, as_of=AS_OF, rules=rules, title="测试汇编")
    assert result.expected == pytest.approx(273 / 365)
    n, problems = compare_with_libreoffice(other, tmp_path / "lo2")
    assert n > 100 and problems == []


@pytest.mark.libreoffice
def test_cli_pdf_renders_pages(soffice, tmp_path):
    from xltasks.core.register_io import write_register

    merged = tmp_path / "merged.xlsx"
    write_progress(compile_progress(), merged)
    reg, _ = write_register(compile_register(), tmp_path / "register.xlsx")
    out = tmp_path / "汇编.xlsx"
    res = CliRunner().invoke(main, ["compile", str(merged), "--register", str(reg), "-o", str(out),
                                    "--as-of", "2021-09-30", "--pdf"])
    assert res.exit_code == 0, res.output
    pdf = tmp_path / "汇编.pdf"
    assert f"PDF: {pdf}" in res.output
    data = pdf.read_bytes()
    # 汇编, 汇总 and 图例 each fit on one A3 landscape page here
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?!s)", data)) == 3
    assert b"/MediaBox[0 0 1190" in data.replace(b" [", b"[") or b"1190.55" in data
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                       check=True, timeout=60)
        assert list(tmp_path.glob("page*.png"))


def test_highlight_rules_of_the_city_rule_sets(tmp_path):
    got = {}
    for name in ("default", "ouhai", "yichang", "suqian"):
        result = compile_workbook(compile_register(), compile_progress(), tmp_path / f"{name}.xlsx", as_of=AS_OF,
                                  rules=load_rules(name))
        got[name] = {t.task_id: t.highlight for t in result.tasks}
    assert got["default"]["2.1.41"] == "滞后" and got["default"]["2.1.40"] == "未报送"
    # 瓯海: 85.4% is more than 5 points above 75% (green), 75% exactly has just caught up (yellow)
    assert got["ouhai"]["2.1.1"] == "按序时推进" and got["ouhai"]["2.1.42"] == "追平序时"
    # 宜昌: 50% is lagging (red) before its deadline is near; 73.25% is only near its deadline
    assert got["yichang"]["2.1.41"] == "明显滞后" and got["yichang"]["1.1.1"] == "临近截止"
    assert got["yichang"]["2.1.30"] == ""  # done: no colour
    # 宿迁: below 序时进度 yellow; 92 days before the deadline is not yet "near"
    assert got["suqian"]["2.1.41"] == "低于序时进度" and got["suqian"]["1.2.2"] == ""


def test_cli_compile(tmp_path):
    merged = tmp_path / "merged.xlsx"
    write_progress(compile_progress(), merged)
    from xltasks.core.register_io import write_register

    reg, _ = write_register(compile_register(), tmp_path / "register.xlsx")
    out = tmp_path / "汇编.xlsx"
    res = CliRunner().invoke(main, ["compile", str(merged), "--register", str(reg), "-o", str(out),
                                    "--as-of", "2021-09-30", "--rules", "ouhai"])
    assert res.exit_code == 0, res.output
    assert "9 项任务" in res.output and "已完成 2" in res.output and "瓯海" in res.output
    assert "9.9.9" in res.output  # the row that is not in the register is reported
    assert openpyxl.load_workbook(out, data_only=True)[SHEET_COMPILATION]["J2"].value == 0.75
    bad = CliRunner().invoke(main, ["compile", str(merged), "--register", str(reg), "-o", str(out),
                                    "--as-of", "2021-09-30", "--rules", str(tmp_path / "missing.toml")])
    assert bad.exit_code == 1 and "规则文件不存在" in bad.output
    usage = CliRunner().invoke(main, ["compile", str(merged), "--register", str(reg), "-o", str(tmp_path / "x.pdf"),
                                      "--as-of", "2021-09-30"])
    assert usage.exit_code == 2


def test_real_register_all_tasks_appear(tmp_path):
    importers = pytest.importorskip("xltasks.importers")
    if not hasattr(importers, "import_paths"):
        pytest.skip("xltasks.importers.import_paths is not built yet")
    register = importers.import_paths([SEED_000])
    result = compile_workbook(register, Progress(period="2021Q3"), tmp_path / "real.xlsx", as_of=AS_OF)
    assert len(result.tasks) == len(register.tasks) > 100
    assert result.counts["未报送"] == len(register.tasks)
    ws = openpyxl.load_workbook(tmp_path / "real.xlsx")[SHEET_COMPILATION]
    statuses = [c.value for c in ws["N"] if isinstance(c.value, str) and c.value.startswith("=IF(")]
    assert len(statuses) == len(register.tasks)


def test_row_heights_follow_long_chinese_text(tmp_path):
    register = compile_register()
    progress = compile_progress()
    long_text = "推进数字化改革，完善政策体系，加快项目建设。" * 14  # 308 characters
    for r in progress.rows:
        if r.task_id == "2.1.41":
            r.highlights = long_text
    result = compile_workbook(register, progress, tmp_path / "long.xlsx", as_of=AS_OF)
    ws = openpyxl.load_workbook(tmp_path / "long.xlsx")[SHEET_COMPILATION]
    row = result.task("2.1.41").row
    # 亮点 column is 46 wide: about 21 Chinese characters a line, so at least 14 lines of 15 points
    assert ws.row_dimensions[row].height >= 14 * 15
    short = result.task("2.1.30").row
    assert ws.row_dimensions[short].height < 100
