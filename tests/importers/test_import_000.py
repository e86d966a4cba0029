"""Seed 000 (Hangzhou 2021, web-page table, one cell per line): counts and hand-checked tasks."""
from __future__ import annotations

import re

import pytest

from tests.conftest import SEED_000
from xltasks.importers import import_paths, parse_text
from xltasks.importers.text import clean
from xltasks.core.models import UNIT_KIND_COLLECTIVE, UNIT_KIND_DISTRICT

NINE_GOV = [p + "政府" for p in ["西湖区", "滨江区", "萧山区", "余杭区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市"]]
RAW_LINES = SEED_000.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def reg():
    return import_paths([SEED_000])


def at_units_line(reg, line: int):
    """The task whose unit cell is printed on `line` (checked against the file, so line numbers are real)."""
    printed = clean(RAW_LINES[line - 1])
    matches = [t for t in reg.tasks if t.units_raw == printed and t.source_line == line - 4]
    assert len(matches) == 1, (line, printed)
    return matches[0]


def test_counts(reg):
    assert reg.layout == "web-table"
    assert len(reg.tasks) == 216
    src = reg.sources[0]
    assert (src.sections, src.groups, src.tasks) == (4, 24, 216)
    assert len({t.section for t in reg.tasks}) == 4
    assert len({(t.section, t.group) for t in reg.tasks}) == 24
    per_section = [sum(1 for t in reg.tasks if t.id.split(".")[0] == str(k)) for k in range(1, 5)]
    assert per_section == [2, 21, 42, 151]


def test_ids_section_dot_number(reg):
    ids = [t.id for t in reg.tasks]
    assert len(set(ids)) == len(ids) and all(i.isascii() for i in ids)
    assert ids[:3] == ["1.1", "1.2", "2.1"] and ids[-1] == "4.151"
    assert "2.21" in ids and "3.42" in ids


def test_starred_tasks(reg):
    starred = [(t.id, t.no) for t in reg.tasks if t.starred]
    assert starred == [("2.1", "1"), ("2.21", "21")]
    assert reg.task("2.21").text == "加紧做好杭州亚运会、亚残运会筹备工作。"
    assert reg.task("2.21").units == ["亚组委", "市体育局", "市残联", "亚组委其他委员单位"]


def test_chrome_titles_headers_and_nbsp_skipped(reg):
    assert reg.tasks[0].section == "一、省政府工作报告“十四五”时期重点工作涉杭任务责任分解"
    assert all("\u00a0" not in (t.section + t.text + t.group) for t in reg.tasks)
    texts = {t.text for t in reg.tasks}
    assert not texts & {"豆豆简历馆", "序号", "责任单位", "重点工作任务"}
    assert not any(t.text.startswith("重点工作任务") for t in reg.tasks)
    assert [s for s in dict.fromkeys(t.section for t in reg.tasks)] == [
        "一、省政府工作报告“十四五”时期重点工作涉杭任务责任分解",
        "二、省政府工作报告2021年重点工作涉杭任务责任分解",
        "三、市政府工作报告“十四五”时期重点工作责任分解",
        "四、市政府工作报告2021年重点工作责任分解"]


def test_same_leader_different_ordinals(reg):
    groups = list(dict.fromkeys((t.section[:2], t.group) for t in reg.tasks if t.leader == "王宏"))
    assert [g for _, g in groups] == ["(一)王宏副市长牵头重点工作", "(四)王宏副市长牵头重点工作",
                                      "(四)王宏副市长牵头重点工作", "(五)王宏副市长牵头重点工作"]
    assert reg.task("2.1").leader == "戴建平"  # 常务副市长 stripped


def test_footnote_is_a_note_not_a_task(reg):
    assert not any(t.source_line in (231, 233) for t in reg.tasks)
    notes = {w.line: w.message for w in reg.warnings}
    assert "备注" in notes[231] and notes[233].endswith("2.省政府2021年工作报告重点工作涉杭任务中我市牵头两项,分别为第1项和第21项(*标注)。")
    # every warning names the source
    assert all(w.source == str(SEED_000) for w in reg.warnings)


def test_province_lead_optional_fourth_cell(reg):
    t = reg.task("1.1")
    assert t.province_lead == "省农业农村厅"
    assert t.units == ["市农业农村局", "市规划和自然资源局", "市商务局(市粮食和物资储备局)"]
    assert t.text.startswith("加强粮食和重要农产品保障") and t.text.endswith("端好浙江人的“饭碗”和“餐盘”。")
    assert reg.task("2.1").province_lead == ""  # a city-led task has none
    assert all(t.province_lead == "" for t in reg.tasks if t.id[0] in "34")


def test_l418_nine_government_units(reg):
    t = at_units_line(reg, 418)
    assert t.units == ["市林水局", "市规划和自然资源局", "杭州西湖风景名胜区管委会", "杭州钱塘新区管委会", *NINE_GOV]
    assert t.unit_tiers[2] == NINE_GOV and t.lead_unit == "市林水局"


def test_fifteen_shared_suffix_lists(reg):
    expanded = [t for t in reg.tasks
                if sum(u.endswith("政府") for u in t.units) > t.units_raw.count("政府")]
    assert len(expanded) == 15
    assert at_units_line(reg, 946).units == ["市园文局", "临安区政府", "上城区政府"]
    assert at_units_line(reg, 850).units[-5:] == ["上城区政府", "下城区政府", "江干区政府", "拱墅区政府", "余杭区政府"]


