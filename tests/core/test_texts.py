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
