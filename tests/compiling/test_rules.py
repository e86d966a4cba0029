"""Rule sets (着色规则): loading, validation and the city examples (their Excel side: test_colours.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from xltasks.core.errors import XltasksError
from xltasks.compiling.rules import CONDITIONS, RuleSet, load_rules

Q3 = dt.date(2021, 9, 30)


@pytest.mark.parametrize("name, label", [("default", "默认"), ("ouhai", "瓯海"), ("瓯海", "瓯海"),
                                         ("yichang", "宜昌"), ("suqian", "宿迁"), (None, "默认")])
def test_builtin_rule_sets_load(name, label):
    rules = load_rules(name)
    assert rules.name == label
    assert rules.highlights and all(h.fill.startswith("#") for h in rules.highlights)
    assert rules.source.endswith(".toml")


def test_defaults_and_expected_progress():
    rules = load_rules(None)
    assert (rules.progress_mode, rules.pending, rules.on_time_band) == ("months", "exclude", 0.0)
    assert not rules.pending_as_zero
    assert rules.expected(Q3) == 0.75
    assert [h.when for h in rules.highlights] == ["done", "ahead", "on_time", "behind", "no_rate", "not_reported"]
    # reported without a computable rate is coloured apart from not reported; both colour task cells only
    assert rules.first_match(None, 0.75, Q3).label == "无完成率"
    assert rules.first_match(None, 0.75, Q3, reported=False).label == "未报送"
    assert rules.first_match(None, 0.75, Q3, level="item") is None
    suqian = load_rules("suqian")
    assert suqian.progress_mode == "days" and suqian.expected(Q3) == pytest.approx(273 / 365)
    assert suqian.apply_to == ("task", "item", "indicator")
    assert load_rules("ouhai").on_time_band == 0.05


def test_city_rules_first_match_wins():
    yichang = load_rules("yichang")
    assert yichang.first_match(0.5, 0.75, Q3).label == "明显滞后"  # lagging beats deadline near
    assert yichang.first_match(0.7, 0.75, Q3).label == "临近截止"  # behind by less than 10 points
    assert yichang.first_match(1.0, 0.75, Q3) is None
    assert yichang.first_match(None, 0.75, Q3, reported=False).label == "未报送"
    assert yichang.first_match(None, 0.75, Q3).label == "无完成率"
    suqian = load_rules("suqian")
    dec = dt.date(2021, 12, 15)
    assert suqian.first_match(0.99, suqian.expected(dec), dec).label == "临近截止"
    assert suqian.first_match(0.5, suqian.expected(dec), dec).label == "低于序时进度"
    assert suqian.first_match(0.99, 0.75, Q3) is None  # 92 days left: not near yet
    suqian.deadline = "06-30"
    assert suqian.first_match(0.99, suqian.expected(Q3), Q3).label == "逾期"
    assert suqian.first_match(None, 0.75, Q3, reported=False, level="item") is None  # task-only rule
    ouhai = load_rules("ouhai")
    assert ouhai.first_match(0.78, 0.75, Q3).label == "追平序时"
    assert ouhai.first_match(0.80, 0.75, Q3).label == "按序时推进"
    assert ouhai.first_match(0.74, 0.75, Q3).label == "滞后"


def test_custom_rule_file(tmp_path):
    path = tmp_path / "我的规则.toml"
    path.write_text('# 注释\nname = "试点"\n[progress]\npending = "zero"\nmode = "days"\n'
                    '[[highlight]]\nwhen = "behind"\nlabel = "落后"\nfill = "#FF0000"\n', encoding="utf-8")
    rules = load_rules(path)
    assert rules.name == "试点" and rules.pending_as_zero and rules.progress_mode == "days"
    assert [(h.when, h.label, h.fill) for h in rules.highlights] == [("behind", "落后", "#FF0000")]
    assert rules.highlights[0].legend_text(rules) == CONDITIONS["behind"]


@pytest.mark.parametrize("text, where", [
    ('colour = "red"', "colour"),
    ('[progress]\npending = "skip"', "progress.pending"),
    ('[progress]\nmode = "weeks"', "progress.mode"),
    ('[progress]\non_time_band = 5', "progress.on_time_band"),
    ('[progress]\ndeadline = "13-01"', "progress.deadline"),
    ('[progress]\ndeadline = "02-29"', "progress.deadline"),
    ('[[highlight]]\nwhen = "late"', "highlight[1].when"),
    ('[[highlight]]\nwhen = "behind"\nfill = "red"', "highlight[1].fill"),
    ('[[highlight]]\nwhen = "behind"\ncolor = "#FF0000"', "highlight[1]"),
    ('apply_to = ["rows"]', "apply_to"),
])
def test_bad_rule_files_are_one_clear_error(tmp_path, text, where):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(XltasksError) as exc:
        load_rules(path)
    assert str(exc.value).startswith(f"{path}:{where}: ")


def test_unreadable_or_missing_rule_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = ", encoding="utf-8")
    with pytest.raises(XltasksError, match="格式错误"):
        load_rules(path)
    with pytest.raises(XltasksError, match="规则文件不存在"):
        load_rules(tmp_path / "none.toml")


def test_ruleset_is_a_plain_dataclass():
    rules = RuleSet()
    assert rules.highlights == [] and rules.first_match(0.1, 0.75, Q3) is None
