"""Issue 14 item 14: a read-only destination, a full disk before or during a run, an unwritable ledger: one
clear line naming the path and what to do (never 内部错误), no partial outputs, and the temporaries of killed
runs removed on the next run. Root may write anywhere, so the OS's refusals are simulated at their source."""
from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.builders import PERIOD
from tests.make_corpus import GOOD_UNITS, Kit
from xltasks.cli import main
from xltasks.core import fileio


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("disk")
    kit = Kit(root / "kit")
    returns = root / "returns"
    returns.mkdir()
    for unit in GOOD_UNITS:
        kit.clean(returns / f"{unit}.xlsx", unit)
    register = root / "register.json"
    kit.register.save_json(register)
    return returns, register


def collect(setup, out: Path, *extra):
    returns, register = setup
    return CliRunner().invoke(main, ["collect", str(returns), "--register", str(register), "--period", PERIOD,
                                     "-o", str(out / "merged.xlsx"), "--report", str(out / "report.xlsx"),
                                     "--json", str(out / "report.json"), *map(str, extra)])


def one_error_line(r, path) -> str:
    assert r.exit_code == 1, r.output
    assert "内部错误" not in r.output and "Traceback" not in r.output
    lines = [x for x in r.output.splitlines() if x.startswith("Error: ")]
    assert len(lines) == 1 and str(path) in lines[0], r.output
    return lines[0]


def test_read_only_output_folder_is_said_before_the_run(setup, tmp_path, monkeypatch):
    import tempfile

    out = tmp_path / "out"
    out.mkdir()
    real = tempfile.mkstemp

    def refuse(*args, dir=None, **kw):
        if dir is not None and Path(dir) == out:
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    line = one_error_line(collect(setup, out), out)
    assert "只读的磁盘或文件夹" in line and "换一个可写的输出位置" in line
    assert list(out.iterdir()) == []


def test_disk_full_while_writing_leaves_no_partial_outputs(setup, tmp_path, monkeypatch):
    from xltasks.collecting import report

    out = tmp_path / "out"
    assert collect(setup, out).exit_code == 0  # a previous run's outputs
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".xlsx", ".json")}

    def full(result, path):  # report.json is written after merged.xlsx and report.xlsx
        with fileio.atomic_path(path) as tmp:
            tmp.write_bytes(b"{")
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report, "write_json", full)
    line = one_error_line(collect(setup, out), out / "report.json")
    assert "写入中断: 磁盘空间不足" in line and "未留下不完整的文件" in line
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".xlsx", ".json")}
    assert after == before  # merged.xlsx and report.xlsx of this run were not moved into place either
    assert [p.name for p in out.iterdir() if p.name.endswith(".part")] == []


def test_unwritable_ledger_is_one_line(setup, tmp_path, monkeypatch):
    from xltasks.collecting import ledger

    def full(self, files, when):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ledger.Ledger, "_record", full)
    out = tmp_path / "out"
    line = one_error_line(collect(setup, out), out / "ledger.sqlite")
    assert "收文台账无法写入（磁盘空间不足）" in line and "--ledger" in line


def test_temporaries_of_killed_runs_are_removed(setup, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = 2 ** 22 + 12345  # above any pid this machine hands out (pid_max ≤ 4194304)
    stale = out / f".merged.{dead}-abcd_123.xlsx.part"
    stale.write_bytes(b"half")
    live = out / f".merged.{os.getpid()}-zzzz_999.xlsx.part"  # another run still writing: left alone
    live.write_bytes(b"busy")
    other = out / "notes.part"  # not ours
    other.write_bytes(b"x")
    r = collect(setup, out)
    assert r.exit_code == 0, r.output
    assert not stale.exists() and live.exists() and other.exists()
    assert (out / "merged.xlsx").exists()
