"""Hostile inputs outside collect: a far-away cell in a decomposition table, a task text over Excel's cell
limit, a unit name too long for a file name, a hand-edited report.json, an empty or wrong register."""
from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import AS_OF, compile_progress, compile_register
from xltasks.core import layout
from xltasks.cli import main
from xltasks.compiling.writer import compile_workbook
from xltasks.core.errors import XltasksError
from xltasks.core.fileio import safe_filename
from xltasks.importers import import_paths
from xltasks.importers.table import MAX_GRID_COLUMNS, MAX_GRID_ROWS, read_grid
from xltasks.core.models import Progress, Register, Task
from xltasks.core.progress_io import write_progress
from xltasks.core.register_io import load_register, write_register
from xltasks.core.sheetsize import far_cell
from xltasks.issuing.templates import make_templates
from xltasks.core.xlsx import EXCEL_CELL_LIMIT, excel_text



def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# ---------------------------------------------------------------------------------------------
# 1. A far-away cell in a decomposition table

def _table(path, far: str | None = None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分解"
    ws.append(["序号", "重点工作", "责任单位"])
    ws.append([1, "推进城西科创大走廊建设。", "市发改委"])
    ws.append([2, "深化治气治水治废。", "市生态环境局"])
    if far:
        ws[far] = "x"
    wb.save(path)
    return path


@pytest.mark.parametrize("far", ["XFD1048576", "ZZ20000", "A100001"])
def test_far_cell_is_refused_before_calamine_reads_the_sheet(tmp_path, far):
    path = _table(tmp_path / "分解.xlsx", far)
    with pytest.raises(XltasksError) as e:
        read_grid(path)
    msg = str(e.value)
    assert "\n" not in msg and str(path) in msg and far in msg and "分解" in msg
    r = run("import", path, "-o", tmp_path / "register.xlsx")
    assert r.exit_code == 1 and far in r.output and "Traceback" not in r.output
    assert not (tmp_path / "register.xlsx").exists()


def test_dimension_is_not_trusted_and_a_table_within_the_caps_imports(tmp_path):
    path = _table(tmp_path / "t.xlsx", "ZZ3")

    def lie(data: bytes) -> bytes:  # the sheet claims to end at C3: the cell references say ZZ3
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C3"', data)

    src = zipfile.ZipFile(path)
    members = [(i, src.read(i)) for i in src.infolist()]
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, lie(data) if info.filename.startswith("xl/worksheets/") else data)
    with zipfile.ZipFile(path) as z:
        assert far_cell(z, "xl/worksheets/sheet1.xml", max_rows=MAX_GRID_ROWS, max_cols=MAX_GRID_COLUMNS,
                        max_cells=MAX_GRID_ROWS * MAX_GRID_COLUMNS) == ((3, 702), "ZZ3")
    with pytest.raises(XltasksError, match="ZZ3"):
        read_grid(path)
    ok = _table(tmp_path / "ok.xlsx", f"{openpyxl.utils.get_column_letter(MAX_GRID_COLUMNS)}5")
    reg = import_paths([ok])
    assert [t.text for t in reg.tasks] == ["推进城西科创大走廊建设。", "深化治气治水治废。"]


# ---------------------------------------------------------------------------------------------
# 2. A task text over 32,767 characters

def test_task_text_over_the_cell_limit_warns_and_the_register_keeps_it(tmp_path):
    long_text = "推进" + "重点工作" * 10000 + "。"  # 40,003 characters
    assert len(long_text) == 40003
    src = tmp_path / "分解.csv"
    src.write_text(f"序号,重点工作,责任单位\n1,{long_text},市发改委\n2,短任务。,市商务局\n", encoding="utf-8")
    r = run("import", src, "-o", tmp_path / "register.xlsx")
    assert r.exit_code == 0, r.output
    reg = load_register(tmp_path / "register.json")
    assert reg.tasks[0].text == long_text  # the JSON register keeps the whole text
    (w,) = [w for w in reg.warnings if "单元格上限" in w.message]
    assert w.message == "任务文字超过 Excel 单元格上限 32767 字，表格中将截断" and w.line == 2
    assert not [w for w in reg.warnings if "单元格上限" in w.message and w.line == 3]
    # what register.xlsx and the template hold is exactly excel_text(text)
    assert excel_text(long_text) == long_text[:EXCEL_CELL_LIMIT]
    assert load_register(tmp_path / "register.xlsx").tasks[0].text == excel_text(long_text)
    run_ = make_templates(reg, tmp_path / "t", "2021Q3")
    wb = openpyxl.load_workbook(next(i.path for i in run_.issued if i.unit == "市发改委"))
    col = layout.COLUMN_INDEX["task_text"] + 1
    assert wb[layout.SHEET_ENTRY].cell(layout.FIRST_ENTRY_ROW, col).value == excel_text(long_text)
    # the unit's return, its locked task text as the template held it, is not a changed locked cell
    from xltasks.issuing.fill import Entry, fill_template
    from xltasks.collecting.merge import collect

    returns = tmp_path / "returns"
    returns.mkdir()
    template = next(i.path for i in run_.issued if i.unit == "市发改委")
    fill_template(template, returns / "fgw.xlsx", [Entry("1", "推进重点工作", self_rate=0.5)])
    result = collect([returns], reg, "2021Q3")
    assert [p.code for p in result.problems if p.level == "错误"] == []
    assert [r.task_id for r in result.progress.rows] == ["1"]


