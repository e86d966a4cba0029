"""The value parsers of collect as pure functions: (value, findings) for what a unit may type in a cell."""
from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, strategies as st

from xltasks.collecting import values as V
from xltasks.core.models import DIRECTION_HIGHER, DIRECTION_QUALITATIVE, DIRECTION_UPPER


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_numbers_and_numeric_text():
    assert V.parse_number(75, "公里") == (75.0, ())
    assert V.parse_number(None, "") == (None, ()) and V.parse_number(" \u200b ", "") == (None, ())
    x, found = V.parse_number("1,234.5", "万元")
    assert x == 1234.5 and codes(found) == ["number-as-text"] and found[0].params["number"] == 1234.5
    x, found = V.parse_number("７５", "公里")  # full-width digits fold to 75
    assert x == 75.0 and codes(found) == ["number-as-text"]
    assert V.parse_number("1,23", "")[0] is None  # a typo, not a thousands separator


def test_numbers_with_scale_words_suggest_the_split():
    x, (f,) = V.parse_number("2000万", "元")
    assert x is None and f.code == "number-with-unit" and (f.params["number"], f.params["mu"]) == ("2000", "万元")
    _, (f,) = V.parse_number("3.5亿元", "")
    assert (f.params["number"], f.params["mu"]) == ("3.5", "亿元")
    _, (f,) = V.parse_number("2000万", "万元")
    assert f.params["mu"] == "万元"  # the row's own unit already carries the scale word
    assert V.suggest_unit("万", "") == "万元" and V.suggest_unit("公里", "个") == "公里"


def test_approximate_and_non_numbers_are_errors():
    _, (f,) = V.parse_number("约85", "%")
    assert f.code == "approximate-number" and f.params["number"] == "85"
    _, (f,) = V.parse_number("85左右", "%")
    assert f.code == "approximate-number"
    for v in ("见附件", True, float("nan"), float("inf"), "9" * 400):
        x, (f,) = V.parse_number(v, "")
        assert x is None and f.code == "not-a-number", v
    _, (f,) = V.parse_number(dt.date(2021, 9, 30), "")
    assert f.params["value"] == "2021-09-30"


def test_percent_text_is_a_number_only_under_a_percent_unit():
    x, found = V.parse_number("3.5%", "%")
    assert x == 3.5 and codes(found) == ["number-as-text"]
    x, (f,) = V.parse_number("3.5%", "个")
    assert x is None and f.code == "number-with-unit"


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**12, 10**12), st.text(max_size=4))
def test_any_stored_number_is_read_as_itself(x, mu):
    assert V.parse_number(x, mu) == (float(x), ())


@given(st.integers(-10**15, 10**15), st.sampled_from(["", "个", "万元", "%"]))
def test_integer_text_is_read_with_a_warning(n, mu):
    x, found = V.parse_number(f" {n} ", mu)
    assert x == n and codes(found) == ["number-as-text"]


@given(st.integers(1, 10**9), st.sampled_from(["万", "亿", "万元", "公里", "个"]))
def test_a_number_glued_to_a_unit_is_never_read(n, unit):
    x, (f,) = V.parse_number(f"{n}{unit}", "")
    assert x is None and f.code == "number-with-unit" and f.params["number"] == str(n)


def test_pending_text():
    assert V.pending_text("0（待年底核算）") == "0（待年底核算）"
    assert V.pending_text(" 待核算 ") == "待核算"
    assert V.pending_text("待\u200b核算") == "待核算"  # invisible characters dropped only when present
    assert V.pending_text("12") == "" and V.pending_text(12) == "" and V.pending_text(None) == ""
    assert V.is_pending("年底核算") and not V.is_pending("已完成")


def test_self_rate():
    assert V.parse_self_rate(0.85) == (0.85, ())
    assert V.parse_self_rate("") == (None, ())
    x, (f,) = V.parse_self_rate(85)
    assert x == 0.85 and f.code == "ambiguous-percent" and f.params["percent"] == "85%"
    x, (f,) = V.parse_self_rate("85%")
    assert x == 0.85 and f.code == "number-as-text" and f.params["number"] == "0.85（85%）"
    x, found = V.parse_self_rate("85")
    assert x == 0.85 and codes(found) == ["number-as-text", "ambiguous-percent"]
    for v in (150, -0.1, "120%"):
        assert codes(V.parse_self_rate(v)[1]) == ["percent-out-of-range"], v
    assert codes(V.parse_self_rate("约85%")[1]) == ["approximate-number"]
    assert codes(V.parse_self_rate("很好")[1]) == ["not-a-number"]
    assert codes(V.parse_self_rate(True)[1]) == ["not-a-number"]


