"""Issue 13, families 1–5 as text: invented decompositions in the shapes other offices publish.

Each asserts tasks, unit lists, leads, leaders and deadlines, in mixed punctuation and numbering."""
from __future__ import annotations

from xltasks.importers import parse_text

INLINE = """区政府关于印发2021年政府工作报告重点工作责任分解的通知
各镇人民政府、街道办事处，区政府各部门：
一、经济发展
1.规上工业增加值增长10%以上。（责任领导：张明；牵头单位：区经信局；责任单位：区统计局、各镇街）
2、引进亿元以上项目30个。(分管领导:李敏华;牵头单位:区商务局、区发改局;配合单位:区招商中心;完成时限:2021年12月底前)
二、民生保障
(1)新建幼儿园5所。（责任领导：王宏；责任单位：区教育局、区住建局；完成时限：2021年9月）
"""


def test_inline_labelled_fields():
    reg = parse_text(INLINE, "inline.txt")
    assert reg.layout == "labelled" and [t.id for t in reg.tasks] == ["1.1", "1.2", "2.1"]
    a, b, c = reg.tasks
    assert a.text == "规上工业增加值增长10%以上。" and a.section == "一、经济发展"
    assert a.units == ["区经信局", "区统计局", "各镇街"] and a.lead_unit == "区经信局"
    assert a.lead_units == ["区经信局"] and a.co_units == ["区统计局", "各镇街"]
    assert a.leaders == ["张明"] and a.leader == "张明" and "张明" not in a.units
    assert (a.deadline, a.deadline_date) == ("", None)
    # two 牵头单位: both lead, the first is lead_unit
    assert b.lead_units == ["区商务局", "区发改局"] and b.lead_unit == "区商务局" and b.co_units == ["区招商中心"]
    assert b.leaders == ["李敏华"] and (b.deadline, b.deadline_date) == ("2021年12月底前", "2021-12-31")
    # no role words: position decides
    assert c.lead_unit == "区教育局" and c.co_units == ["区住建局"] and c.deadline_date == "2021-09-30"
    assert c.leaders == ["王宏"]


LABEL_LINES = """5.推进老旧小区改造，
改造小区40个。
牵头单位：区住建局
配合单位：区财政局、
各镇街
责任领导：赵刚
完成时限：2022年6月底前
6.建设口袋公园10个。
责任单位：区城管局，区住建局
"""


def test_label_lines_with_wrapped_text_and_wrapped_units():
    reg = parse_text(LABEL_LINES, "lines.txt")
    a, b = reg.tasks
    assert a.no == "5" and a.text == "推进老旧小区改造，改造小区40个。"
    assert a.units == ["区住建局", "区财政局", "各镇街"] and a.lead_unit == "区住建局"
    assert a.leaders == ["赵刚"] and a.deadline_date == "2022-06-30"
    assert b.units == ["区城管局", "区住建局"] and b.lead_units == ["区城管局"] and b.leaders == []


ROLE_PHRASES = """国务院关于落实《政府工作报告》重点工作分工的意见
一、保持宏观政策连续性稳定性可持续性
（一）继续实施积极的财政政策。（财政部牵头，国家发展改革委、税务总局等按职责分工负责，年内持续推进）
（二）稳健的货币政策要灵活精准。（人民银行、银保监会牵头，国家发展改革委按职责分工负责）
二、深入推进重点领域改革
（三）深化“放管服”改革。（国务院办公厅负责）
（四）全面推行证明事项告知承诺制。（各部门分别负责，2021年6月底前完成）
"""


def test_role_phrases_fenggong_yijian():
    reg = parse_text(ROLE_PHRASES, "fengong.txt")
    assert [t.no for t in reg.tasks] == ["1", "2", "3", "4"]
    a, b, c, d = reg.tasks
    assert a.text == "继续实施积极的财政政策。"
    assert a.lead_units == ["财政部"] and a.co_units == ["国家发展改革委", "税务总局等"]
    assert a.deadline == "年内持续推进" and a.deadline_date is None  # a deadline, never a unit
    assert b.lead_units == ["人民银行", "银保监会"] and b.co_units == ["国家发展改革委"]
    assert c.units == ["国务院办公厅"] and c.lead_unit == "国务院办公厅"
    assert d.units == ["各部门"] and d.deadline_date == "2021-06-30"
    assert c.section == "二、深入推进重点领域改革"


