"""Planted errors of every code: each reported with the right code at the right sheet and cell."""
from __future__ import annotations

import pytest

from tests.builders import PERIOD, check, edit, fill, make_register, meta_edit, rewrite_member
from xltasks.collecting import intake, sheet_xml
from xltasks.core import layout
from xltasks.issuing.fill import Entry
from xltasks.collecting.intake import sources_of
from xltasks.core.problems import CODES, STRUCTURAL_ORDER, problem
from xltasks.collecting.validate import Context, check_file


def places(result):
    return {(p.code, p.sheet, p.cell) for p in result.problems}


def test_every_code_has_level_message_and_suggestion():
    for code, c in CODES.items():
        assert c.level in ("错误", "警告") and c.message and c.suggestion and c.title, code
    assert set(STRUCTURAL_ORDER) <= set(CODES)
    p = problem("number-with-unit", file="f.xlsx", sheet="填报", cell="I4", unit="市发改委",
                label="目标值", value="2000万", number="2000", mu="万元")
    assert p.suggestion == "目标值填 2000，计量单位填 万元" and p.level == "错误"


def _meta_row(key):
    return f"B{layout.META_KEYS.index(key) + 1}"


STRUCTURAL = [
    # (name, how to break a clean 市发改委 return, expected (code, sheet, cell))
    ("no-meta", lambda wb: wb.remove(wb[layout.SHEET_META]), ("not-our-template", "", "")),
    ("schema", meta_edit(layout.META_SCHEMA_VERSION, "0"),
     ("schema-version", layout.SHEET_META, _meta_row(layout.META_SCHEMA_VERSION))),
    ("unit", meta_edit(layout.META_UNIT, "市不存在局"),
     ("unknown-unit", layout.SHEET_META, _meta_row(layout.META_UNIT))),
    ("period", meta_edit(layout.META_PERIOD, "2021Q2"),
     ("wrong-period", layout.SHEET_META, _meta_row(layout.META_PERIOD))),
    ("header", lambda wb: wb[layout.SHEET_ENTRY].__setitem__("I3", "目标"),
     ("header-changed", layout.SHEET_ENTRY, "A3")),
    ("deleted-block", lambda wb: wb[layout.SHEET_ENTRY].delete_rows(10, 6),
     ("missing-task", layout.SHEET_ENTRY, "B10")),
    ("edited-id", lambda wb: wb[layout.SHEET_ENTRY].__setitem__("B4", "9.9"),
     ("extra-task", layout.SHEET_ENTRY, "B4")),
    ("cleared-id", lambda wb: wb[layout.SHEET_ENTRY].__setitem__("B5", None),
     ("row-without-task", layout.SHEET_ENTRY, "B5")),
    ("task-text", lambda wb: wb[layout.SHEET_ENTRY].__setitem__("C4", "改过的任务"),
     ("locked-cell-changed", layout.SHEET_ENTRY, "C4")),
    ("role", lambda wb: wb[layout.SHEET_ENTRY].__setitem__("E10", "牵头"),
     ("locked-cell-changed", layout.SHEET_ENTRY, "E10")),
    ("formula", lambda wb: wb[layout.SHEET_ENTRY].__setitem__("M5", 0.5),
     ("formula-changed", layout.SHEET_ENTRY, "M5")),
    ("formula-edit", lambda wb: wb[layout.SHEET_ENTRY].__setitem__("M6", "=J6/I5"),
     ("formula-changed", layout.SHEET_ENTRY, "M6")),
]


@pytest.mark.parametrize("name,breaker,expected", STRUCTURAL, ids=[s[0] for s in STRUCTURAL])
def test_structural_failures_stop_the_file(issued, tmp_path, name, breaker, expected):
    reg, t = issued
    path = fill(t, "市发改委", tmp_path / "r.xlsx")
    clean = check(path, reg)
    assert clean.valid and clean.rows
    edit(path, breaker)
    res = check(path, reg)
    assert not res.valid and res.status == "rejected" and res.rows == []
    assert places(res) == {expected}, res.problems  # stopped at the first structural failure
    p = res.problems[0]
    assert p.file == str(path) and p.message and p.suggestion
    if expected[0] != "unknown-unit":
        assert p.unit in ("市发改委", "")


