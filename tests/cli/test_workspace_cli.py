"""The CLI inside a workspace (found by walking up from the current folder) and outside one (unchanged)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xltasks.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "example"
SOURCE = EXAMPLE / "source" / "hangzhou_2021_decomposition.txt"


def invoke(*args, code: int = 0):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A workspace with 2021Q3 issued, three returns received (one late) and collected."""
    root = tmp_path_factory.mktemp("cli") / "督查"
    invoke("init", root, "--title", "2021年政府工作报告重点工作督查", "--year", "2021", "--office", "市政府督查室")
    here = Path.cwd()
    import os

    os.chdir(root)
    try:
        invoke("import", SOURCE)
        invoke("templates", "2021Q3")
        returns = sorted((EXAMPLE / "returns").glob("*.xlsx"))[:3]
        invoke("receive", "2021Q3", returns[0], returns[1], "--at", "2021-10-09 17:00")
        invoke("receive", "2021Q3", returns[2], "--at", "2021-10-11 08:30")
        invoke("collect", "2021Q3")
    finally:
        os.chdir(here)
    return root


def test_init_writes_the_config_and_says_what_next(tmp_path):
    result = invoke("init", tmp_path / "ws", "--title", "督查", "--year", "2022", "--cadence", "half")
    assert "期次：2022H1（截止 2022-07-10）、2022H2（截止 2023-01-10）" in result.output
    assert 'cadence = "half"' in (tmp_path / "ws" / "xltasks.toml").read_text(encoding="utf-8")
    again = invoke("init", tmp_path / "ws", "--title", "督查", "--year", "2022", code=1)
    assert again.output.startswith("Error: ") and "这里已经是工作区" in again.output


def test_commands_need_only_the_period_anywhere_below_the_workspace(workspace, monkeypatch):
    monkeypatch.chdir(workspace / "2021Q3" / "returns")  # found by walking up, like git
    assert len(list((workspace / "2021Q3" / "templates").glob("2021Q3_*.xlsx"))) == 106
    assert (workspace / "source" / SOURCE.name).read_bytes() == SOURCE.read_bytes()
    assert (workspace / "2021Q3" / "merged.xlsx").is_file() and (workspace / "2021Q3" / "report.json").is_file()
    compiled = invoke("compile", "2021Q3")
    assert f"汇编: {workspace / '2021Q3' / '汇编.xlsx'}" in compiled.output
    reminded = invoke("remind", "2021Q3")
    assert "催报通知：103 份" in reminded.output
    assert len(list((workspace / "2021Q3" / "notices").glob("*.txt"))) == 103
    status = json.loads(invoke("status", "2021Q3", "--json").output)
    q3 = status["periods"][0]
    assert (q3["templates"], q3["accepted"], q3["units_reported"], q3["units_missing"]) == (106, 3, 3, 103)
    assert len(q3["late_units"]) == 1 and q3["next_step"] == "写出督查通报：xltasks bulletin 2021Q3"
    bulletin = invoke("bulletin", "2021Q3", "--date", "2021-10-20")
    assert "逾期报送 1 个" in bulletin.output and (workspace / "2021Q3" / "督查通报.docx").is_file()
    text = invoke("status").output
    assert "  逾期报送：1 个单位" in text and "  通报：已写出" in text and "2021Q4（2021年第四季度" in text


