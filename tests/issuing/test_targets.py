"""Proposed indicators against the examples and traps of the decomposition-hazards note."""
from __future__ import annotations

import pytest

from xltasks.core.models import DIRECTION_HIGHER as UP
from xltasks.core.models import DIRECTION_UPPER as CAP
from xltasks.issuing.targets import propose_indicators

from tests.conftest import SEED_000


def found(text):
    return [(p.name, p.target, p.measure_unit, p.direction) for p in propose_indicators(text)]


# (text, expected proposals) from the note's table of 30 examples, where the reading is unambiguous.
EXAMPLES = [
    ("新增地铁运营里程75公里", [("新增地铁运营里程", 75, "公里", UP)]),
    ("新增上市企业25家", [("新增上市企业", 25, "家", UP)]),
    ("完成技术交易额480亿元", [("技术交易额", 480, "亿元", UP)]),
    ("建设高速公路4条、133公里", [("建设高速公路", 4, "条", UP), ("建设高速公路", 133, "公里", UP)]),
    ("新增市区停车位2000个,其中公共停车位800个",
     [("新增市区停车位", 2000, "个", UP), ("公共停车位", 800, "个", UP)]),
    ("淘汰落后产能企业(生产线)150家(条)", [("淘汰落后产能企业(生产线)", 150, "家", UP)]),
    ("蔬菜年产量340万吨以上", [("蔬菜年产量", 340, "万吨", UP)]),
    ("服务贸易出口额突破900亿元", [("服务贸易出口额", 900, "亿元", UP)]),
    ("确保总数不低于70个", [("总数", 70, "个", UP)]),
    ("建成10个以上省级美丽城镇样板", [("建成省级美丽城镇样板", 10, "个", UP)]),
    ("新引进大学生12万名、高层次人才1000名以上",
     [("新引进大学生", 12, "万名", UP), ("高层次人才", 1000, "名", UP)]),
    ("服务业增加值增长8%", [("服务业增加值增长", 8, "%", UP)]),
    ("力争产值突破850亿元、增长26%以上", [("产值", 850, "亿元", UP), ("产值增长", 26, "%", UP)]),
    ("社会消费品零售总额、网络零售额分别增长8%、10%",
     [("社会消费品零售总额增长", 8, "%", UP), ("网络零售额增长", 10, "%", UP)]),
    ("亩均税收、亩均增加值分别增长10%和12%以上",
     [("亩均税收增长", 10, "%", UP), ("亩均增加值增长", 12, "%", UP)]),
    ("农业增加值增长1.5%", [("农业增加值增长", 1.5, "%", UP)]),
    ("全市规上工业数字化改造覆盖率100%", [("全市规上工业数字化改造覆盖率", 100, "%", UP)]),
    ("制造业项目占比不低于40%", [("制造业项目占比", 40, "%", UP)]),
    ("空气优良率达到90%以上", [("空气优良率", 90, "%", UP)]),
    ("猪肉自给率提高并稳定在70%左右", [("猪肉自给率", 70, "%", UP)]),
    ("确保新增财力三分之二以上用于民生", [("新增财力", 66.67, "%", UP)]),
    ("基础研究经费占全社会研发经费比例提高1个百分点",
     [("基础研究经费占全社会研发经费比例提高", 1, "个百分点", UP)]),
    ("城镇登记失业率控制在3.5%以内", [("城镇登记失业率", 3.5, "%", CAP)]),
    ("臭氧浓度控制在175微克/立方米以下", [("臭氧浓度", 175, "微克/立方米", CAP)]),
    ("PM2.5平均浓度控制在每立方米25微克以内", [("PM2.5平均浓度", 25, "微克/立方米", CAP)]),
    ("确保银行不良贷款率控制在1%以内", [("银行不良贷款率", 1, "%", CAP)]),
    ("一般性支出、“三公”经费、培训费和会议费均压减10%",
     [("一般性支出压减", 10, "%", UP), ("“三公”经费压减", 10, "%", UP), ("培训费压减", 10, "%", UP),
      ("会议费压减", 10, "%", UP)]),
    ("不动产登记45分钟办结、商事登记25分钟完成", [("不动产登记", 45, "分钟", CAP), ("商事登记", 25, "分钟", CAP)]),
    ("开工前审批“最多100天”", [("开工前审批", 100, "天", CAP)]),
    # qualifiers: the bound belongs to the noun, the target is the later number
    ("新引进亿元以上项目600个,其中3亿元以上项目240个",
     [("新引进亿元以上项目", 600, "个", UP), ("3亿元以上项目", 240, "个", UP)]),
    ("110千伏及以上变电所3座", [("110千伏及以上变电所", 3, "座", UP)]),
    ("市控以上断面水质达到或优于Ⅲ类比例在96%以上", [("市控以上断面水质达到或优于Ⅲ类比例", 96, "%", UP)]),
]


@pytest.mark.parametrize("text,expected", EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_examples_of_the_hazards_note(text, expected):
    assert found(text) == [(n, float(v), u, d) for n, v, u, d in expected]


@pytest.mark.parametrize("text", [
    "加快G60科创走廊建设", "推进5G基站建设", "打好PM2.5攻坚战", "到2025年基本建成", "2021—2035年规划",
    "庆祝建党100周年", "构建1小时通勤圈", "打造15分钟生活圈", "推进城市有机更新(2个子项)", "引进世界500强企业",
    "创建5A级景区", "推出2.0版", "实施“152”工程", "深化“5433”行动", "优化12345热线",
    "50万元以下的欠发达村全面消除", "20万元以下的薄弱村", "3岁以下婴幼儿照护服务",
    "严格保护永久基本农田和810万亩粮食生产功能区",
])
def test_names_years_qualifiers_and_scopes_are_not_targets(text):
    assert found(text) == []


def test_share_of_units_takes_the_share_not_the_threshold():
    (p,) = propose_indicators("力争75%的行政村集体经济年收入达到50万元以上")
    assert (p.target, p.measure_unit, p.direction) == (75.0, "%", UP)
    assert "行政村" in p.name


def test_phrase_is_taken_from_the_text():
    (p,) = propose_indicators("加快建设轨道交通,新增地铁运营里程75公里。")
    assert p.phrase == "新增地铁运营里程75公里"


def test_real_decomposition_yields_targets_in_a_plausible_share_of_tasks():
    from xltasks.importers import import_paths

    reg = import_paths([SEED_000])
    with_target = [t for t in reg.tasks if propose_indicators(t.text)]
    # The note counts 57/216 tasks with an explicit target in 000; we find most, never names or years.
    assert 45 <= len(with_target) <= 65
    for t in reg.tasks:
        for p in propose_indicators(t.text):
            assert p.name and p.measure_unit, (t.id, p)
            assert not (p.measure_unit == "年" or p.target in (2021, 2025, 2035)), (t.id, p)
