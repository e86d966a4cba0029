"""xltasks.toml: periods from the cadence, the writer read back by tomllib, bad values named by key."""
from __future__ import annotations

import datetime as dt

import pytest

from xltasks.core.errors import XltasksError
from xltasks.workspace import Workspace
from xltasks.workspace.config import default_periods, dump_config, load_config, new_config


def test_quarter_periods_end_each_quarter_with_a_deadline_ten_days_on():
    periods = default_periods(2021, "quarter")
    assert [p.name for p in periods] == ["2021Q1", "2021Q2", "2021Q3", "2021Q4"]
    assert periods[2].as_of == dt.date(2021, 9, 30) and periods[2].deadline == dt.date(2021, 10, 10)
    assert periods[3].deadline == dt.date(2022, 1, 10)
    assert periods[2].label == "2021年第三季度"


def test_month_and_half_year_cadences():
    months = default_periods(2020, "month")
    assert len(months) == 12 and months[1].name == "2020-02" and months[1].as_of == dt.date(2020, 2, 29)
    assert months[1].label == "2020年2月"
    halves = default_periods(2021, "half")
    assert [(p.name, p.as_of) for p in halves] == [("2021H1", dt.date(2021, 6, 30)), ("2021H2", dt.date(2021, 12, 31))]


def test_written_config_reads_back_equal(tmp_path):
    config = new_config('2021年"重点"工作督查', 2021, "half", office="市政府督查室", contact="张三 0571-1234\\5")
    path = tmp_path / "xltasks.toml"
    path.write_text(dump_config(config), encoding="utf-8")
    assert load_config(path) == config


def test_a_bad_value_names_the_file_and_key(tmp_path):
    path = tmp_path / "xltasks.toml"
    path.write_text('title = "督查"\nyear = 2021\n[[periods]]\nname = "2021Q3"\nas_of = "2021-09-30"\n'
                    'deadline = 2021-10-10\n', encoding="utf-8")
    with pytest.raises(XltasksError, match=r"xltasks.toml:periods 第 1 项: as_of 与 deadline 应为日期"):
        load_config(path)
    path.write_text('title = "督查"\nyear = "二〇二一"\n', encoding="utf-8")
    with pytest.raises(XltasksError, match=r"xltasks.toml:year: year 应为年份"):
        load_config(path)


def test_a_person_can_move_a_deadline_in_the_file(tmp_path):
    ws = Workspace.init(tmp_path / "ws", title="督查", year=2021)
    path = ws.root / "xltasks.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("deadline = 2021-10-10", "deadline = 2021-10-15"),
                    encoding="utf-8")
    assert Workspace.open(ws.root).period("2021q3").deadline == dt.date(2021, 10, 15)
    with pytest.raises(XltasksError, match="工作区没有期次“2021Q5”"):
        ws.period("2021Q5")


def test_a_period_is_found_by_any_spelling_of_it():
    """A monthly workspace names its periods 2021-07; `--period 2021M07` (which the period option offers as the
    same month) finds it, and a second spelling of one period in xltasks.toml is a duplicate."""
    config = new_config("月度督查", 2021, "month")
    assert config.period("2021M07").name == config.period("2021-07").name == "2021-07"
    with pytest.raises(XltasksError, match="没有期次"):
        config.period("2021M13")


def test_two_spellings_of_one_period_in_the_config_are_a_duplicate(tmp_path):
    text = dump_config(new_config("月度督查", 2021, "month")).replace('name = "2021-02"', 'name = "2021M01"')
    (tmp_path / "xltasks.toml").write_text(text, encoding="utf-8")
    with pytest.raises(XltasksError, match="期次 2021M01 重复"):
        load_config(tmp_path / "xltasks.toml")
