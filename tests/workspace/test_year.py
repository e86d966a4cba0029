"""A year in a workspace: late returns, 销号, roll-over, the trend — each checked in the files a person reads."""
from __future__ import annotations

import json

import openpyxl
import pytest

from xltasks.core import layout
from xltasks.workspace import Workspace
from xltasks.workspace.status import status_lines


def _meta(path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {r[0]: r[1] for r in wb[layout.SHEET_META].iter_rows(values_only=True) if r and r[0]}


def _task_rates(path) -> dict[str, float | None]:
    """task id → the task rate cell's cached value, read from sheet 汇编 by its hidden 任务编号 column."""
    ws = openpyxl.load_workbook(path, data_only=True)["汇编"]
    out = {}
    for row in ws.iter_rows(min_row=5):
        tid = row[19].value  # hidden 任务编号 helper (column T)
        rate = row[2].value  # 完成率 (column C)
        if tid and tid not in out and (rate is not None or row[0].value is not None):
            out[tid] = rate if isinstance(rate, float | int) else None
    return out


def test_a_return_received_after_the_deadline_is_accepted_and_marked_late(year):
    result = year["collected_q2"]
    late = [u for u in result.units if u.late]
    assert len(late) == 1 and late[0].status == "已报送" and late[0].received_at.startswith("2021-07-14")
    assert late[0].data_file.endswith(year["late_file"].name)
    assert late[0].unit in result.progress.reported_units  # accepted all the same
    ws = Workspace.open(year["root"])
    status = ws.status("2021Q2")[0]
    assert status.late_units == [late[0].unit]
    assert f"逾期报送：1 个单位（{late[0].unit}）" in "\n".join(status_lines(ws, [status]))
    # the 汇编 marks the unit in 责任单位 of its tasks
    sheet = openpyxl.load_workbook(year["root"] / "2021Q2" / "汇编.xlsx", read_only=True)["汇编"]
    marked = [r[9] for r in sheet.iter_rows(values_only=True) if r[9] and f"{late[0].unit}（逾期报送）" in str(r[9])]
    assert marked
    assert not [u for u in year["collected_q3"].units if u.late]
    report = json.loads((year["root"] / "2021Q2" / "report.json").read_text(encoding="utf-8"))
    assert report["deadline"] == "2021-07-10" and report["late_units"] == [late[0].unit]
    sheet = openpyxl.load_workbook(year["root"] / "2021Q2" / "report.xlsx", read_only=True)["报送情况"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("收到时间", "逾期报送")
    assert [r[0] for r in rows[1:] if r[-1] == "逾期报送"] == [late[0].unit]


def test_a_closed_task_is_not_issued_in_the_next_period(year):
    closed = year["closed_task"]
    q2_ids = {t for i in year["issued_q2"].run.issued for t in i.task_ids}
    q3_ids = {t for i in year["issued_q3"].run.issued for t in i.task_ids}
    assert closed in q2_ids and closed not in q3_ids
    assert q2_ids - q3_ids == {closed}
    assert year["issued_q3"].closed_left_out == [closed]
    for issued in year["issued_q3"].run.issued:  # and the templates themselves do not carry it
        assert closed not in str(_meta(issued.path)[layout.META_TASK_IDS]).split(",")


def test_a_closed_task_stays_in_the_compilation_as_closed_and_is_counted_apart(year):
    closed = year["closed_task"]
    compiled = year["compiled_q3"]
    assert compiled.task(closed).status == "已销号"
    assert compiled.counts["已销号"] == 1
    summary = openpyxl.load_workbook(year["root"] / "2021Q3" / "汇编.xlsx", data_only=True)["汇总"]
    rows = {r[1]: r for r in summary.iter_rows(min_row=5, max_row=14, values_only=True) if r[1]}
    assert rows["合计"][2] == len(compiled.tasks) - 1
    assert rows["已销号（另计，不在合计内）"][2] == 1
    assert sum(rows[s][2] for s in ("已完成", "超序时", "达序时", "滞后", "无完成率", "未报送")) == rows["合计"][2]


def test_templates_roll_over_from_the_latest_accepted_return(year):
    issued = year["issued_q3"]
    reported_q2 = set(year["collected_q2"].progress.reported_units)
    assert set(issued.prefilled_units) == reported_q2
    unit = sorted(reported_q2)[0]
    path = next(i.path for i in issued.run.issued if i.unit == unit)
    sheet = openpyxl.load_workbook(path, read_only=True)[layout.SHEET_ENTRY]
    notes = [c for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str) and c.startswith("上期值：")]
    q2_rows = [r for r in year["collected_q2"].progress.rows if r.unit == unit and r.task_id != year["closed_task"]]
    assert len(notes) == len(q2_rows) > 0


def test_trend_values_equal_each_periods_compilation(year):
    q2 = _task_rates(year["root"] / "2021Q2" / "汇编.xlsx")
    q3 = _task_rates(year["root"] / "2021Q3" / "汇编.xlsx")
    assert len(q2) == len(q3) == 216
    book = openpyxl.load_workbook(year["root"] / "2021Q3" / "汇编.xlsx", data_only=True)
    trend = book["趋势"]
    head = [c.value for c in trend[3]]
    assert head[3:5] == ["2021年第二季度", "2021年第三季度"]
    seen = 0
    for row in trend.iter_rows(min_row=7, values_only=True):
        if row[1] in q3:
            assert row[3] == pytest.approx(q2[row[1]]) if q2[row[1]] is not None else row[3] is None
            assert row[4] == pytest.approx(q3[row[1]]) if q3[row[1]] is not None else row[4] is None
            seen += 1
    assert seen == 216
    assert sum(v is not None for v in q2.values()) > 20  # the comparison is not vacuous
    # 上期完成率 beside the task on sheet 汇编 (column V) is the 2021Q2 rate, 变化 (W) the difference
    main = book["汇编"]
    checked = 0
    for row in main.iter_rows(min_row=5, values_only=True):
        tid = row[19]
        if tid and row[0] is not None and q2.get(tid) is not None and isinstance(row[2], float):
            assert row[21] == pytest.approx(q2[tid])
            assert row[22] == pytest.approx(row[2] - q2[tid])
            checked += 1
    assert checked > 20
    assert main.cell(3, 22).value == "上期完成率（2021年第二季度）"


def test_trend_sheet_has_unit_rates_and_a_line_chart(year):
    ws = Workspace.open(year["root"])
    history = ws.trend("2021Q3")
    assert [h.period for h in history] == ["2021Q2", "2021Q3"]
    assert set(history[0].units) == set(year["collected_q2"].progress.reported_units)
    assert history[1].expected == pytest.approx(0.75) and history[0].expected == pytest.approx(0.5)
    book = openpyxl.load_workbook(year["root"] / "2021Q3" / "汇编.xlsx", data_only=True)
    trend = book["趋势"]
    units = {r[2]: r[3:5] for r in trend.iter_rows(min_row=7, values_only=True) if r[2] in history[1].units}
    for unit, (q2_rate, q3_rate) in units.items():
        assert q3_rate == pytest.approx(history[1].units[unit])
        assert (q2_rate is None) == (history[0].units.get(unit) is None)
    assert len(units) == len(history[1].units)
    assert len(trend._charts) == 1 and trend._charts[0].tagname == "lineChart"


def test_status_json_says_where_the_year_stands(year):
    ws = Workspace.open(year["root"])
    statuses = {s.period: s.to_json() for s in ws.status()}
    json.dumps(statuses, ensure_ascii=False)
    q3 = statuses["2021Q3"]
    assert q3["templates"] == 106 and q3["prefilled"] == 12 and q3["accepted"] == 12
    assert q3["units_missing"] == 106 - 12 and q3["compiled_at"] and not q3["bulletin"]
    assert q3["counts"]["已销号"] == 1 and statuses["2021Q2"]["closed_here"] == [year["closed_task"]]
    assert statuses["2021Q1"]["next_step"] == "生成并下发模板：xltasks templates 2021Q1"
    assert q3["next_step"].startswith("催报 94 个未报送单位：xltasks remind 2021Q3")


def test_libreoffice_recalculates_the_trend_and_the_closed_count_to_our_values(year, soffice, tmp_path):
    """变化, the 趋势 sheet's references and means, and the 已销号 count in the 汇总: LibreOffice computes every
    formula of the 2021Q3 汇编 to the value we cached, with no error value."""
    from tests.recalc import compare_with_libreoffice, formula_cells

    path = year["root"] / "2021Q3" / "汇编.xlsx"
    sheets = {sheet for sheet, _ in formula_cells(path)}
    assert {"汇编", "汇总", "趋势"} <= sheets
    compared, problems = compare_with_libreoffice(path, tmp_path)
    assert problems == []
    assert compared > 216 * 2  # every task's 变化 and its 趋势 reference, at least