def test_excel_text_cleans_then_cuts_like_write_text():
    assert excel_text(None) == "" and excel_text(12) == "12"
    assert excel_text("a\x01b") == "ab"
    text = "\x02" + "字" * EXCEL_CELL_LIMIT + "尾"
    assert excel_text(text) == "字" * EXCEL_CELL_LIMIT
    # what write_table hands it besides str: a status (a StrEnum) is written as its text, a plain str
    from xltasks.core.statuses import TaskStatus

    assert type(excel_text(TaskStatus.DONE)) is str and excel_text(TaskStatus.DONE) == "已完成"
    assert excel_text(1.5) == "1.5" and excel_text("\ufffe") == ""
    assert excel_text("a" * EXCEL_CELL_LIMIT) == "a" * EXCEL_CELL_LIMIT  # at the limit: whole


# ---------------------------------------------------------------------------------------------
# 3. A unit name too long for a file name

LONG_UNIT = "杭州市" + "数字经济与新制造业高质量发展领导小组办公室" * 3 + "联合工作专班（临时筹备组第三组）"  # 82 characters


def test_long_names_fit_in_255_bytes_and_stay_distinct():
    assert len(LONG_UNIT) == 82 and len(LONG_UNIT.encode("utf-8")) > 240
    a, b = safe_filename(f"2021Q3_{LONG_UNIT}"), safe_filename(f"2021Q3_{LONG_UNIT}甲")
    assert a != b and a.startswith("2021Q3_杭州市数字经济")
    for name in (a, b):
        assert len(name.encode("utf-8")) <= 150 and re.search(r"_[0-9a-f]{8}$", name)
    assert safe_filename(f"2021Q3_{LONG_UNIT}") == a  # stable
    assert safe_filename("2021Q3_市发改委") == "2021Q3_市发改委"  # a short name is left alone
    assert len(safe_filename("ab" * 200).encode()) <= 150


def _register(units: list[str], source: str = "源文件.txt") -> Register:
    return Register(source=source, layout="test", tasks=[
        Task(id=str(i), section="", group="", leader="", no=str(i), text=f"任务{i}。", units=[u], lead_unit=u)
        for i, u in enumerate(units, start=1)])


def test_templates_write_every_workbook_for_a_long_unit_name(tmp_path):
    units = ["市发改委", LONG_UNIT, LONG_UNIT + "甲", "市商务局", "市财政局", "市住建局"]
    reg = _register(units)
    reg.save_json(tmp_path / "register.json")
    r = run("templates", tmp_path / "register.json", "-o", tmp_path / "out", "--period", "2021Q3")
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    books = sorted(p.name for p in out.glob("*.xlsx") if p.name != "分发清单.xlsx")
    notices = sorted(p.name for p in out.glob("*_下发通知.txt"))
    assert len(books) == len(notices) == 6 and (out / "分发清单.xlsx").exists()
    long_books = [n for n in books if "数字经济" in n]
    assert len(long_books) == 2
    for name in long_books + notices:
        assert len(name.encode("utf-8")) <= 255
    for name in long_books:
        assert re.search(r"_[0-9a-f]{8}\.xlsx$", name)
        wb = openpyxl.load_workbook(out / name)
        meta = {k: v for k, v, *_ in wb[layout.SHEET_META].iter_rows(values_only=True)}
        assert meta[layout.META_UNIT] in (LONG_UNIT, LONG_UNIT + "甲")  # the unit is named in full inside


def test_templates_check_every_name_before_writing_any(tmp_path, monkeypatch):
    import xltasks.issuing.templates as templates

    reg = _register(["市发改委", "市商务局", "市财政局"])
    monkeypatch.setattr(templates, "safe_filename", lambda name: name if "财政" not in name else "长" * 100)
    with pytest.raises(XltasksError, match="文件名过长"):
        templates.make_templates(reg, tmp_path / "out", "2021Q3")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# ---------------------------------------------------------------------------------------------
# 4. A hand-edited report.json

REPORT = {"valid": False, "period": "2021Q3", "files": [], "units": [
    {"unit": "市发改委", "tasks": 3, "lead_tasks": 2, "file": None},
    {"unit": "a/b", "tasks": 1, "lead_tasks": 1, "file": None},
    {"unit": "a_b", "tasks": 1, "lead_tasks": 1, "file": None}],
    "missing_units": ["市发改委", "市发改委", "a/b", "a_b"], "rejected_units": []}


