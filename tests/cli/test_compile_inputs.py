"""Issue 14 items 5, 6 and 19: compile refuses an as-of date outside the merged period's year (and, unless
forced, before the period's end), a register other than the one the returns were collected with, and says
that 2021-02-29 does not exist. collect says plainly when the register is not the templates' own."""
from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from tests.builders import CLEAN, PERIOD, expected_lines, lines_of, make_register
from xltasks.cli import main
from xltasks.core.layout import period_span
from xltasks.core.progress_io import read_progress
from xltasks.core.register_io import load_register, register_digest, write_register
from xltasks.issuing.fill import fill_template
from xltasks.issuing.templates import make_templates


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """register.xlsx → templates (through the CLI) → every clean return → collect → merged.xlsx."""
    root = tmp_path_factory.mktemp("cycle")
    reg_xlsx, reg_json = write_register(make_register(), root / "register.xlsx")
    assert run("templates", reg_xlsx, "-o", root / "tpl", "--period", PERIOD).exit_code == 0
    returns = root / "returns"
    returns.mkdir()
    for unit, entries in CLEAN.items():
        [tpl] = [p for p in (root / "tpl").glob("*.xlsx") if unit in p.name]
        fill_template(tpl, returns / f"{unit}.xlsx", entries)
    r = run("collect", returns, "--register", reg_json, "--period", PERIOD, "-o", root / "merged.xlsx")
    assert r.exit_code == 0, r.output
    other = make_register()
    other.tasks[0].text = "新增地铁运营里程80公里。"  # same ids, one text changed
    other_xlsx, _ = write_register(other, root / "other" / "register.xlsx")
    return root, reg_xlsx, returns, other_xlsx


def test_period_span():
    import datetime as dt

    assert period_span("2021Q3") == (dt.date(2021, 7, 1), dt.date(2021, 9, 30))
    assert period_span("2024H1") == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert period_span("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period_span("2021") == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert period_span("三季度") is None and period_span("2021Q5") is None
    assert period_span("0000") is None and period_span("0000Q1") is None  # year 0 has no dates


def test_digest_is_the_same_for_xlsx_json_and_differs_on_text(cycle):
    root, reg_xlsx, _, other_xlsx = cycle
    assert register_digest(load_register(reg_xlsx)) == register_digest(load_register(reg_xlsx.with_suffix(".json")))
    assert register_digest(load_register(reg_xlsx)) != register_digest(load_register(other_xlsx))
    assert read_progress(root / "merged.xlsx").register_digest == register_digest(load_register(reg_xlsx))


@pytest.mark.parametrize("as_of", ["2020-12-31", "2022-03-31", "2024-02-29"])
def test_as_of_outside_the_period_year_is_refused(cycle, as_of, tmp_path):
    root, reg_xlsx, *_ = cycle
    out = tmp_path / "汇编.xlsx"
    r = run("compile", root / "merged.xlsx", "--register", reg_xlsx, "-o", out, "--as-of", as_of)
    assert r.exit_code == 1, r.output
    assert r.output.startswith(f"Error: {root / 'merged.xlsx'}:--as-of: 截止日期 {as_of} 不在报送期“2021年第三季度”")
    assert len(r.output.strip().splitlines()) == 1
    r = run("compile", root / "merged.xlsx", "--register", reg_xlsx, "-o", out, "--as-of", as_of, "--force")
    assert r.exit_code == 1  # another year is never right, forced or not
    assert not out.exists()


def test_as_of_before_the_period_end_needs_force(cycle, tmp_path):
    root, reg_xlsx, *_ = cycle
    out = tmp_path / "汇编.xlsx"
    r = run("compile", root / "merged.xlsx", "--register", reg_xlsx, "-o", out, "--as-of", "2021-09-15")
    assert r.exit_code == 1 and "早于报送期“2021年第三季度”的期末 2021-09-30" in r.output and "--force" in r.output
    assert not out.exists()
    r = run("compile", root / "merged.xlsx", "--register", reg_xlsx, "-o", out, "--as-of", "2021-09-15", "--force")
    assert r.exit_code == 0 and "警告: 截止日期 2021-09-15 早于" in r.output and out.exists()
    r = run("compile", root / "merged.xlsx", "--register", reg_xlsx, "-o", out, "--as-of", "2021-12-31")
    assert r.exit_code == 0 and "警告" not in r.output


def test_feb_29_of_a_common_year_does_not_exist(cycle, tmp_path):
    root, reg_xlsx, *_ = cycle
    r = run("compile", root / "merged.xlsx", "--register", reg_xlsx, "-o", tmp_path / "x.xlsx", "--as-of", "2021-02-29")
    assert r.exit_code == 2
    assert "日期不存在：2021 年 2 月没有 29 日" in r.output and "日期格式应为" not in r.output
    r = run("compile", root / "merged.xlsx", "--register", reg_xlsx, "-o", tmp_path / "x.xlsx", "--as-of", "2021-13-01")
    assert r.exit_code == 2 and "日期格式应为 YYYY-MM-DD" in r.output


def test_compile_with_another_register_is_refused(cycle, tmp_path):
    root, _, _, other_xlsx = cycle
    out = tmp_path / "汇编.xlsx"
    r = run("compile", root / "merged.xlsx", "--register", other_xlsx, "-o", out, "--as-of", "2021-09-30")
    assert r.exit_code == 1, r.output
    assert "与收集汇总结果时所用的任务台账不是同一份" in r.output and str(other_xlsx) in r.output
    assert not out.exists()
    r = run("compile", root / "merged.xlsx", "--register", other_xlsx, "-o", out, "--as-of", "2021-09-30", "--force")
    assert r.exit_code == 0 and "不是同一份" in r.output and out.exists()


def test_collect_with_another_register_says_so(cycle, tmp_path):
    root, reg_xlsx, returns, other_xlsx = cycle
    r = run("collect", returns, "--register", other_xlsx, "--period", PERIOD, "-o", tmp_path / "merged.xlsx",
            "--json", tmp_path / "report.json")
    assert r.exit_code == 1
    assert f"注意：{len(CLEAN)} 个报送文件的模板不是按本次 --register 给出的任务台账" in r.output
    rep = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    codes = {p["code"] for f in rep["files"] for p in f["problems"]}
    assert codes == {"register-mismatch"}  # never "锁定的任务被修改" for the units
    assert all(f["unit"] for f in rep["files"])  # each file still names its unit (有错误退回, not 未报送)
    # another document's register: still the register named, not "unknown-unit" for every file
    foreign = copy.deepcopy(make_register())
    for t in foreign.tasks:
        t.units = ["市商务局"]
        t.lead_unit = "市商务局"
    foreign.units = foreign.units[:0]
    foreign_xlsx, _ = write_register(foreign, tmp_path / "foreign" / "register.xlsx")
    r = run("collect", returns, "--register", foreign_xlsx, "--period", PERIOD, "-o", tmp_path / "m2.xlsx",
            "--json", tmp_path / "r2.json")
    rep = json.loads((tmp_path / "r2.json").read_text(encoding="utf-8"))
    assert {p["code"] for f in rep["files"] for p in f["problems"]} == {"register-mismatch"}
    # the register as issued, as .json: every return merged
    r = run("collect", returns, "--register", reg_xlsx.with_suffix(".json"), "--period", PERIOD,
            "-o", tmp_path / "m3.xlsx")
    assert r.exit_code == 0 and "注意" not in r.output
    merged = read_progress(tmp_path / "m3.xlsx")
    for unit in CLEAN:
        assert lines_of(merged.rows, unit) == expected_lines(unit)
