"""Unit-list splitting: tiers, 、, shared suffixes, collectives, 配合落实, cell lines, parentheses, kinds."""
from __future__ import annotations

import pytest

from xltasks.core.models import (UNIT_KIND_BUREAU, UNIT_KIND_COLLECTIVE, UNIT_KIND_COMMITTEE, UNIT_KIND_DISTRICT,
                            UNIT_KIND_ENTERPRISE)
from xltasks.core.units import (PAREN_ALIAS, PAREN_HOST, PAREN_STATUS, PAREN_SUB_OFFICE, classify_paren,
                           parse_cell_lines, parse_units, split_tier, unit_kind)

NINE = ["西湖区", "滨江区", "萧山区", "余杭区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市"]


def test_tiers_by_comma_and_shared_suffix_expanded():
    u = parse_units("市林水局、市规划和自然资源局、杭州西湖风景名胜区管委会,杭州钱塘新区管委会,"
                    "西湖区、滨江区、萧山区、余杭区、富阳区、临安区、桐庐县、淳安县、建德市政府")
    assert u.tiers[0] == ["市林水局", "市规划和自然资源局", "杭州西湖风景名胜区管委会"]
    assert u.tiers[1] == ["杭州钱塘新区管委会"]
    assert u.tiers[2] == [p + "政府" for p in NINE]
    assert len(u.units) == 13 and u.lead == "市林水局" and not u.supporting_only


def test_full_width_comma_separates_tiers_too():
    u = parse_units("萧山区政府，市钱江新城管委会、市生态环境局")
    assert u.tiers == [["萧山区政府"], ["市钱江新城管委会", "市生态环境局"]]
    assert u.lead == "萧山区政府"


def test_suffix_not_spread_over_bureaus():
    assert split_tier("市发改委、萧山区政府") == ["市发改委", "萧山区政府"]
    assert split_tier("临安区、上城区政府") == ["临安区政府", "上城区政府"]


@pytest.mark.parametrize("collective", ["各区、县(市)政府(管委会)", "各区、县(市)政府", "各区、县（市）政府（管委会）",
                                        "相关区、(县)市", "各平台、镇(街道)", "相关平台、镇街"])
def test_protected_collectives_stay_whole(collective):
    u = parse_units(f"市文化广电旅游局,{collective}")
    assert u.units == ["市文化广电旅游局", collective]
    assert unit_kind(collective) == UNIT_KIND_COLLECTIVE


def test_supporting_suffix_applies_to_list():
    u = parse_units("市文化广电旅游局,各区、县(市)政府(管委会)配合落实")
    assert u.supporting_only and u.lead == ""
    assert u.units == ["市文化广电旅游局", "各区、县(市)政府(管委会)"]
    u = parse_units("市数据资源局、市金融投资集团、杭报集团,相关区、(县)市配合落实")
    assert u.units[-1] == "相关区、(县)市" and u.supporting_only


def test_convention_note_removed_but_raw_kept():
    raw = "市发展改革委、市自然资源和规划局(列第一位者为工作牵头单位或汇总单位,下同)"
    u = parse_units(raw)
    assert u.units == ["市发展改革委", "市自然资源和规划局"]
    assert u.notes == ["(列第一位者为工作牵头单位或汇总单位,下同)"]
    assert u.raw == raw and len(u.tiers) == 1  # the note's comma does not make a tier


def test_cell_lines_join_parenthesis_continuation():
    u = parse_cell_lines(["区科技局", "区经信局", "余杭经济技术开发区", "(钱江经济开发区)", "良渚新城、良渚街道"])
    assert u.units == ["区科技局", "区经信局", "余杭经济技术开发区(钱江经济开发区)", "良渚新城", "良渚街道"]
    assert u.raw == "区科技局\n区经信局\n余杭经济技术开发区\n(钱江经济开发区)\n良渚新城、良渚街道"


def test_duplicates_within_one_cell_counted_once():
    u = parse_units("市发改委、市经信局、市发改委")
    assert u.units == ["市发改委", "市经信局"] and u.duplicates == ["市发改委"]


@pytest.mark.parametrize("name,kind,inner", [
    ("市商务局(市粮食和物资储备局)", PAREN_ALIAS, "市粮食和物资储备局"),
    ("市园文局(市运河综保委)", PAREN_ALIAS, "市运河综保委"),
    ("杭州西湖风景名胜区管委会(杭州西溪国家湿地公园管委会)", PAREN_ALIAS, "杭州西溪国家湿地公园管委会"),
    ("未来科技城(海创园)", PAREN_ALIAS, "海创园"),
    ("市快速路网建设领导小组办公室(市建委)", PAREN_HOST, "市建委"),
    ("市推进政府数字化转型联席会议办公室(市数据资源局)", PAREN_HOST, "市数据资源局"),
    ("市钱江新城二期建设指挥部办公室(市钱投集团)", PAREN_HOST, "市钱投集团"),
    ("市拥江办(市钱江新城管委会)", PAREN_HOST, "市钱江新城管委会"),
    ("市安委办(市应急管理局)", PAREN_HOST, "市应急管理局"),
    ("市应急管理局(市安委办)", PAREN_SUB_OFFICE, "市安委办"),
    ("市教育局(三名办)", PAREN_SUB_OFFICE, "三名办"),
    ("市发改委(市长江办)", PAREN_SUB_OFFICE, "市长江办"),
    ("区住建局(规划分局)", PAREN_SUB_OFFICE, "规划分局"),
    ("市政务办(数字化改革专班)", PAREN_SUB_OFFICE, "数字化改革专班"),
    ("长三角产业合作区湖州片区管委会(筹)", PAREN_STATUS, "筹"),
])
def test_parenthesis_classified(name, kind, inner):
    info = classify_paren(name)
    assert info is not None and info.kind == kind and info.inner == inner
    assert classify_paren("市发改委") is None
    assert classify_paren("各区、县(市)政府(管委会)") is None


@pytest.mark.parametrize("name,kind", [
    ("市发改委", UNIT_KIND_BUREAU), ("团市委", UNIT_KIND_BUREAU), ("市政府办公室", UNIT_KIND_BUREAU),
    ("市钱江新城二期建设指挥部办公室(市钱投集团)", UNIT_KIND_BUREAU),
    ("萧山区政府", UNIT_KIND_DISTRICT), ("长兴县政府", UNIT_KIND_DISTRICT), ("瓶窑镇", UNIT_KIND_DISTRICT),
    ("杭州钱塘新区管委会", UNIT_KIND_COMMITTEE), ("长三角产业合作区湖州片区管委会(筹)", UNIT_KIND_COMMITTEE),
    ("临平新城", UNIT_KIND_COMMITTEE), ("余杭经济技术开发区(钱江经济开发区)", UNIT_KIND_COMMITTEE),
    ("市政府各直属单位", UNIT_KIND_COLLECTIVE), ("市文明委各成员单位", UNIT_KIND_COLLECTIVE),
    ("市级各预算单位", UNIT_KIND_COLLECTIVE), ("亚组委其他委员单位", UNIT_KIND_COLLECTIVE),
    ("各区县政府", UNIT_KIND_COLLECTIVE), ("有关区县政府", UNIT_KIND_COLLECTIVE),
    ("市级有关部门", UNIT_KIND_COLLECTIVE), ("各区政府(管委会)", UNIT_KIND_COLLECTIVE),
    ("杭报集团", UNIT_KIND_ENTERPRISE), ("杭州萧山国际机场公司", UNIT_KIND_ENTERPRISE),
])
def test_unit_kind(name, kind):
    assert unit_kind(name) == kind