@pytest.mark.parametrize("change, where", [
    ({"units": None}, "units"),
    ({"missing_units": [None, 123, ""]}, "missing_units[0]"),
    ({"missing_units": ["市发改委", ""]}, "missing_units[1]"),
    ({"missing_units": ["市发改委", 123]}, "missing_units[1]"),
    ({"rejected_units": "市发改委"}, "rejected_units"),
    ({"units": [None]}, "units[0]"),
    ({"units": [{"unit": 5}]}, "units[0].unit"),
    ({"period": 2021}, "period"),
    ({"files": [{"path": "x.xlsx", "problems": None}]}, "files[0].problems"),
])
def test_remind_refuses_a_report_of_the_wrong_shape(tmp_path, change, where):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({**REPORT, **change}, ensure_ascii=False), encoding="utf-8")
    r = run("remind", "--report", path, "-o", tmp_path / "n")
    assert r.exit_code == 1, r.output
    assert f"{path}:{where}:" in r.output and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "n").exists() or not list((tmp_path / "n").iterdir())


def test_remind_one_notice_per_unit_even_when_names_collide(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(REPORT, ensure_ascii=False), encoding="utf-8")
    r = run("remind", "--report", path, "-o", tmp_path / "n")
    assert r.exit_code == 0, r.output
    assert "催报通知：3 份" in r.output  # 市发改委 listed twice gets one notice
    names = sorted(p.name for p in (tmp_path / "n").iterdir())
    assert names == ["2021Q3_a_b_催报通知.txt", "2021Q3_a_b_催报通知_2.txt", "2021Q3_市发改委_催报通知.txt"]
    texts = {(tmp_path / "n" / n).read_text(encoding="utf-8-sig").splitlines()[2] for n in names}
    assert texts == {"a/b：", "a_b：", "市发改委："}


def test_remind_survives_a_problem_without_its_keys(tmp_path):
    report = {**REPORT, "missing_units": [], "rejected_units": ["市发改委"],
              "units": [{"unit": "市发改委", "file": "x.xlsx"}],
              "files": [{"path": "x.xlsx", "problems": [{"level": "错误", "message": "目标值为空"}, {}]}]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    r = run("remind", "--report", path, "-o", tmp_path / "n")
    assert r.exit_code == 0, r.output
    (notice,) = (tmp_path / "n").iterdir()
    assert "目标值为空" in notice.read_text(encoding="utf-8-sig")


# ---------------------------------------------------------------------------------------------
# 5. An empty or wrong register

def test_templates_on_an_empty_register_names_the_register_file(tmp_path):
    reg_path = tmp_path / "空台账.json"
    Register(source="原始分解.txt", layout="test", tasks=[]).save_json(reg_path)
    r = run("templates", reg_path, "-o", tmp_path / "out", "--period", "2021Q3")
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {reg_path}: ") and "没有任何任务" in r.output
    assert "原始分解.txt" not in r.output


def test_compile_refuses_an_empty_or_unrelated_register(tmp_path):
    merged = tmp_path / "merged.xlsx"
    write_progress(compile_progress(), merged)
    n_rows = len(compile_progress().rows)
    empty, _ = write_register(Register(source="x", layout="test", tasks=[]), tmp_path / "empty.xlsx")
    other, _ = write_register(_register(["市发改委", "市商务局"]), tmp_path / "other.xlsx")
    out = tmp_path / "汇编.xlsx"
    r = run("compile", merged, "--register", empty, "-o", out, "--as-of", "2021-09-30")
    assert r.exit_code == 1 and str(empty) in r.output and "没有任何任务" in r.output
    r = run("compile", merged, "--register", other, "-o", out, "--as-of", "2021-09-30")
    assert r.exit_code == 1, r.output
    assert f"进度台账与任务台账不匹配：{n_rows} 行的任务编号均不在台账中" in r.output
    assert str(merged) in r.output and str(other) in r.output and len(r.output.strip().splitlines()) == 1
    assert not out.exists()


def test_compile_summarises_rows_of_unknown_tasks_in_one_warning(tmp_path):
    progress = compile_progress()
    extra = [r for r in progress.rows if r.task_id == "9.9.9"][0]
    from dataclasses import replace

    progress.rows += [replace(extra, task_id=f"8.8.{i}") for i in range(300)]
    result = compile_workbook(compile_register(), progress, tmp_path / "汇编.xlsx", as_of=AS_OF)
    (w,) = result.warnings
    assert w.startswith("301 行进度的任务编号（301 个：“9.9.9”、“8.8.0”") and "等" in w and "8.8.299" not in w
    assert len(result.tasks) == len(compile_register().tasks)
    # every row unknown: an error, not an empty 汇编
    with pytest.raises(XltasksError, match="均不在台账中"):
        compile_workbook(compile_register(), Progress(period="2021Q3", rows=[extra]), tmp_path / "x.xlsx", as_of=AS_OF)
    assert not (tmp_path / "x.xlsx").exists()