BRACKETS = """1.建设未来社区3个。[责任单位：区住建局、区发改局、各镇街]
2.打造数字经济小镇。【牵头单位：区经信局；配合单位：区科技局、区市场监管局】
3.推进垃圾分类。【责任单位：区综合执法局配合落实】
"""


def test_brackets_and_supporting_only():
    reg = parse_text(BRACKETS, "brackets.txt")
    a, b, c = reg.tasks
    assert a.units == ["区住建局", "区发改局", "各镇街"] and a.lead_unit == "区住建局"
    assert b.lead_units == ["区经信局"] and b.co_units == ["区科技局", "区市场监管局"]
    # 配合落实: the first listed stays lead_unit, the supporting role is recorded
    assert c.supporting_only and c.lead_unit == "区综合执法局" and c.role_of("区综合执法局") == "配合"


NOTICE = """关于做好2022年重点工作的通知
一、总体要求
坚持稳中求进工作总基调，全面完成各项目标任务。
二、重点任务
（一）扩大有效投资
1.完成固定资产投资500亿元。
责任单位：区发改局、区统计局
2.新开工重大项目50个。
责任单位：区发改局
（二）优化营商环境
3.企业开办时间压缩至1个工作日。
牵头单位：区市场监管局；配合单位：区政务服务中心
三、工作要求
各单位要高度重视，按时报送进展情况。
"""


def test_numbered_targets_under_notice_paragraphs():
    reg = parse_text(NOTICE, "notice.txt")
    assert [t.id for t in reg.tasks] == ["1.1", "1.2", "1.3"]
    assert {t.section for t in reg.tasks} == {"二、重点任务"}  # the notice's own 一、三、 are no sections
    assert [t.group for t in reg.tasks] == ["（一）扩大有效投资"] * 2 + ["（二）优化营商环境"]
    assert reg.sources[0].sections == 1 and reg.sources[0].groups == 2
    assert reg.tasks[2].lead_units == ["区市场监管局"] and reg.tasks[2].co_units == ["区政务服务中心"]


PAREN_TASKS = """二、重点任务
（一）完成固定资产投资500亿元。
责任单位：区发改局、区统计局
（二）优化营商环境
（三）企业开办时间压缩至1个工作日。
责任单位：区市场监管局
"""


def test_paren_items_are_tasks_when_units_follow_and_headings_when_not():
    reg = parse_text(PAREN_TASKS, "paren.txt")
    assert [(t.no, t.group) for t in reg.tasks] == [("1", ""), ("3", "（二）优化营商环境")]


def test_fragments_that_are_no_units_are_warnings_with_their_line():
    text = ("1.推进X。\n责任单位：区发改局、张明、3、第3页、2021年6月底前\n"
            "2.推进Y。（责任领导：陈静；责任单位：区财政局、陈静）\n")
    reg = parse_text(text, "frag.txt")
    a, b = reg.tasks
    assert a.units == ["区发改局"] and b.units == ["区财政局"]
    warned = {(w.line, w.message.split("”")[0].lstrip("“")) for w in reg.warnings if "不是单位名称" in w.message}
    assert warned == {(2, "张明"), (2, "3"), (2, "第3页"), (2, "2021年6月底前"), (3, "陈静")}


def test_pasted_twice_is_warned_and_imported_once():
    reg = parse_text(INLINE + "\n" + INLINE, "twice.txt")
    assert [t.id for t in reg.tasks] == ["1.1", "1.2", "2.1"]
    assert sum("重复的任务" in w.message for w in reg.warnings) == 3
    assert reg.sources[0].sections == 2
