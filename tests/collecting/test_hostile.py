"""Issue 7: hostile and broken returns. Nothing crashes, nothing is lost, nothing runs.

Every case of tests/make_corpus.py is collected through the CLI next to clean returns of other units:
the expected problem code, no traceback, the expected exit status, the inputs byte-for-byte unchanged,
and the clean returns of the same folder merged with all their rows.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import PERIOD, edit, expected_lines, lines_of, make_register
from tests.make_corpus import BAD_UNIT, CASES, GOOD_UNITS, INJECTIONS, Kit, build
from tests.make_corpus_returns import CASES as RETURN_CASES
from tests.make_corpus_returns import build as build_returns
from xltasks.collecting import intake, sheet_xml
from xltasks.cli import main
from xltasks.issuing.fill import Entry
from xltasks.collecting.intake import Source, preflight
from xltasks.core.errors import ReturnedFileError
from xltasks.collecting.merge import collect
from xltasks.core.problems import CODES
from xltasks.core.progress_io import read_progress


@pytest.fixture(scope="session")
def kit(tmp_path_factory) -> Kit:
    return Kit(tmp_path_factory.mktemp("kit"))


@pytest.fixture(scope="session")
def corpus(kit, tmp_path_factory) -> dict[str, Path]:
    return build(kit, tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def register_json(kit, tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("register") / "register.json"
    kit.register.save_json(p)
    return p


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_collect(folder: Path, register_json: Path, out: Path, *extra):
    args = ["collect", folder, "--register", register_json, "--period", PERIOD, "-o", out / "merged.xlsx",
            "--json", out / "report.json", "--report", out / "report.xlsx", *extra]
    return CliRunner().invoke(main, [str(a) for a in args])


def returns_folder(kit: Kit, src: Path | None, tmp_path: Path) -> Path:
    folder = tmp_path / "returns"
    if src is not None:
        shutil.copytree(src, folder)
    else:
        folder.mkdir()
    for unit in GOOD_UNITS:
        kit.clean(folder / f"good_{unit}.xlsx", unit)
    return folder


def assert_clean_run(r) -> None:
    """No traceback: the CLI ended by its own exit, never by an exception."""
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output


def is_good(path: str) -> bool:
    return Path(path.split("::")[0]).name.startswith("good_")


def test_corpus_is_large_and_covers_the_issue():
    names = [c.name for c in CASES]
    assert len(names) >= 40 and len(set(names)) == len(names)
    codes = {c.code for c in CASES}
    assert {"not-a-workbook", "too-large", "encrypted", "xml-dtd", "not-our-template", "schema-version",
            "wrong-period", "unknown-unit", "missing-task", "row-without-task", "locked-cell-changed",
            "formula-changed", "merged-cells", "not-a-number", "control-characters", "text-too-long",
            "duplicate-superseded"} <= codes
    assert all(c.code in CODES for c in CASES if c.code)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file(case, kit, corpus, register_json, tmp_path):
    folder = returns_folder(kit, corpus[case.name], tmp_path)
    before = hashes(folder)
    out = tmp_path / "out"

    r = run_collect(folder, register_json, out)

    assert_clean_run(r)
    assert r.exit_code == case.exit_code, r.output
    assert hashes(folder) == before  # inputs never modified, nothing decrypted or extracted beside them
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    bad = [f for f in rep["files"] if not is_good(f["path"])]
    assert bad, rep["files"]
    problems = [p for f in bad for p in f["problems"]]
    for p in problems:
        assert p["message"] and p["suggestion"] and p["level"] in ("错误", "警告")
    if case.code:
        assert case.code in {p["code"] for p in problems}, problems
    else:
        assert [p for p in problems if p["level"] == "错误"] == []
    # the clean returns next to it: accepted and merged with every row
    merged = read_progress(out / "merged.xlsx")
    for unit in GOOD_UNITS:
        assert lines_of(merged.rows, unit) == expected_lines(unit), unit
    good_files = [f for f in rep["files"] if is_good(f["path"])]
    assert [f["status"] for f in good_files] == ["accepted"] * len(GOOD_UNITS)
    if case.merged:
        assert len(lines_of(merged.rows, BAD_UNIT)) == len(expected_lines(BAD_UNIT))
    else:
        assert lines_of(merged.rows, BAD_UNIT) == []
    if case.code in ("control-characters", "") and case.name != "formula-injection-as-text":
        assert lines_of(merged.rows, BAD_UNIT) == expected_lines(BAD_UNIT)  # cleaned text, all rows read
    # the 问题清单 of report.xlsx holds the same problems as report.json
    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    listed = [row[5] for row in wb["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert sorted(listed) == sorted(p["code"] for f in rep["files"] for p in f["problems"])


def test_wps_dimension_reads_every_row(kit, corpus, register_json, tmp_path):
    """openpyxl read_only trusts <dimension ref="A1"/> and sees one cell; collect reads every row."""
    folder = corpus["wps-dimension-a1"]
    p = next(folder.iterdir())
    ro = openpyxl.load_workbook(p, read_only=True)["填报"]
    assert ro.max_row == 1 and ro.max_column == 1  # the trap is real
    res = collect([folder], kit.register, PERIOD)
    assert lines_of(res.progress.rows, BAD_UNIT) == expected_lines(BAD_UNIT)
    res = collect([corpus["wps-dimension-a1-error-below"]], kit.register, PERIOD)
    assert ("number-with-unit", "J7") in {(q.code, q.cell) for q in res.problems}


def test_password_opens_encrypted_returns_in_memory(kit, corpus, register_json, tmp_path):
    folder = returns_folder(kit, corpus["encrypted"], tmp_path)
    before = hashes(folder)
    out = tmp_path / "out"
    r = run_collect(folder, register_json, out, "--password", "secret")
    assert_clean_run(r)
    assert r.exit_code == 0, r.output
    merged = read_progress(out / "merged.xlsx")
    assert lines_of(merged.rows, BAD_UNIT) == expected_lines(BAD_UNIT)
    assert hashes(folder) == before  # no decrypted copy written next to the source
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    enc = [f for f in rep["files"] if not is_good(f["path"])][0]
    assert enc["sha256"] == before["bad.xlsx"]  # provenance names the file as received

    r = run_collect(folder, register_json, tmp_path / "out2", "--password", "wrong")
    assert_clean_run(r)
    assert r.exit_code == 1
    rep = json.loads((tmp_path / "out2" / "report.json").read_text(encoding="utf-8"))
    codes = [p["code"] for f in rep["files"] if not is_good(f["path"]) for p in f["problems"]]
    assert codes == ["bad-password"]


def test_defusedxml_guards_openpyxl_and_our_readers(corpus):
    assert openpyxl.DEFUSEDXML is True  # openpyxl parses through defusedxml when it is installed
    from defusedxml import EntitiesForbidden

    p = next(corpus["billion-laughs-sheet"].iterdir())
    with pytest.raises(ValueError) as e:  # openpyxl wraps the parser's refusal
        openpyxl.load_workbook(p)
    assert isinstance(e.value.__cause__, EntitiesForbidden)
    # our own readers refuse it before parsing: preflight looks at every XML member's prolog
    with pytest.raises(ReturnedFileError) as e:
        preflight(Source(str(p), str(p), p.read_bytes(), 0.0))
    assert e.value.code == "xml-dtd"
    # and the formula reader goes through defusedxml too
    with zipfile.ZipFile(p) as zf:
        with pytest.raises(Exception):
            list(sheet_xml._iterparse(zf.open("xl/worksheets/sheet2.xml")))


def test_preflight_no_false_positive_on_compressible_or_large_workbooks(kit, tmp_path):
    """No ratio check: a huge, well-compressing styles.xml passes; so does a workbook big enough for the
    lying-header check to inflate every member."""
    import os

    good = kit.clean(tmp_path / "good.xlsx")
    padded = tmp_path / "padded.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/styles.xml":
                data = data.replace(b"</styleSheet>", b"<!--" + b" " * (40 * 2**20) + b"--></styleSheet>")
            zout.writestr(info.filename, data)
    big = tmp_path / "big.xlsx"
    wb = openpyxl.load_workbook(good)
    extra = wb.create_sheet("附件")
    for i in range(1200):
        extra.cell(i + 1, 1, os.urandom(512).hex())  # incompressible: ~1.2 MB of shared strings
    wb.save(big)
    assert sum(i.compress_size for i in zipfile.ZipFile(big).infolist()) * 1032 > intake.MAX_TOTAL_BYTES
    for p in (padded, big):
        (src,) = intake.sources_of(p)
        kind, zf = preflight(src)
        assert kind == "xlsx" and zf is not None
    for p in (padded, big):  # and each is read as a clean return
        res = collect([p], kit.register, PERIOD)
        assert [f.status for f in res.files] == ["accepted"], (p.name, res.problems)
        assert lines_of(res.progress.rows, BAD_UNIT) == expected_lines(BAD_UNIT)


def test_libreoffice_xls_and_ods_returns(kit, register_json, tmp_path, soffice):
    """Real .xls and .ods returns (converted by LibreOffice): the clean one merged, the bad ones reported."""
    from xltasks.core.libreoffice import convert

    src = tmp_path / "src"
    src.mkdir()
    clean = kit.clean(src / "fgw.xlsx")
    bad = kit.filled(src / "jt.xlsx", [Entry("1.1", "公交配套", "新辟公交线路", "条", 30, "12条")], unit="市交通局")
    bad2 = kit.filled(src / "fgw_bad.xlsx", [Entry("1.1", "地铁建设", "里程", "公里", 75, "约60")])
    folder = returns_folder(kit, None, tmp_path)
    convert(clean, folder, "xls")
    convert(bad, folder, "xls")
    odir = tmp_path / "ods"
    ods = convert(bad2, odir, "ods")
    shutil.copy(ods, folder / "fgw_bad.ods")
    before = hashes(folder)
    r = run_collect(folder, register_json, tmp_path / "out")
    assert_clean_run(r)
    assert r.exit_code == 1
    assert hashes(folder) == before
    rep = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    by_name = {Path(f["path"]).name: f for f in rep["files"]}
    assert by_name["jt.xls"]["status"] == "rejected"
    assert ("number-with-unit", "J4") in {(p["code"], p["cell"]) for p in by_name["jt.xls"]["problems"]}
    assert ("approximate-number", "J4") in {(p["code"], p["cell"]) for p in by_name["fgw_bad.ods"]["problems"]}
    merged = read_progress(tmp_path / "out" / "merged.xlsx")
    for unit in GOOD_UNITS:
        assert lines_of(merged.rows, unit) == expected_lines(unit)
    # fgw.xls and fgw_bad.ods are the same unit: the newer decides; either way nothing of the bad one merges
    assert by_name["fgw.xls"]["status"] in ("accepted", "superseded")


# --- outputs: unit-supplied text stays text --------------------------------------------------------------

def _string_cells(path: Path) -> dict[str, list]:
    """Every cell whose value contains one of the injected strings, with its data type; and formulas."""
    wb = openpyxl.load_workbook(path)
    found: dict[str, list] = {s: [] for s in INJECTIONS}
    formulas = []
    for ws in wb.worksheets:
        assert not ws._hyperlinks, (path.name, ws.title)
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" and any(x in str(c.value) for x in ("HYPERLINK", "SUM(A1)", "1+1", "2+3")):
                    formulas.append((ws.title, c.coordinate, c.value))
                if isinstance(c.value, str):
                    for s in INJECTIONS:
                        if c.value == s or c.value == s.strip():
                            found[s].append((ws.title, c.coordinate, c.data_type))
    return {"found": found, "formulas": formulas}


def test_injected_text_stays_text_in_every_output(tmp_path):
    """=HYPERLINK(…), +1+1, -2+3, @SUM(A1), \\t=1 in the register's task text and in a unit's 细化项目 /
    亮点: register, templates, merged, report and 汇编 hold them as strings, never formulas or links."""
    from xltasks.compiling.writer import compile_workbook
    from xltasks.issuing.fill import fill_template
    from xltasks.collecting.merge import collect as do_collect
    from xltasks.core.progress_io import write_progress
    from xltasks.core.register_io import load_register, write_register
    from xltasks.collecting.report import write_xlsx
    from xltasks.issuing.templates import make_templates

    reg = make_register()
    for t, s in zip(reg.tasks, INJECTIONS):
        t.text = s  # decomposition text is outside text too
    reg_xlsx, _ = write_register(reg, tmp_path / "register.xlsx")
    reg = load_register(reg_xlsx)
    assert [t.text for t in reg.tasks] == list(INJECTIONS)  # read back exactly, tab included
    run = make_templates(reg, tmp_path / "tpl", PERIOD)
    tpl = {t.unit: t.path for t in run.issued}
    ret = tmp_path / "returns"
    ret.mkdir()
    entries = [Entry("1.1", INJECTIONS[1], "里程", "公里", 75, 60, highlights=INJECTIONS[2], problems=INJECTIONS[3]),
               Entry("1.2", INJECTIONS[4], "", "", None, None, "定性", 0.5)]
    fill_template(tpl["市发改委"], ret / "fgw.xlsx", entries)
    wb = openpyxl.load_workbook(ret / "fgw.xlsx")  # openpyxl would turn "=…" into a formula; a bureau's text cell
    ws = wb["填报"]
    for ref in ("F4", "F10", "N4", "O4"):
        ws[ref].data_type = "s"
    ws["G4"].value, ws["G4"].data_type = INJECTIONS[0], "s"
    wb.save(ret / "fgw.xlsx")
    res = do_collect([ret], reg, PERIOD)
    assert [f.status for f in res.files] == ["accepted"], res.problems
    write_progress(res.progress, tmp_path / "merged.xlsx")
    write_xlsx(res, tmp_path / "report.xlsx")
    compile_workbook(reg, res.progress, tmp_path / "汇编.xlsx", as_of=dt.date(2021, 9, 30))

    outputs = {name: [tmp_path / name] for name in ("register.xlsx", "merged.xlsx", "汇编.xlsx")}
    outputs["templates"] = [t.path for t in run.issued]  # each holds its unit's task texts
    for name, paths in outputs.items():
        found: dict[str, list] = {s: [] for s in INJECTIONS}
        for path in paths:
            cells = _string_cells(path)
            assert cells["formulas"] == [], (path.name, cells["formulas"])
            for s, where in cells["found"].items():
                found[s] += where
        for s, where in found.items():
            assert where, (name, s)  # every injected string is in the output …
            assert {dt_ for *_, dt_ in where} == {"s"}, (name, s, where)  # … as a string
    rep = _string_cells(tmp_path / "report.xlsx")
    assert rep["formulas"] == []
    merged = read_progress(tmp_path / "merged.xlsx")
    row = merged.rows[0]
    assert (row.item, row.indicator, row.highlights, row.problems) == (INJECTIONS[1], INJECTIONS[0], INJECTIONS[2],
                                                                        INJECTIONS[3])
    assert merged.rows[-1].item == INJECTIONS[4].strip()


# --- atomic outputs and the ledger -----------------------------------------------------------------------

class Boom(Exception):
    pass


def _explode_text_after(n: int):
    from xltasks.core.xlsx import excel_text as real

    calls = {"n": 0}

    def excel_text(value):
        calls["n"] += 1
        if calls["n"] > n:
            raise Boom("crash while writing")
        return real(value)
    return excel_text


def _explode_after(n: int):
    from xltasks.core.xlsx import write_text as real  # the real one, before any patching

    calls = {"n": 0}

    def write_text(ws, row, col, value, cell_format=None):
        calls["n"] += 1
        if calls["n"] > n:
            raise Boom("crash while writing")
        real(ws, row, col, value, cell_format)
    return write_text


def test_failed_write_leaves_previous_output_intact(kit, tmp_path, monkeypatch):
    from xltasks.compiling import main_sheet as compile_mod  # where sheet 汇编 writes its cells
    from xltasks.core import progress_io, table_xlsx, xlsx
    from xltasks.collecting import report
    from xltasks.compiling.writer import compile_workbook
    from xltasks.core.progress_io import write_progress
    from xltasks.collecting.report import write_xlsx

    folder = returns_folder(kit, None, tmp_path)
    kit.clean(folder / "fgw.xlsx")
    res = collect([folder], kit.register, PERIOD)
    out = tmp_path / "out"
    writers = {
        "merged.xlsx": (progress_io, lambda p: write_progress(res.progress, p)),
        "report.xlsx": (report, lambda p: write_xlsx(res, p)),
        "汇编.xlsx": (compile_mod, lambda p: compile_workbook(kit.register, res.progress, p,
                                                             as_of=dt.date(2021, 9, 30))),
    }
    for name, (module, write) in writers.items():
        target = out / name
        write(target)
        good = target.read_bytes()
        with monkeypatch.context() as m:
            explode = _explode_after(3)
            m.setattr(xlsx, "write_text", explode)  # the cells xlsx.write_table writes
            m.setattr(table_xlsx, "excel_text", _explode_text_after(3))  # the cells of merged.xlsx
            if hasattr(module, "write_text"):
                m.setattr(module, "write_text", explode)
            with pytest.raises(Boom):
                write(target)
        assert target.read_bytes() == good, name  # the previous output, whole
        assert sorted(p.name for p in out.iterdir() if p.name.endswith(".part")) == [], name


def test_ledger_survives_an_interrupted_run(kit, tmp_path, monkeypatch):
    from xltasks.collecting import merge
    from xltasks.collecting.ledger import Ledger

    folder = returns_folder(kit, None, tmp_path)
    db = tmp_path / "ledger.sqlite"
    collect([folder], kit.register, PERIOD, ledger=db)
    with Ledger(db) as led:
        first = led.rows()
    assert len(first) == len(GOOD_UNITS)
    kit.clean(folder / "fgw.xlsx")

    # Ctrl-C while files are being checked: nothing recorded, the ledger as the last run left it
    real = merge.check_file
    calls = {"n": 0}

    def interrupted(source, ctx):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(source, ctx)

    monkeypatch.setattr(merge, "check_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        collect([folder], kit.register, PERIOD, ledger=db)
    monkeypatch.setattr(merge, "check_file", real)
    with Ledger(db) as led:
        assert led.rows() == first

    # a crash half-way through the ledger's own transaction: rolled back, the file still readable
    from xltasks.collecting import ledger as ledger_mod

    class Flaky:
        def __init__(self, files):
            self.files = list(files)

        def __iter__(self):
            yield self.files[0]
            raise KeyboardInterrupt

    orig_record = ledger_mod.Ledger.record
    monkeypatch.setattr(ledger_mod.Ledger, "record", lambda self, files, when: orig_record(self, Flaky(files), when))
    with pytest.raises(KeyboardInterrupt):
        collect([folder], kit.register, PERIOD, ledger=db)
    monkeypatch.setattr(ledger_mod.Ledger, "record", orig_record)
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Ledger(db) as led:
        assert led.rows() == first
    # the next complete run records the new file
    collect([folder], kit.register, PERIOD, ledger=db)
    with Ledger(db) as led:
        assert len(led.rows()) == len(GOOD_UNITS) + 1


def test_damaged_ledger_is_a_clear_error(kit, register_json, tmp_path):
    folder = returns_folder(kit, None, tmp_path)
    db = tmp_path / "ledger.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    r = run_collect(folder, register_json, tmp_path / "out", "--ledger", db)
    assert_clean_run(r)
    assert r.exit_code == 1 and "台账数据库无法打开" in r.output


@pytest.mark.parametrize("name, sheet, cell", [("value-in-far-corner", "填报", "XFD1048576"),
                                               ("value-far-right", "填报", "ZZ20000"),
                                               ("value-far-corner-of-meta", "_meta", "XFD1048576")])
def test_far_value_refused_before_reading_names_the_cell(name, sheet, cell, kit, corpus):
    """The sheet XML is measured before calamine allocates its dense grid: refused, the cell named."""
    res = collect([corpus[name]], kit.register, PERIOD)
    [f] = res.files
    assert [(p.code, p.sheet, p.cell) for p in f.problems] == [("too-large", sheet, cell)]
    assert cell in f.problems[0].message


def test_value_just_outside_the_template_is_read(kit, tmp_path):
    """A note typed a little right of the table (AA50) is within the caps: the return is read as usual."""

    p = kit.clean(tmp_path / "a.xlsx")
    edit(p, lambda wb: wb["填报"].__setitem__("AA50", "备注"))
    res = collect([p], kit.register, PERIOD)
    assert [f.status for f in res.files] == ["accepted"]
    assert lines_of(res.progress.rows, BAD_UNIT) == expected_lines(BAD_UNIT)


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="os.mkfifo is not available here")
def test_fifo_and_device_link_are_not_read(kit, register_json, tmp_path):
    """A FIFO (no writer: reading it would hang) and a link to /dev/zero (endless) are listed as not regular
    files and never read; a link to a regular file is read as that file; the neighbours are merged."""
    import os

    folder = returns_folder(kit, None, tmp_path)
    os.mkfifo(folder / "p.xlsx")
    links = Path("/dev/zero").exists()
    if links:
        os.symlink("/dev/zero", folder / "z.xlsx")
    target = kit.clean(tmp_path / "elsewhere.xlsx")
    os.symlink(target, folder / "link.xlsx")
    r = run_collect(folder, register_json, tmp_path / "out")
    assert_clean_run(r)
    assert r.exit_code == 1, r.output
    rep = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    by_name = {Path(f["path"]).name: f for f in rep["files"]}
    for name in ["p.xlsx"] + (["z.xlsx"] if links else []):
        [p] = by_name[name]["problems"]
        assert (p["code"], by_name[name]["status"]) == ("not-a-workbook", "rejected")
        assert "不是普通文件" in p["message"]
    assert by_name["link.xlsx"]["status"] == "accepted" and by_name["link.xlsx"]["unit"] == BAD_UNIT
    merged = read_progress(tmp_path / "out" / "merged.xlsx")
    for unit in (*GOOD_UNITS, BAD_UNIT):
        assert lines_of(merged.rows, unit) == expected_lines(unit), unit


def test_file_read_stops_at_the_cap(tmp_path, monkeypatch):
    """Never more than MAX_FILE_BYTES + 1 bytes are read, even when the file grows after its stat."""
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", 1000)
    p = tmp_path / "big.xlsx"
    p.write_bytes(b"PK\x03\x04" + b"\0" * 5000)
    [s] = intake.sources_of(p)
    with pytest.raises(ReturnedFileError) as e:
        preflight(s)
    assert e.value.code == "too-large"
    real_fstat = intake.os.fstat
    monkeypatch.setattr(intake.os, "fstat", lambda fd: __import__("os").stat_result(
        (*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))  # stat says 10 bytes: the read still stops
    [s] = intake.sources_of(p)
    assert len(s.data) <= 1001
    with pytest.raises(ReturnedFileError) as e:
        preflight(s)
    assert e.value.code == "too-large"


# --- issue 14: returns as bureaus really send them (tests/make_corpus_returns.py) ----------------------------

@pytest.fixture(scope="module")
def returns_corpus(kit, tmp_path_factory) -> dict[str, Path]:
    return build_returns(kit, tmp_path_factory.mktemp("returns-corpus"))


def test_returns_corpus_cases_are_distinct_and_use_known_codes():
    names = [c.name for c in RETURN_CASES]
    assert len(set(names)) == len(names)
    assert all(c.code in CODES for c in RETURN_CASES if c.code)


@pytest.mark.parametrize("case", RETURN_CASES, ids=[c.name for c in RETURN_CASES])
def test_return_case(case, kit, returns_corpus, register_json, tmp_path):
    folder = tmp_path / "returns"
    shutil.copytree(returns_corpus[case.name], folder, symlinks=True)
    for unit in GOOD_UNITS:
        kit.clean(folder / f"good_{unit}.xlsx", unit)
    before = hashes(folder)
    out = tmp_path / "out"

    r = run_collect(folder, register_json, out)

    assert_clean_run(r)
    assert r.exit_code == case.exit_code, r.output
    assert hashes(folder) == before
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    bad = [f for f in rep["files"] if not is_good(f["path"])]
    problems = [p for f in bad for p in f["problems"]]
    if case.code:
        assert case.code in {p["code"] for p in problems}, problems
        if case.cell:
            assert (case.code, case.cell) in {(p["code"], p["cell"]) for p in problems}
        if case.message:
            assert any(case.message in p["message"] for p in problems if p["code"] == case.code), problems
    else:
        assert [p for p in problems if p["level"] == "错误"] == []
    if case.unread:
        assert any(case.unread in u["reason"] for u in rep["unread"]), rep["unread"]
        assert f"未读取的文件：{len(rep['unread'])} 个" in r.output
        assert rep["stats"]["unread"] == len(rep["unread"])
        wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
        listed = [row for row in wb["文件清单"].iter_rows(min_row=2, values_only=True) if row[3] == "未读取"]
        assert len(listed) == len(rep["unread"]) and all(row[-1] for row in listed)
    if case.shows:
        assert any(case.shows in f["path"] for f in bad), [f["path"] for f in bad]
    merged = read_progress(out / "merged.xlsx")
    for unit in GOOD_UNITS:  # the good units' rows, in every case
        assert lines_of(merged.rows, unit) == expected_lines(unit), unit
    assert [f["status"] for f in rep["files"] if is_good(f["path"])] == ["accepted"] * len(GOOD_UNITS)
    if case.unit_status:
        assert {u["unit"]: u["status"] for u in rep["units"]}[BAD_UNIT] == case.unit_status
    if case.merged:  # every line of the return (its values as the case typed them)
        assert len(lines_of(merged.rows, BAD_UNIT)) == len(expected_lines(BAD_UNIT))
    else:
        assert lines_of(merged.rows, BAD_UNIT) == []
