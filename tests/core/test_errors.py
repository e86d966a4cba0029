"""One exception hierarchy: each kind of failure is its own subclass of XltasksError, and the CLI shows it
as one line (exit 1), or as a usage error (exit 2)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from xltasks.cli import main
from xltasks.collecting.intake import Source, preflight
from xltasks.core.errors import (InputError, NotADecomposition, OutputError, ReturnedFileError, UsageError,
                                 XltasksError)
from xltasks.core.fileio import atomic_write_text
from xltasks.core.register_io import load_register
from xltasks.importers import import_paths
from xltasks.issuing.fill import fill_template


def test_every_kind_is_an_xltasks_error():
    for kind in (InputError, NotADecomposition, ReturnedFileError, OutputError, UsageError):
        assert issubclass(kind, XltasksError)
    assert issubclass(NotADecomposition, InputError)
    assert issubclass(UsageError, ValueError)  # what Python callers expect of a wrong argument


def test_message_names_file_and_place():
    assert str(InputError("缺少列", file="register.xlsx", where="任务!A1")) == "register.xlsx:任务!A1: 缺少列"
    assert str(InputError("缺少列", file="register.xlsx")) == "register.xlsx: 缺少列"
    failure = ReturnedFileError("too-large", "超过读取上限", sheet="填报", cell="XFD1")
    assert (str(failure), failure.code, failure.sheet, failure.cell) == ("超过读取上限", "too-large", "填报", "XFD1")


def test_library_raises_the_kind_of_its_failure(tmp_path):
    with pytest.raises(InputError, match="nope.json"):
        load_register(tmp_path / "nope.json")
    text = tmp_path / "notes.txt"
    text.write_text("这里没有任何任务。\n", encoding="utf-8")
    with pytest.raises(NotADecomposition, match="notes.txt"):
        import_paths([text])
    with pytest.raises(UsageError, match="没有给出"):
        import_paths([])
    (tmp_path / "taken").mkdir()
    with pytest.raises(OutputError, match="同名的文件夹"):
        atomic_write_text(tmp_path / "taken", "x")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a workbook at all")
    with pytest.raises(ReturnedFileError) as e:
        preflight(Source(str(fake), str(fake), fake.read_bytes(), 0.0))
    assert e.value.code == "not-a-workbook"
    same = tmp_path / "t.xlsx"
    with pytest.raises(UsageError, match="模板文件"):
        fill_template(same, same, [])


def test_cli_exit_codes_by_kind(tmp_path):
    runner = CliRunner()
    register = tmp_path / "register.json"
    register.write_text('{"source": "s", "layout": "x", "tasks": [{"id": "1.1", "section": "一", "group": "", '
                        '"leader": "", "no": "1", "text": "任务", "units": ["市发改委"], "lead_unit": "市发改委"}], '
                        '"units": [{"name": "市发改委", "kind": "部门"}]}', encoding="utf-8")
    usage = runner.invoke(main, ["templates", str(register), "-o", str(tmp_path / "t"), "--period", " "])
    assert usage.exit_code == 2 and "缺少填报期次" in usage.output  # UsageError: bad usage, as click's own
    missing = runner.invoke(main, ["compile", str(tmp_path / "m.xlsx"), "--register", str(register),
                                   "-o", str(tmp_path / "汇编.xlsx"), "--as-of", "2021-09-30"])
    assert missing.exit_code == 1 and missing.output == f"Error: {tmp_path / 'm.xlsx'}: 文件不存在\n"
    text = tmp_path / "notes.txt"
    text.write_text("这里没有任何任务。\n", encoding="utf-8")
    bad = runner.invoke(main, ["import", str(text), "-o", str(tmp_path / "register.xlsx")])
    assert bad.exit_code == 1
    assert bad.output.startswith(f"Error: {text}: 不是重点工作责任分解文档")
    assert "Traceback" not in bad.output
