"""Dates and periods in the texts people read are written the Chinese way."""
from __future__ import annotations

import datetime as dt

from xltasks.core.layout import date_label, period_label


def test_date_label():
    assert date_label("2021-10-15") == "2021年10月15日"
    assert date_label(dt.date(2021, 9, 30)) == "2021年9月30日"
    assert date_label("见通知") == "见通知" and date_label(None) == ""


def test_period_label():
    assert period_label("2021Q3") == "2021年第三季度"
    assert period_label("2021H1") == "2021年上半年"
    assert period_label("2021-09") == "2021年9月"
    assert period_label("2021年度") == "2021年度"


def test_same_period_reads_the_period_not_its_spelling():
    from xltasks.core.layout import same_period

    for a, b in [("2021M07", "2021-07"), ("2021m7", "2021-07"), ("2021q3", "2021Q3"), ("２０２１Ｑ３", "2021Q3"),
                 (" 2021H1", "2021h1"), ("2021", "2021")]:
        assert same_period(a, b) and same_period(b, a), (a, b)
    for a, b in [("2021Q3", "2021Q2"), ("2021-07", "2021-08"), ("2021H1", "2021Q1"), ("2021", "2021Q1"),
                 ("2022Q3", "2021Q3"), ("2021Q3", "2021年三季度")]:
        assert not same_period(a, b), (a, b)
    # a name parse_period does not read (someone's own wording) still compares as text, spaces and case aside
    assert same_period("2021年 三季度", "2021年三季度") and not same_period("2021年三季度", "2021年二季度")
