"""The CLI's promises to office users: inputs are never overwritten, bad paths and dates get one Chinese
line, help is in Chinese, library errors read in Chinese, and the period is written as people write it."""
from __future__ import annotations

import json
import os
import re
import shutil

import click
import pytest
from click.testing import CliRunner

from tests.conftest import SEED_000
from xltasks.core import layout
from xltasks.cli import main
from xltasks.core.errors import XltasksError
from xltasks.core.fileio import atomic_path, atomic_write_text, sha256_file
from xltasks.importers.reasons import reason

CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """A real register (seed 000) as .xlsx + .json, made once."""
    d = tmp_path_factory.mktemp("reg")
    r = run("import", SEED_000, "-o", d / "register.xlsx")
    assert r.exit_code == 0, r.output
    return d / "register.xlsx"


def _copy(src, dst):
    shutil.copyfile(src, dst)
    return dst, sha256_file(dst)


# --- 1. input files are never modified -------------------------------------------------------------

def test_import_refuses_to_overwrite_its_source(register, tmp_path):
    tbl, sha = _copy(register, tmp_path / "tbl.xlsx")
    r = run("import", tbl, "-o", tbl)
    assert r.exit_code == 2 and "输入文件不会被改写" in r.output
    assert sha256_file(tbl) == sha
    # the .json written beside OUT.xlsx counts too
    src, sha_json = _copy(register.with_suffix(".json"), tmp_path / "reg.json")
    r = run("import", src, "-o", tmp_path / "reg.xlsx")
    assert r.exit_code == 2 and sha256_file(src) == sha_json and not (tmp_path / "reg.xlsx").exists()


def test_import_refuses_a_hard_link_to_its_source(register, tmp_path):
    tbl, sha = _copy(register, tmp_path / "tbl.xlsx")
    try:
        os.link(tbl, tmp_path / "link.xlsx")
    except OSError:
        pytest.skip("no hard links on this file system")
    r = run("import", tbl, "-o", tmp_path / "link.xlsx")
    assert r.exit_code == 2 and sha256_file(tbl) == sha


def test_compile_and_import_compilation_refuse_their_inputs(register, tmp_path):
    mm, sha_mm = _copy(register, tmp_path / "mm.xlsx")
    reg, sha_reg = _copy(register, tmp_path / "r.xlsx")
    for out in (mm, reg):
        r = run("compile", mm, "--register", reg, "-o", out, "--as-of", "2021-09-30")
        assert r.exit_code == 2, r.output
    r = run("import-compilation", mm, "--register", reg, "-o", mm)
    assert r.exit_code == 2, r.output
    r = run("import-compilation", mm, "--register", reg, "-o", reg)
    assert r.exit_code == 2, r.output
    assert sha256_file(mm) == sha_mm and sha256_file(reg) == sha_reg


def test_directory_collect_and_remind_refuse_their_inputs(register, tmp_path):
    reg, sha = _copy(register, tmp_path / "register.xlsx")
    assert run("directory", reg, "-o", reg).exit_code == 2
    returns = tmp_path / "returns"
    returns.mkdir()
    r = run("collect", returns, "--register", reg, "--period", "2021Q3", "-o", reg)
    assert r.exit_code == 2 and "输入文件不会被改写" in r.output
    r = run("collect", returns, "--register", reg, "--period", "2021Q3", "-o", tmp_path / "m.xlsx",
            "--ledger", reg)
    assert r.exit_code == 2
    r = run("collect", returns, "--register", reg, "--period", "2021Q3", "-o", tmp_path / "m.xlsx",
            "--report", tmp_path / "m.xlsx")
    assert r.exit_code == 2 and "输出文件路径重复" in r.output
    assert sha256_file(reg) == sha and not (tmp_path / "m.xlsx").exists()
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"files": [], "missing_units": []}), encoding="utf-8")
    assert run("remind", "--report", report, "-o", report).exit_code == 2