@given(st.floats(0, 1))
def test_a_fraction_is_a_self_rate_as_is(x):
    assert V.parse_self_rate(x) == (x, ())


@given(st.floats(1, 100, exclude_min=True))
def test_a_number_above_one_is_read_as_a_percentage_with_a_warning(x):
    rate, found = V.parse_self_rate(x)
    assert math.isclose(rate, x / 100) and codes(found) == ["ambiguous-percent"]


def test_direction():
    assert V.parse_direction("") == (DIRECTION_HIGHER, ())
    assert V.parse_direction("不超过") == (DIRECTION_UPPER, ())
    assert V.parse_direction(" 定性 ") == (DIRECTION_QUALITATIVE, ())
    direction, (f,) = V.parse_direction("越低越好吧")
    assert direction == DIRECTION_HIGHER and f.code == "bad-direction"


def test_entry_text():
    assert V.entry_text(None, 10) == ("", ())
    assert V.entry_text(" 地铁建设 ", 10) == ("地铁建设", ())
    text, found = V.entry_text("地铁\x07建设", 10)
    assert text == "地铁建设" and codes(found) == ["control-characters"]
    text, (f,) = V.entry_text("字" * 11, 10)
    assert f.code == "text-too-long" and (f.params["length"], f.params["limit"]) == (11, 10)
    assert V.entry_text(dt.date(2021, 9, 30), 20) == ("2021-09-30", ())


def test_percent_formatted_numbers_become_percent_points():
    t, c, mu, (f,) = V.reconcile_percents(0.035, 3.2, "", frozenset({"target"}))
    assert (t, c, mu) == (3.5, 3.2, "%") and f.code == "percent-format" and f.column == "target"
    t, c, mu, (f,) = V.reconcile_percents(0.035, None, "万元", frozenset({"target"}))
    assert t is None and f.code == "percent-format-unit" and f.params["number"] == "3.5"
    assert V.reconcile_percents(3.5, 3.2, "%") == (3.5, 3.2, "%", ())


def test_target_and_current_100_times_apart_under_percent():
    t, c, mu, (f,) = V.reconcile_percents(0.035, 3.2, "%")
    assert f.code == "percent-scale-mismatch" and f.column == "target"
    assert (f.params["example_target"], f.params["example_current"]) == ("3.5", "3.2")
    assert V.reconcile_percents(3.5, 0.3, "%")[3] == ()  # 12×: a real difference, not caught


@given(st.floats(0.01, 1000), st.floats(0.01, 1000))
def test_unformatted_values_under_other_units_are_left_alone(t, c):
    assert V.reconcile_percents(t, c, "万元") == (t, c, "万元", ())


def test_relations():
    assert codes(V.relation_findings(DIRECTION_QUALITATIVE, None, None, None, None)) == ["missing-self-rate"]
    assert V.relation_findings(DIRECTION_QUALITATIVE, None, None, None, None, frozenset({"self_rate"})) == ()
    assert codes(V.relation_findings(DIRECTION_HIGHER, None, 5.0, None, None)) == ["current-without-target"]
    assert V.relation_findings(DIRECTION_HIGHER, None, 5.0, None, None, frozenset({"target"})) == ()
    assert codes(V.relation_findings(DIRECTION_HIGHER, 0.0, 5.0, None, None)) == ["zero-target"]
    (f,) = V.relation_findings(DIRECTION_HIGHER, 2.0, 400.0, None, None)
    assert f.code == "current-100x-target" and f.params["ratio"] == "200"
    (f,) = V.relation_findings(DIRECTION_HIGHER, 80.0, 60.0, None, 75.0)
    assert f.code == "target-changed" and f.column == "target"
    assert V.relation_findings(DIRECTION_HIGHER, 75.0, 60.0, None, 75.0) == ()
