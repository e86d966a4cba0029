"""Issue 14 items 1 and 18: any file name is handled — GBK bytes on disk (a zip unpacked on Linux from Chinese
Windows), bytes no encoding explains, zip members stored in UTF-8 or GBK without the UTF-8 flag. The run never
stops on a name: every output stores the name readably and the good returns are merged."""
from __future__ import annotations

import json
import os
import sqlite3
import zlib
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from tests.builders import PERIOD, expected_lines, lines_of
from tests.make_corpus import BAD_UNIT, GOOD_UNITS, Kit, raw_zip
from xltasks.cli import main
from xltasks.collecting.intake import shown_path
from xltasks.core.progress_io import read_progress

GBK_NAME = "市发改委-三季度报送.xlsx"


def _write_bytes_name(folder: Path, name: bytes, data: bytes) -> None:
    with open(os.path.join(os.fsencode(folder), name), "wb") as f:
        f.write(data)


def _stored_zip(members: dict[str, bytes], encoding: str) -> bytes:
    return raw_zip([(n, d, zlib.crc32(d), len(d), 0) for n, d in members.items()], encoding=encoding)


def test_shown_path_decodes_gbk_and_escapes_the_rest():
    gbk = os.fsdecode(b"/tmp/" + "附件2".encode("gbk") + b"/" + GBK_NAME.encode("gbk"))
    assert shown_path(gbk) == f"/tmp/附件2/{GBK_NAME}"
    mixed = os.fsdecode("/tmp/报送/".encode() + GBK_NAME.encode("gbk"))  # UTF-8 folder, GBK file
    assert shown_path(mixed) == f"/tmp/报送/{GBK_NAME}"
    odd = os.fsdecode(b"/tmp/\xff\xfe\x80.xlsx")  # not UTF-8, not GB18030
    shown = shown_path(odd)
    assert shown == "/tmp/\\xff\\xfe\\x80.xlsx"
    shown.encode("utf-8")  # storable anywhere
    assert shown_path("/tmp/普通.xlsx") == "/tmp/普通.xlsx"


def test_any_file_name_is_collected_and_reported(tmp_path):
    kit = Kit(tmp_path / "kit")
    folder = tmp_path / "returns"
    folder.mkdir()
    for unit in GOOD_UNITS:
        kit.clean(folder / f"good_{unit}.xlsx", unit)
    sub = os.path.join(os.fsencode(folder), "附件".encode("gbk"))
    os.mkdir(sub)
    _write_bytes_name(Path(os.fsdecode(sub)), GBK_NAME.encode("gbk"), kit.clean_bytes(BAD_UNIT))
    # a name no encoding explains, holding a broken file: reported under a safe form of its name
    _write_bytes_name(folder, b"\xff\xfe-bad.xlsx", b"not a workbook")
    register = tmp_path / "register.json"
    kit.register.save_json(register)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["collect", str(folder), "--register", str(register), "--period", PERIOD,
                                  "-o", str(out / "merged.xlsx"), "--json", str(out / "report.json"),
                                  "--report", str(out / "report.xlsx")])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code == 1, r.output  # the broken file is an error; the run itself went through
    assert "\\xff\\xfe-bad.xlsx" in r.output  # console: 退回 line with the safe name
    merged = read_progress(out / "merged.xlsx")
    for unit in (*GOOD_UNITS, BAD_UNIT):
        assert lines_of(merged.rows, unit) == expected_lines(unit), unit
    assert {Path(r.provenance.file).name for r in merged.rows if r.unit == BAD_UNIT} == {GBK_NAME}
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    paths = {f["path"] for f in rep["files"]}
    assert f"{folder}/附件/{GBK_NAME}" in paths
    assert f"{folder}/\\xff\\xfe-bad.xlsx" in paths
    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    listed = {row[0] for row in wb["文件清单"].iter_rows(min_row=2, values_only=True)}
    assert {f"附件/{GBK_NAME}", "\\xff\\xfe-bad.xlsx"} <= listed
    con = sqlite3.connect(out / "ledger.sqlite")
    keys = {k for (k,) in con.execute("SELECT path FROM files")}
    con.close()
    assert f"{folder}/附件/{GBK_NAME}" in keys


def test_zip_member_names_without_utf8_flag(tmp_path):
    """UTF-8 names without the flag (macOS, Java, many tools) and GBK names (Chinese Windows) both read."""
    kit = Kit(tmp_path / "kit")
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "utf8.zip").write_bytes(_stored_zip({"报送/市住建局报送表.xlsx": kit.clean_bytes("市住建局")}, "utf-8"))
    (folder / "gbk.zip").write_bytes(_stored_zip({"报送/市应急局报送表.xlsx": kit.clean_bytes("市应急局")}, "gbk"))
    register = tmp_path / "register.json"
    kit.register.save_json(register)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["collect", str(folder), "--register", str(register), "--period", PERIOD,
                                  "-o", str(out / "merged.xlsx"), "--json", str(out / "report.json")])
    assert r.exit_code == 0, r.output
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(f["path"].split("::")[1] for f in rep["files"]) == ["报送/市住建局报送表.xlsx",
                                                                     "报送/市应急局报送表.xlsx"]
    merged = read_progress(out / "merged.xlsx")
    for unit in GOOD_UNITS:
        assert lines_of(merged.rows, unit) == expected_lines(unit), unit