def test_templates_refuse_to_overwrite_an_input_in_the_output_folder(register, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("分发清单.xlsx", "2021Q3_register.xlsx"):
        reg, sha = _copy(register, out / name)
        r = run("templates", reg, "-o", out, "--period", "2021Q3")
        assert r.exit_code == 2 and ("输出文件夹" in r.output or "输入文件不会被改写" in r.output), r.output
        assert sha256_file(reg) == sha
        assert sorted(p.name for p in out.iterdir()) == [name]
        reg.unlink()
    # a register that no output can replace may sit in the output folder
    reg, sha = _copy(register, out / "register.xlsx")
    r = run("templates", reg, "-o", out, "--period", "2021Q3", "--units", "市建委")
    assert r.exit_code == 0, r.output
    assert sha256_file(reg) == sha


# --- 2. bad output paths: one line, not an internal error ----------------------------------------

def test_output_under_a_file_is_a_clear_error(register, tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    r = run("import", SEED_000, "-o", tmp_path / "a.txt" / "x.xlsx")
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "无法创建输出目录" in lines[0]
    assert "内部错误" not in r.output and "FileExistsError" not in r.output
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "x"


def test_atomic_path_raises_xltasks_error(tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(XltasksError, match="无法创建输出目录") as e:
        atomic_write_text(tmp_path / "f" / "sub" / "x.txt", "y")
    assert e.value.file == str(tmp_path / "f" / "sub" / "x.txt")
    (tmp_path / "d").mkdir()
    with pytest.raises(XltasksError, match="无法写入"):
        with atomic_path(tmp_path / "d") as tmp:
            tmp.write_text("y", encoding="utf-8")
    assert (tmp_path / "d").is_dir() and list((tmp_path / "d").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "f"]  # no temp file left behind


def test_unwritable_folder_is_a_clear_error(tmp_path, monkeypatch):
    # root may write anywhere, so the refusal the OS gives a bureau's clerk is simulated at its source
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(XltasksError, match="无法写入: 没有写入权限"):
        atomic_write_text(tmp_path / "x.txt", "y")
    assert not (tmp_path / "x.txt").exists()


# --- 3. Chinese for the people who read it -------------------------------------------------------

def test_every_help_text_is_chinese_with_an_example():
    assert CJK.search(main.help)
    assert all(CJK.search(p.help) for p in main.params if isinstance(p, click.Option) and p.help)
    for name, cmd in main.commands.items():
        assert CJK.search(cmd.help.split("\n")[0]), name
        assert f"xltasks {name} " in cmd.help, name
        for p in cmd.params:
            if isinstance(p, click.Option) and p.help:
                assert CJK.search(p.help), (name, p.name, p.help)
        shown = run(name, "--help").output
        assert "显示本帮助并退出" in shown and "Show this message" not in shown, name


@pytest.mark.parametrize("args", [
    ["compile", "m.xlsx", "--register", "r.xlsx", "-o", "o.xlsx", "--as-of", "2021/09/30"],
    ["templates", "r.xlsx", "-o", "out", "--period", "2021Q3", "--deadline", "10月10日"],
    ["remind", "--report", "r.json", "-o", "out", "--deadline", "2021-13-01"],
])
def test_dates_are_checked_with_a_chinese_message(args):
    r = run(*args)
    assert r.exit_code == 2
    assert "日期格式应为 YYYY-MM-DD，例如 2021-09-30" in r.output


def test_library_reasons_are_chinese():
    assert reason(ValueError("Cannot detect file format")).startswith("无法识别文件格式")
    assert "zip" in reason(Exception("File is not a zip file")) and "已损坏" in reason(Exception("File is not a zip file"))
    assert "已损坏" in reason(Exception("invalid Zip archive: Could not find EOCD"))
    assert "编码" in reason(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"))
    assert reason(RuntimeError("something else")) == "something else"


def _one_error_line(r) -> str:
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert r.exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), r.output
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", lines[0].split(": ", 2)[-1]), lines[0]  # no English
    return lines[0]


def test_broken_files_read_in_chinese(tmp_path):
    cases = {
        "bad.xlsx": (b"hello", "文件已损坏"),
        "bad.docx": (b"PK\x03\x04junk", "文件已损坏"),
        "bad.pdf": (b"%PDF-1.4 garbage", "文件不完整或已损坏"),  # pypdf's own log line must not show
        "bad.xls": (b"abc", "文件已损坏"),
    }
    for name, (data, phrase) in cases.items():
        (tmp_path / name).write_bytes(data)
        line = _one_error_line(run("import", tmp_path / name, "-o", tmp_path / "r.xlsx"))
        assert phrase in line and name in line, line
    assert not (tmp_path / "r.xlsx").exists()


# --- 4. Word/PDF visible; .doc hint ----------------------------------------------------------------

def test_import_help_and_unsupported_types(tmp_path):
    help_text = run("import", "--help").output
    assert ".docx" in help_text and ".pdf" in help_text
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    line = _one_error_line(run("import", tmp_path / "old.doc", "-o", tmp_path / "r.xlsx"))
    assert "请用 Word/WPS 另存为 .docx 后导入" in line
    (tmp_path / "data.bin").write_bytes(b"\x00\x01\x02" * 100)
    line = _one_error_line(run("import", tmp_path / "data.bin", "-o", tmp_path / "r.xlsx"))
    assert ".txt/.csv/.xlsx/.xls/.docx/.pdf" in line


# --- 5. the period as people write it ------------------------------------------------------------

@pytest.mark.parametrize("period, label", [
    ("2021Q3", "2021年第三季度"), ("2021Q1", "2021年第一季度"), ("2021H1", "2021年上半年"),
    ("2021H2", "2021年下半年"), ("2021", "2021年"), ("2021-09", "2021年9月"), ("2021M09", "2021年9月"),
    ("2021-12", "2021年12月"), ("2021Q5", "2021Q5"), ("2021-13", "2021-13"), ("三季度", "三季度"),
])
def test_period_label(period, label):
    assert layout.period_label(period) == label


# --- 6. collectives warned only when generated ---------------------------------------------------

def test_collectives_warning_only_for_generated_units(tmp_path):
    from xltasks.importers import import_paths
    from xltasks.core.models import UNIT_KIND_COLLECTIVE
    from xltasks.issuing.templates import make_templates

    reg = import_paths([SEED_000])
    collective = next(u.name for u in reg.units if u.kind == UNIT_KIND_COLLECTIVE)
    run_a = make_templates(reg, tmp_path / "a", "2021Q3", units=["市建委"])
    assert [i.unit for i in run_a.issued] == ["市建委"]
    assert not [w for w in run_a.warnings if "集合" in w]
    run_b = make_templates(reg, tmp_path / "b", "2021Q3", units=["市建委", collective])
    (warning,) = [w for w in run_b.warnings if "集合" in w]
    assert warning.endswith("：" + collective)