def test_files_that_are_not_workbooks(issued, tmp_path, monkeypatch):
    reg, t = issued
    cases = {}
    (tmp_path / "csv.xlsx").write_text("a,b\n1,2\n", encoding="utf-8")
    cases["csv.xlsx"] = "not-a-workbook"
    (tmp_path / "empty.xlsx").write_bytes(b"")
    cases["empty.xlsx"] = "not-a-workbook"
    good = fill(t, "市发改委", tmp_path / "good.xlsx")
    (tmp_path / "truncated.xlsx").write_bytes(good.read_bytes()[:3000])
    cases["truncated.xlsx"] = "not-a-workbook"
    import zipfile

    with zipfile.ZipFile(tmp_path / "word.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    cases["word.xlsx"] = "not-a-workbook"
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(good, "rb") as f, open(tmp_path / "locked.xlsx", "wb") as out:
        OOXMLFile(f).encrypt("secret", out)
    cases["locked.xlsx"] = "encrypted"
    for name, code in cases.items():
        res = check(tmp_path / name, reg)
        assert [(p.code, p.level) for p in res.problems] == [(code, "错误")], name
    # a zip bomb is refused from the central directory, before anything is decompressed
    monkeypatch.setattr(intake, "MAX_TOTAL_BYTES", 20_000)
    res = check(good, reg)
    assert [p.code for p in res.problems] == ["too-large"]


def test_value_problems_reported_at_their_cells(issued, tmp_path):
    reg, t = issued
    path = fill(t, "市发改委", tmp_path / "fgw.xlsx", [
        Entry("1.1", "地铁建设", "新增地铁运营里程", "公里", 80, "2000万"),  # row 4
        Entry("1.1", "", "失业率", "%", "约3%", 3),  # row 5
        Entry("1.1", "", "指标C", "个", 10, "不详"),  # row 6
        Entry("1.1", "", "指标D", "个", "10", 5),  # row 7
        Entry("1.1", "", "指标E", "", None, 5),  # row 8
        Entry("1.1", "", "指标F", "个", 10, 5000),  # row 9
        Entry("1.2", "项目甲", "", "", None, None, direction="定性", self_rate=85),  # row 10
        Entry("1.2", "项目乙", "", "", None, None, direction="定性", self_rate=150),  # row 11
        Entry("1.2", "项目丙", "指标", "个", 10, "待年底核算", direction="越大越好"),  # row 12
        Entry("1.2", "项目丁", "", "", None, None, direction="定性"),  # row 13
        Entry("1.2", "长" * 600, "指标", "个", 1, 1),  # row 14
        Entry("1.2", "CTRLMARK项目", "指标", "个", 1, "=1+1"),  # row 15
    ])
    rewrite_member(path, lambda n: n.startswith("xl/"), lambda d: d.replace(b"CTRLMARK", b"_x0001_"))
    res = check(path, reg)
    S = layout.SHEET_ENTRY
    assert places(res) == {
        ("target-changed", S, "I4"), ("number-with-unit", S, "J4"),
        ("approximate-number", S, "I5"),
        ("not-a-number", S, "J6"),
        ("number-as-text", S, "I7"),
        ("current-without-target", S, "J8"),
        ("current-100x-target", S, "J9"),
        ("ambiguous-percent", S, "L10"),
        ("percent-out-of-range", S, "L11"),
        ("bad-direction", S, "K12"), ("pending-value", S, "J12"),
        ("missing-self-rate", S, "L13"),
        ("text-too-long", S, "F14"),
        ("control-characters", S, "F15"), ("formula-without-value", S, "J15"),
    }, sorted(places(res))
    assert not res.valid and res.rows == []  # any 错误 rejects the whole file
    by_code = {p.code: p for p in res.problems}
    assert by_code["number-with-unit"].suggestion == "当前值填 2000，计量单位填 万公里"
    assert by_code["target-changed"].level == "警告" and "75" in by_code["target-changed"].message
    assert by_code["ambiguous-percent"].level == "警告" and "85%" in by_code["ambiguous-percent"].message
    assert all(p.unit == "市发改委" and p.file == str(path) for p in res.problems)


def test_missing_item_and_indicator_without_item(issued, tmp_path):
    reg, t = issued
    # 市交通局 leads 1.2 and reports nothing on it; on 1.1 it types numbers with no item or indicator
    path = fill(t, "市交通局", tmp_path / "jt.xlsx", [Entry("1.1", "", "", "", 5, 3)])
    res = check(path, reg)
    first_12 = 4 + 6  # 1.1's block (two proposals → 6 rows) comes first
    assert places(res) == {("indicator-without-item", "填报", "F4"), ("missing-item", "填报", f"F{first_12}")}


def test_warnings_only_file_is_accepted_with_values_read(issued, tmp_path):
    reg, t = issued
    path = fill(t, "市住建局", tmp_path / "zj.xlsx", [
        Entry("1.4", "保障房", "新建保障性住房", "套", "5,000", "4200"),
        Entry("1.4", "质量", "", "", None, None, direction="定性", self_rate="85%"),
        Entry("1.4", "进度", "", "", None, None, direction="定性", self_rate=60),
    ])
    res = check(path, reg)
    assert res.valid and res.status == "accepted"
    assert {p.code for p in res.problems} == {"number-as-text", "ambiguous-percent"}
    assert [(r.item, r.target, r.current, r.self_rate) for r in res.rows] == [
        ("保障房", 5000.0, 4200.0, None), ("质量", None, None, pytest.approx(0.85)), ("进度", None, None, 0.6)]


def test_shared_formulas_and_ods_formula_syntax():
    f = sheet_xml.shift_formula('IF(K4="定性",IF(ISNUMBER(L4),L4,""),J4/$I$4)', 3, 0)
    assert f == 'IF(K7="定性",IF(ISNUMBER(L7),L7,""),J7/$I$4)'
    assert sheet_xml.normalize_ods_formula('of:=IF([.K4]="定;性";[.L4];SUM([.A1:.B2]))') == \
        'IF(K4="定;性",L4,SUM(A1:B2))'


def test_gbk_member_names_in_zip(issued, tmp_path):
    import zipfile

    reg, t = issued
    good = fill(t, "市住建局", tmp_path / "zj.xlsx", [Entry("1.4", "保障房", "新建保障性住房", "套", 5000, 4200)])
    zpath = tmp_path / "mail.zip"
    with zipfile.ZipFile(zpath, "w") as z:  # as Windows' built-in zip writes it: GBK bytes, no UTF-8 flag
        z.writestr(zipfile.ZipInfo("ABCDEF.xlsx", (2021, 10, 1, 8, 0, 0)), good.read_bytes())
    zpath.write_bytes(zpath.read_bytes().replace(b"ABCDEF", "住建局".encode("gbk")))
    (src,) = list(sources_of(zpath))
    assert src.path.endswith("mail.zip::住建局.xlsx")
    assert check_file(src, Context(reg, PERIOD)).valid


@pytest.mark.parametrize("ref, found, expected", [("B5", "1.2", "1.1"),  # inside block 1.1 (rows 4-9)
                                                  ("B10", "1.1", "1.2"),  # first row of block 1.2
                                                  ("B4", "1.2", "1.1")])  # first row of block 1.1
def test_changed_task_id_is_a_locked_cell_not_a_merge(issued, tmp_path, ref, found, expected):
    """An issued id typed over another task's 任务编号 is reported there as a changed locked cell; the
    template's own merges over the block (from `_meta` task_rows) are not reported as merges."""
    reg, t = issued
    path = edit(fill(t, "市发改委", tmp_path / "fgw.xlsx"), lambda wb: wb[layout.SHEET_ENTRY].__setitem__(ref, found))
    res = check(path, reg)
    assert [(p.code, p.cell) for p in res.problems] == [("locked-cell-changed", ref)]
    assert f"应为“{expected}”，现为“{found}”" in res.problems[0].message
    assert "任务编号" in res.problems[0].message


def test_changed_id_found_from_neighbours_when_rows_were_added():
    """Rows added or deleted (ids no longer where _meta put them): a stray run of a task between two rows
    of another task is that task's row; an edge run is decided by the issued block holding it."""
    from xltasks.collecting.checks.tasks import changed_ids as _changed_ids

    spans = {"3.38": (64, 78), "3.39": (79, 93), "4.3": (94, 108)}
    blocks = {"3.38": list(range(63, 79)), "3.39": [79] + list(range(81, 94)), "4.3": [80] + list(range(94, 109))}
    assert _changed_ids(blocks, spans) == [(80, "4.3", "3.39")]
    blocks = {"3.38": list(range(63, 78)), "4.3": [78] + list(range(94, 109)), "3.39": list(range(79, 94))}
    assert _changed_ids(blocks, spans) == [(78, "4.3", "3.39")]
    blocks = {"3.38": list(range(63, 79)), "3.39": list(range(79, 94)), "4.3": list(range(94, 109))}
    assert _changed_ids(blocks, spans) == []  # one row added to 3.38: nothing changed


def test_pending_text_numbers_and_invisible_characters(issued, tmp_path):
    """"0（待年底核算）" (seed 002's own value) is pending, kept as typed; "1e5", "1,234" and full-width
    digits are numbers written as text; zero-width spaces, BOM and NBSP are ignored when parsing."""
    reg, t = issued
    path = fill(t, "市住建局", tmp_path / "zj.xlsx", [
        Entry("1.4", "甲", "指标1", "套", 100, "0（待年底核算）"),  # row 4
        Entry("1.4", "", "指标2", "套", "1e5", 5),  # row 5
        Entry("1.4", "", "指标3", "套", "1,234", "１２３"),  # row 6
        Entry("1.4", "", "指标4", "套", "\u200b100", "60\u00a0"),  # row 7
        Entry("1.4", "", "指标5", "套", "\ufeff100", 50, direction="\u200b不超过"),  # row 8
        Entry("1.4", "乙", "", "", None, None, direction="定性", self_rate="\u200b85%"),  # row 9
    ])
    res = check(path, reg)
    assert res.valid, res.problems
    S = layout.SHEET_ENTRY
    assert sorted((p.code, p.cell) for p in res.problems) == sorted([
        ("pending-value", "J4"), ("number-as-text", "I5"), ("number-as-text", "I6"), ("number-as-text", "J6"),
        ("number-as-text", "I7"), ("number-as-text", "J7"), ("number-as-text", "I8"), ("number-as-text", "L9")])
    assert all(p.sheet == S for p in res.problems)
    rows = {r.indicator or r.item: r for r in res.rows}
    assert (rows["指标1"].pending, rows["指标1"].current, rows["指标1"].current_text) == (True, None, "0（待年底核算）")
    assert rows["指标2"].target == 100000.0
    assert (rows["指标3"].target, rows["指标3"].current) == (1234.0, 123.0)
    assert (rows["指标4"].target, rows["指标4"].current) == (100.0, 60.0)
    assert (rows["指标5"].target, rows["指标5"].direction) == (100.0, "upper")
    assert rows["乙"].self_rate == pytest.approx(0.85)


@pytest.mark.parametrize("text, code", [("1,23", "not-a-number"), ("1.5e3", "number-as-text"),
                                        ("9e999", "not-a-number"), ("2000万", "number-with-unit")])
def test_strict_numeric_text(issued, tmp_path, text, code):
    """Thousands separators only in groups of three; an exponent needs digits; overflow is not a number."""
    reg, t = issued
    path = fill(t, "市住建局", tmp_path / "zj.xlsx", [Entry("1.4", "甲", "指标", "套", text, 5)])
    res = check(path, reg)
    assert (code, "I4") in {(p.code, p.cell) for p in res.problems}


def test_zero_target_and_blank_direction_are_warned(issued, tmp_path):
    """目标值 0 gives no rate: said so; a blank 指标方向 on a row with numbers is read as 越高越好, said so."""
    reg, t = issued
    path = fill(t, "市住建局", tmp_path / "zj.xlsx", [
        Entry("1.4", "甲", "竣工套数", "套", 0, 5),  # row 4
        Entry("1.4", "", "基本建成", "套", 3000, 2500),  # row 5: its 指标方向 cleared below
        Entry("1.4", "乙", "", "", None, None, direction="定性", self_rate=0.5),  # row 6
    ])
    edit(path, lambda wb: [wb[layout.SHEET_ENTRY].__setitem__(ref, None) for ref in ("K5", "K6")])
    res = check(path, reg)
    assert res.valid and res.status == "accepted"
    assert sorted((p.code, p.level, p.cell) for p in res.problems) == [
        ("default-direction", "警告", "K5"), ("zero-target", "警告", "I4")]
    assert "目标值为 0，无法计算完成率" in next(p.message for p in res.problems if p.code == "zero-target")
    assert [(r.target, r.current, r.direction) for r in res.rows] == [
        (0.0, 5.0, "higher"), (3000.0, 2500.0, "higher"), (None, None, "qualitative")]


def test_unfilled_template_of_a_supporting_unit_is_accepted_with_a_warning(tmp_path):
    """A unit with only 配合 tasks that sends its template back unfilled: accepted (已报送), but the
    empty-return warning says nothing was filled in."""
    from xltasks.collecting.merge import collect
    from xltasks.core.statuses import SubmissionStatus
    from xltasks.core.models import Unit
    from xltasks.issuing.templates import make_templates

    reg = make_register()
    reg.tasks[2].units = ["市应急局", "市司法局"]
    reg.units.append(Unit("市司法局", "部门"))
    run = make_templates(reg, tmp_path / "templates", PERIOD, deadline=None)
    tpl = next(t.path for t in run.issued if t.unit == "市司法局")
    res = collect([tpl], reg, PERIOD)
    [f] = res.files
    assert f.status == "accepted" and f.rows == []
    assert [(p.code, p.level, p.sheet) for p in f.problems] == [("empty-return", "警告", layout.SHEET_ENTRY)]
    assert "没有填写任何内容" in f.problems[0].message
    assert {u.unit: u.status for u in res.units}["市司法局"] == SubmissionStatus.REPORTED