def test_options_override_the_workspace(workspace, monkeypatch, tmp_path):
    monkeypatch.chdir(workspace)
    other = tmp_path / "别处模板"
    result = invoke("templates", "2021Q3", "-o", other, "--units", "市发改委", "--deadline", "2021-10-20")
    assert [p.name for p in other.glob("*.xlsx") if p.name.startswith("2021Q3_")] == ["2021Q3_市发改委.xlsx"]
    assert "已生成 1 个单位的填报模板" in result.output
    meta = {r[0]: r[1] for r in openpyxl.load_workbook(other / "2021Q3_市发改委.xlsx", read_only=True)["_meta"]
            .iter_rows(values_only=True) if r and r[0]}
    assert "2021-10-20" in str(meta.values())
    out = tmp_path / "宿迁规则汇编.xlsx"
    compiled = invoke("compile", "2021Q3", "-o", out, "--rules", "suqian")
    assert f"汇编: {out}" in compiled.output and "着色规则 宿迁" in compiled.output
    with sqlite3.connect(workspace / "xltasks.db") as db:  # an elsewhere 汇编 is not the period's record
        assert all(r[0] == "2021Q3/汇编.xlsx" for r in db.execute("SELECT path FROM compilations"))
    refused = invoke("compile", "2021Q3", "--as-of", "2021-09-30", code=2)
    assert "工作区内截至日期取自 xltasks.toml" in refused.output


def test_outside_a_workspace_commands_behave_as_before(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert "Missing argument 'REGISTER'" in invoke("templates", code=2).output
    assert "Missing argument 'DIRS...'" in invoke("collect", code=2).output
    assert "Missing option '--register'" in invoke("compile", "2021Q3", code=2).output
    assert "Missing option '--report'" in invoke("remind", code=2).output
    assert "Got unexpected extra argument (2021Q3)" in invoke("remind", "2021Q3", code=2).output
    assert "需要 -o/--output 指定输出的任务台账" in invoke("import", SOURCE, code=2).output
    assert "File '.' is a directory" in invoke("templates", ".", "-o", "t", "--period", "2021Q3", code=2).output
    assert "不在 xltasks 工作区内" in invoke("status", code=2).output
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("command", ["templates", "collect", "compile"])
def test_a_period_the_workspace_lacks_is_named_as_such(command, tmp_path, monkeypatch):
    # where the argument may be a path or a period, one written as a period that is neither says so, as
    # `remind`/`status` do (it used to read as a missing file, a missing option, or "give a period")
    invoke("init", tmp_path / "ws", "--title", "督查", "--year", "2021")
    monkeypatch.chdir(tmp_path / "ws")
    result = invoke(command, "2022Q1", code=1)
    assert result.output == ("Error: xltasks.toml: 工作区没有期次“2022Q1”（已设置：2021Q1、2021Q2、2021Q3、2021Q4）；"
                             "请检查期次名称或在 xltasks.toml 中添加\n")
    (tmp_path / "ws" / "2022Q1").mkdir()  # a folder of that name is the path it names, as before
    as_path = CliRunner().invoke(main, [command, "2022Q1"])
    assert as_path.exit_code != 0 and "工作区没有期次" not in as_path.output


def test_a_monthly_workspace_finds_its_month_by_either_spelling(tmp_path, monkeypatch):
    """`status 2021M07` in a workspace whose months are named 2021-07 reads that month (both spellings are
    offered by the period option)."""
    from click.testing import CliRunner

    from xltasks.cli import main

    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(main, ["init", "ws", "--title", "月度督查", "--year", "2021", "--cadence", "month"])
    assert r.exit_code == 0, r.output
    monkeypatch.chdir(tmp_path / "ws")
    a = runner.invoke(main, ["status", "2021M07"])
    b = runner.invoke(main, ["status", "2021-07"])
    assert a.exit_code == b.exit_code == 0, a.output
    assert a.output == b.output and "2021-07" in a.output


def test_two_different_periods_for_one_command_are_a_usage_error(tmp_path, monkeypatch):
    """`collect 2021Q3 --period 2021Q2` in a workspace named a period twice; it used to scan the folder 2021Q3
    as returns of 2021Q2. Now it is refused; the same period given both ways is still fine."""
    from click.testing import CliRunner

    from xltasks.cli import main

    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["init", "ws", "--title", "督查", "--year", "2021"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "ws")
    r = runner.invoke(main, ["collect", "2021Q3", "--period", "2021Q2"])
    assert r.exit_code == 2 and "期次给了两个：2021Q3 和 --period 2021Q2，请只给一个" in r.output
    same = runner.invoke(main, ["collect", "2021Q3", "--period", "2021q3"])
    assert "期次给了两个" not in same.output
