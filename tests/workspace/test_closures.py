"""销号 from the command line or from a sheet the office keeps: all or nothing, with the reason kept."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xltasks.cli import main
from xltasks.core.errors import XltasksError
from xltasks.workspace import Workspace
from xltasks.workspace.closures import closures_from_sheet

SOURCE = Path(__file__).resolve().parents[2] / "workbooks" / "example" / "source" / "hangzhou_2021_decomposition.txt"


@pytest.fixture()
def ws(tmp_path):
    ws = Workspace.init(tmp_path / "ws", title="督查", year=2021)
    ws.import_sources([SOURCE])
    yield ws
    ws.close()


def _sheet(path: Path, rows) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_sheet_closes_the_tasks_whose_reason_is_filled_in(ws, tmp_path, monkeypatch):
    sheet = _sheet(tmp_path / "销号.xlsx", [["2021年销号情况"], ["序号", "任务编号", "任务", "销号原因"],
                                          [1, "4.28", "…", "已全面完成"], [2, "4.128", "…", None],
                                          [3, "2.3", "…", "已纳入2.2统筹推进"]])
    assert closures_from_sheet(sheet) == [("4.28", "已全面完成"), ("2.3", "已纳入2.2统筹推进")]
    monkeypatch.chdir(ws.root)
    result = CliRunner().invoke(main, ["close-task", "2021Q2", "--from", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "已销号 2 项任务（2021Q2）：4.28、2.3" in result.output
    closed = Workspace.open(ws.root).closures()
    assert {t: (c.period, c.reason) for t, c in closed.items()} == {
        "4.28": ("2021Q2", "已全面完成"), "2.3": ("2021Q2", "已纳入2.2统筹推进")}
    # the same sheet, kept all year and given again later, closes nothing twice
    again = CliRunner().invoke(main, ["close-task", "2021Q3", "--from", str(sheet)])
    assert again.exit_code == 0 and "已销号 0 项任务（2021Q3）：无" in again.output


def test_a_mark_in_a_xiaohao_column_closes_with_a_plain_reason(tmp_path):
    sheet = _sheet(tmp_path / "t.xlsx", [["任务编号", "销号"], ["1.1", "√"], ["1.2", ""], ["2.1", "是"]])
    assert closures_from_sheet(sheet) == [("1.1", "已销号"), ("2.1", "已销号")]


def test_an_unknown_task_closes_nothing(ws):
    with pytest.raises(XltasksError, match="任务台账中没有任务 9.99，未销号任何任务"):
        ws.close_task("2021Q2", ["4.28", "9.99"], reason="已完成")
    assert ws.closures() == {}
    ws.close_task("2021Q2", ["4.28"], reason="已完成")
    with pytest.raises(XltasksError, match=r"4.28（已于 2021Q2 销号）"):
        ws.close_task("2021Q3", ["4.28"], reason="又一次")
    with pytest.raises(XltasksError, match="销号须写明原因"):
        ws.close_task("2021Q3", ["2.1"], reason=" ")


def test_a_sheet_without_the_columns_is_one_clear_error(tmp_path):
    sheet = _sheet(tmp_path / "x.xlsx", [["任务", "说明"], ["1.1", "完成"]])
    with pytest.raises(XltasksError, match=r"x.xlsx:Sheet: 前 10 行中没有同时含“任务编号”和“销号原因”"):
        closures_from_sheet(sheet)
    not_a_book = tmp_path / "y.xlsx"
    not_a_book.write_text("不是表格", encoding="utf-8")
    with pytest.raises(XltasksError, match="无法读取销号表"):
        closures_from_sheet(not_a_book)
