"""Seed 003 (Huzhou 2021, numbered attachments): counts, sub-items and hand-checked tasks."""
from __future__ import annotations

import pytest

from tests.conftest import SEED_003
from xltasks.importers import import_paths, parse_text
from xltasks.core.models import UNIT_KIND_COLLECTIVE
from xltasks.core.units import PAREN_STATUS, PAREN_SUB_OFFICE, classify_paren

LINES = SEED_003.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def reg():
    return import_paths([SEED_003])


def by_line(reg, line):
    (t,) = [t for t in reg.tasks if t.source_line == line]
    assert LINES[line - 1].endswith(t.text)  # the line number is real
    return t


def test_counts(reg):
    assert reg.layout == "numbered"
    assert len(reg.tasks) == 132
    assert (reg.sources[0].sections, reg.sources[0].groups) == (3, 16)
    key = [t for t in reg.tasks if not t.section.startswith("附件3")]
    livelihood = [t for t in reg.tasks if t.section.startswith("附件3")]
    assert len(key) == 122 and len(livelihood) == 10
    assert sum(len(t.subitems) for t in livelihood) == 30
    assert len({(t.section, t.group) for t in key}) == 16


def test_ids_attachment_group_number(reg):
    ids = [t.id for t in reg.tasks]
    assert len(set(ids)) == 132
    assert ids[:4] == ["1.1.1", "1.1.2", "1.1.3", "1.2.1"]
    assert ids[-10:] == [f"3.{k}" for k in range(1, 11)]
    assert reg.task("1.2.1").no == "1"  # numbering restarts in every group


def test_preamble_attachment_list_not_tasks(reg):
    assert min(t.source_line for t in reg.tasks) == 13
    assert not any(t.text.startswith("2021年度市政府") for t in reg.tasks)
    assert reg.warnings[0].line == 1 and "跳过" in reg.warnings[0].message


def test_wrapped_attachment_titles(reg):
    assert list(dict.fromkeys(t.section for t in reg.tasks)) == [
        "附件1 政府工作报告“十四五”时期重点工作责任分解",
        "附件2 政府工作报告2021年重点工作责任分解",
        "附件3 2021年度市政府十方面民生实事责任分解"]


def test_convention_note_removed_from_units(reg):
    t = by_line(reg, 13)
    assert t.id == "1.1.1" and t.text == "构建“一湾极化、两廊牵引、多区联动、全域美丽”的生产力新布局。"
    assert t.units == ["市发展改革委", "市自然资源和规划局"] and t.lead_unit == "市发展改革委"
    assert "下同" in t.units_raw and len(t.unit_tiers) == 1
    assert any(w.line == 14 and "列第一位者" in w.message for w in reg.warnings)


def test_groups_and_leaders(reg):
    assert by_line(reg, 13).group == "一、王纲市长牵头重点工作" and by_line(reg, 13).leader == "王纲"
    t = by_line(reg, 33)
    assert t.group == "三、吴登芬常委牵头重点工作" and t.leader == "吴登芬" and t.units == ["市服务业办"]
    assert by_line(reg, 20).leader == "杨六顺"


def test_livelihood_items_with_subitems(reg):
    t = by_line(reg, 276)
    assert t.id == "3.1" and t.no == "1" and t.group == "" and t.leader == ""
    assert t.text.startswith("推进教育均衡化发展(2个子项)。")
    assert t.subitems == ["新建、改扩建幼儿园17所及义务教育学校14所",
                          "新增12家3岁以下婴幼儿照护服务机构,建成75家向日葵亲子小屋"]
    assert t.units == ["市教育局", "市卫生健康委"]
    assert [len(x.subitems) for x in reg.tasks[-10:]] == [2, 2, 3, 3, 2, 3, 4, 4, 4, 3]
    assert not any("子项" in w.message for w in reg.warnings)


def test_subitem_count_mismatch_is_a_warning():
    text = "附件1\n民生实事\n一、某项目(3个子项)。甲;乙。\n责任单位:市教育局\n"
    r = parse_text(text, "x.txt", layout="numbered")
    assert r.tasks[0].subitems == ["甲", "乙"]
    assert any(w.line == 3 and "3 个子项" in w.message for w in r.warnings)


def test_collectives_and_parentheses(reg):
    assert sum("各区县政府" in t.units for t in reg.tasks) == 12
    assert "市级有关部门" in by_line(reg, 28).units
    assert by_line(reg, 106).units[-1] == "有关区县政府"
    kinds = {u.name: u.kind for u in reg.units}
    assert kinds["各区县政府"] == kinds["有关区县政府"] == kinds["市级有关部门"] == UNIT_KIND_COLLECTIVE
    t = by_line(reg, 98)
    assert "长三角产业合作区湖州片区管委会(筹)" in t.units
    assert classify_paren("长三角产业合作区湖州片区管委会(筹)").kind == PAREN_STATUS
    t = by_line(reg, 252)
    assert t.lead_unit == "市政务办(数字化改革专班)" and len(t.units) == 7
    assert classify_paren(t.lead_unit).kind == PAREN_SUB_OFFICE


def test_final_line_without_newline(reg):
    assert not SEED_003.read_bytes().endswith(b"\n")
    t = reg.tasks[-1]
    assert t.id == "3.10" and t.units == ["市市场监管局"] and len(t.subitems) == 3


def test_no_tiers_no_support(reg):
    assert not any(t.supporting_only or len(t.unit_tiers) != 1 for t in reg.tasks)


def test_task_text_starting_with_a_year_and_wrapped_text():
    text = ("附件1\n重点工作\n一、张三市长牵头重点工作\n1.2025年前建成新城。\n责任单位:市建设局\n"
            "2.推进\n改革。\n责任单位:市发展改革委\n12.5亿元不是任务号\n")
    r = parse_text(text, "y.txt")
    assert [t.text for t in r.tasks] == ["2025年前建成新城。", "推进改革。"]
    assert any(w.line == 7 and "跨行" in w.message for w in r.warnings)
    assert any(w.line == 9 and "12.5亿元" in w.message for w in r.warnings)
