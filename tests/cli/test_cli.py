"""The CLI contract shared by every command: help with examples, exit codes, one-line errors."""
from __future__ import annotations

from click.testing import CliRunner

from tests.conftest import SEEDS
from xltasks.cli import main

EXPECTED_COMMANDS = ("import", "directory", "templates", "collect", "remind", "compile", "import-compilation",
                     "init", "status", "receive", "close-task", "bulletin")


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in EXPECTED_COMMANDS:
        assert f"  {name} " in result.output, name


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name in EXPECTED_COMMANDS:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert f"xltasks {name} " in result.output, f"{name} --help shows no example"


def test_library_error_is_one_line_exit_1_and_verbose_shows_traceback(tmp_path):
    not_a_decomposition = SEEDS / "001_hangzhou_2021_work_report.txt"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(not_a_decomposition), "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and str(not_a_decomposition) in lines[0]
    assert "Traceback" not in result.output
    verbose = runner.invoke(main, ["-v", "import", str(not_a_decomposition), "-o", str(tmp_path / "r.xlsx")])
    assert verbose.exit_code == 1
    assert "Traceback" in verbose.output
    assert not (tmp_path / "r.xlsx").exists()


def test_bad_usage_exits_2():
    runner = CliRunner()
    assert runner.invoke(main, ["import"]).exit_code == 2
    assert runner.invoke(main, ["no-such-command"]).exit_code == 2
    assert runner.invoke(main, ["compile", "--as-of", "not-a-date", "x.xlsx"]).exit_code == 2