def test_tiers_and_district_leads(reg):
    t = at_units_line(reg, 139)
    assert t.unit_tiers == [["市科技局", "市教育局", "市发改委", "市财政局"],
                            ["杭州城西科创产业集聚区管委会", "杭州钱塘新区管委会"],
                            ["滨江区政府", "西湖区政府", "余杭区政府"]]
    assert at_units_line(reg, 59).lead_unit == "杭州城西科创产业集聚区管委会"
    assert at_units_line(reg, 970).lead_unit == "萧山区政府"
    assert at_units_line(reg, 1238).lead_unit == "淳安县政府"
    t = at_units_line(reg, 1092)
    assert t.units[-1] == "杭州钱塘新区管委会" and len(t.unit_tiers) == 3
    t = at_units_line(reg, 1428)
    assert len(t.unit_tiers) == 4 and t.unit_tiers[2:] == [["各区、县(市)政府"], ["杭州钱塘新区管委会"]]


def test_last_line_without_newline(reg):
    assert not SEED_000.read_bytes().endswith(b"\n")
    t = reg.task("4.151")
    assert t.text == "加快浙大二院总部建设。"
    assert t.units == ["萧山区政府", "市卫生健康委员会", "市园文局", "市规划和自然资源局"]
    assert t.lead_unit == "萧山区政府" and at_units_line(reg, 1440) is t


def test_collectives_kept_whole(reg):
    assert sum("各区、县(市)政府(管委会)" in t.units for t in reg.tasks) == 17
    assert at_units_line(reg, 470).units == ["市文化广电旅游局", "各区、县(市)政府(管委会)"]
    assert at_units_line(reg, 868).units == ["市快速路网建设领导小组办公室(市建委)", "市城投集团", "各区政府(管委会)"]
    for name, line in (("市政府各直属单位", 526), ("市文明委各成员单位", 219), ("市级各预算单位", 750),
                       ("亚组委其他委员单位", 229)):
        assert name in at_units_line(reg, line).units
    kinds = {u.name: u.kind for u in reg.units}
    assert kinds["各区、县(市)政府(管委会)"] == UNIT_KIND_COLLECTIVE
    assert kinds["市政府各直属单位"] == UNIT_KIND_COLLECTIVE
    assert kinds["萧山区政府"] == UNIT_KIND_DISTRICT
    assert not any(u.name in ("各区", "县(市)政府(管委会)", "相关区", "(县)市") for u in reg.units)


def test_supporting_only(reg):
    assert sum(t.supporting_only for t in reg.tasks) == 16
    t = at_units_line(reg, 458)
    # issue 13: the first listed is still lead_unit (the 汇总单位 that compiles the report); the supporting
    # role is recorded in supporting_only and every listed unit's role stays 配合
    assert t.supporting_only and t.lead_unit == "市文化广电旅游局" and t.lead_units == ["市文化广电旅游局"]
    assert t.co_units == ["各区、县(市)政府(管委会)"] and t.role_of("市文化广电旅游局") == "配合"
    assert t.units == ["市文化广电旅游局", "各区、县(市)政府(管委会)"]
    t = at_units_line(reg, 476)
    assert t.supporting_only and t.units == ["市数据资源局", "市金融投资集团", "杭报集团", "相关区、(县)市"]
    t = at_units_line(reg, 195)
    assert t.units == ["市文化广电旅游局"] and t.lead_unit == "市文化广电旅游局"
    assert t.role_of("市文化广电旅游局") == "配合"
    t = at_units_line(reg, 1282)
    assert t.units == ["市文化广电旅游局", "杭州文广集团", "市运河集团"] and t.supporting_only
    assert not any("配合落实" in u for t in reg.tasks for u in t.units)


def test_parentheses_kept_as_printed(reg):
    assert "市安委办(市应急管理局)" in at_units_line(reg, 310).units
    for line in (702, 708, 1360):
        assert "市应急管理局(市安委办)" in at_units_line(reg, line).units
    assert at_units_line(reg, 452).units[0] == "市教育局(三名办)"
    assert at_units_line(reg, 952).units == ["杭州西湖风景名胜区管委会(杭州西溪国家湿地公园管委会)"]
    assert any("市安委办(市应急管理局)" in w.message and "市应急管理局(市安委办)" in w.message
               for w in reg.warnings)


def test_same_text_two_sections(reg):
    same = [t for t in reg.tasks if t.text == "合力推进杭黄自然生态和文化旅游廊道建设。"]
    assert [(t.id, len(t.units)) for t in same] == [("2.6", 5), ("4.21", 3)]


def test_text_kept_exactly(reg):
    assert any(t.text.endswith("覆盖面超过 60%。") for t in reg.tasks)  # ASCII space kept


def test_unit_table_counts(reg):
    names = [u.name for u in reg.units]
    assert len(names) == len(set(names))
    for u in reg.units:
        assert u.tasks == sum(u.name in t.units for t in reg.tasks)
        assert u.lead_tasks == sum(t.lead_unit == u.name and not t.supporting_only for t in reg.tasks)
    assert sum(u.lead_tasks for u in reg.units) == sum(1 for t in reg.tasks if not t.supporting_only)


def test_gb18030_copy_imports_identically(reg, tmp_path):
    copy = tmp_path / "000_gb.txt"
    copy.write_bytes(SEED_000.read_text(encoding="utf-8").encode("gb18030"))
    other = import_paths([copy])
    strip = lambda r: [{**t.__dict__} for t in r.tasks]  # noqa: E731
    assert strip(other) == strip(reg)
    assert other.sources[0].sha256 != reg.sources[0].sha256


def test_parse_text_independent_of_files():
    text = SEED_000.read_text(encoding="utf-8").replace("\n", "\r\n")
    r = parse_text(text, "pasted")
    assert len(r.tasks) == 216 and r.source == "pasted" and r.layout == "web-table"
    assert re.fullmatch(r"[0-9a-f]{64}", r.sources[0].sha256)
