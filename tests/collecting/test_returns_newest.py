"""Issue 14 item 2: the newest of a unit's files is the one the office received last (the ledger's first-seen
time, else the file's modification time), for .xlsx, .xls and .ods alike; the workbook's saved time only breaks
ties. The report says which time decided, and flags a deciding file whose workbook was saved earlier."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from tests.builders import PERIOD, rewrite_member
from tests.make_corpus import Kit
from xltasks.cli import main
from xltasks.collecting.merge import collect
from xltasks.issuing.fill import Entry

UNIT = "市住建局"
DAY = 86_400
OCT1 = 1_633_046_400  # 2021-10-01 00:00 UTC


def _entries(current):
    return [Entry("1.4", "保障性住房建设", "新建保障性住房", "套", 5000, current)]


def _saved(path: Path, when: bytes) -> None:
    rewrite_member(path, lambda n: n == "docProps/core.xml",
                   lambda d: re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>" + when + b"<", d))


def test_an_xls_correction_beats_the_older_xlsx(soffice, tmp_path):
    from xltasks.core.libreoffice import convert

    kit = Kit(tmp_path / "kit")
    ret = tmp_path / "returns"
    ret.mkdir()
    old = kit.filled(ret / "市住建局-三季度.xlsx", _entries(4000), unit=UNIT)
    fixed = kit.filled(tmp_path / "更正.xlsx", _entries(4200), unit=UNIT)
    xls = convert(fixed, ret, "xls")  # an .xls carries no saved time
    os.utime(old, (OCT1, OCT1))
    os.utime(xls, (OCT1 + DAY, OCT1 + DAY))
    register = tmp_path / "register.json"
    kit.register.save_json(register)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["collect", str(ret), "--register", str(register), "--period", PERIOD,
                                  "-o", str(out / "merged.xlsx"), "--json", str(out / "report.json"),
                                  "--report", str(out / "report.xlsx")])
    assert r.exit_code == 0, r.output
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    by_name = {Path(f["path"]).name: f for f in rep["files"]}
    assert by_name[xls.name]["status"] == "accepted" and by_name[xls.name]["saved_at"] is None
    superseded = by_name[old.name]
    assert superseded["status"] == "superseded"
    [p] = superseded["problems"]
    assert p["code"] == "duplicate-superseded" and xls.name in p["message"]
    assert "按收到时间" in p["message"] and "文件修改时间" in p["message"]
    assert by_name[xls.name]["received_basis"] == "文件修改时间"
    res = collect([ret], kit.register, PERIOD)
    assert [r.current for r in res.progress.rows if r.unit == UNIT] == [4200]
    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    rows = list(wb["文件清单"].iter_rows(values_only=True))
    assert rows[0][-3:-1] == ("收到时间", "收到时间依据")
    assert {row[-2] for row in rows[1:]} == {"文件修改时间"}


def test_the_ledger_first_seen_time_decides_over_a_touched_file(tmp_path):
    """A file seen in an earlier run keeps the time it was first received, even when a copy tool later gives
    it a newer modification time; the correction received since then wins."""
    kit = Kit(tmp_path / "kit")
    ret = tmp_path / "returns"
    ret.mkdir()
    db = tmp_path / "ledger.sqlite"
    old = kit.filled(ret / "a.xlsx", _entries(4000), unit=UNIT)
    collect([ret], kit.register, PERIOD, ledger=db)  # first seen now
    new = kit.filled(ret / "b.xlsx", _entries(4200), unit=UNIT)
    import time

    os.utime(new, (time.time() + 60, time.time() + 60))  # arrives a minute later
    os.utime(old, (2_000_000_000, 2_000_000_000))  # touched by a copy tool: a file time in 2033
    res = collect([ret], kit.register, PERIOD, ledger=db)
    st = {Path(f.path).name: f for f in res.files}
    assert st["b.xlsx"].status == "accepted" and st["a.xlsx"].status == "superseded"
    assert st["a.xlsx"].received_basis == "台账首次收到时间"
    assert "台账首次收到时间" not in st["a.xlsx"].problems[0].message  # the newer one's basis is named
    assert "按收到时间" in st["a.xlsx"].problems[0].message
    assert [r.current for r in res.progress.rows if r.unit == UNIT] == [4200]
    # without the ledger the file time is all there is: the touched file counts as received later
    res = collect([ret], kit.register, PERIOD)
    assert {Path(f.path).name: f.status for f in res.files} == {"a.xlsx": "accepted", "b.xlsx": "superseded"}
    assert new.exists()


def test_saved_time_breaks_ties_and_a_disagreement_is_flagged(tmp_path):
    kit = Kit(tmp_path / "kit")
    ret = tmp_path / "returns"
    ret.mkdir()
    a = kit.filled(ret / "a.xlsx", _entries(4000), unit=UNIT)
    b = kit.filled(ret / "b.xlsx", _entries(4200), unit=UNIT)
    _saved(a, b"2021-10-01T08:00:00Z")
    _saved(b, b"2021-10-05T08:00:00Z")
    for p in (a, b):
        os.utime(p, (OCT1, OCT1))  # received together (one mail): the saved time decides
    res = collect([ret], kit.register, PERIOD)
    st = {Path(f.path).name: f for f in res.files}
    assert st["b.xlsx"].status == "accepted" and "按工作簿保存时间" in st["a.xlsx"].problems[0].message
    assert [p.code for p in st["b.xlsx"].problems] == []
    # received later, but its workbook was saved before the other's: taken, and said
    os.utime(a, (OCT1 + DAY, OCT1 + DAY))
    res = collect([ret], kit.register, PERIOD)
    st = {Path(f.path).name: f for f in res.files}
    assert st["a.xlsx"].status == "accepted" and st["b.xlsx"].status == "superseded"
    [flag] = [p for p in st["a.xlsx"].problems if p.code == "newest-times-disagree"]
    assert flag.level == "警告" and "b.xlsx" in flag.message and "2021-10-05" in flag.message
    shutil.rmtree(ret)
