"""`-v` is the one debug switch: a returned file that fails in an unexpected way is reported as
not-a-workbook either way; with -v (collect's `debug`) its traceback is printed too, and the run goes on."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.builders import PERIOD, fill
from xltasks.cli import main
from xltasks.collecting import checks
from xltasks.collecting.merge import collect


@pytest.fixture
def failing_check(monkeypatch):
    def explode(subject):
        raise RuntimeError("a check that fails unexpectedly")

    monkeypatch.setattr(checks, "VALUE_CHECKS", (checks.Check("explode", (), explode),))


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_failure_is_a_problem_and_debug_shows_its_traceback(issued, tmp_path, capsys, failing_check,
                                                                        debug):
    reg, t = issued
    fill(t, "市发改委", tmp_path / "returns" / "a.xlsx")
    res = collect([tmp_path / "returns"], reg, PERIOD, debug=debug)
    assert [p.code for p in res.files[0].problems] == ["not-a-workbook"]
    err = capsys.readouterr().err
    assert ("Traceback" in err and "a check that fails unexpectedly" in err) is debug


def test_dash_v_reaches_collect(issued, tmp_path, failing_check):
    reg, t = issued
    fill(t, "市发改委", tmp_path / "returns" / "a.xlsx")
    reg.save_json(tmp_path / "register.json")
    args = ["collect", str(tmp_path / "returns"), "--register", str(tmp_path / "register.json"), "--period", PERIOD,
            "-o", str(tmp_path / "m.xlsx")]
    quiet = CliRunner().invoke(main, args)
    loud = CliRunner().invoke(main, ["-v", *args])
    assert quiet.exit_code == loud.exit_code == 1
    assert "Traceback" not in quiet.stderr and "a check that fails unexpectedly" in loud.stderr
