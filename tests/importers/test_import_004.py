"""Seed 004 (Yuhang 2018, pipe table with "?" artefacts): counts and hand-checked tasks."""
from __future__ import annotations

import pytest

from tests.conftest import SEED_004
from xltasks.importers import import_paths
from xltasks.core.models import UNIT_KIND_COLLECTIVE

LINES = SEED_004.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def reg():
    return import_paths([SEED_004])


def row(reg, line):
    (t,) = [t for t in reg.tasks if t.source_line == line]
    assert LINES[line - 1].startswith(f"{t.no}? | {t.text}?")  # the line number is real
    return t


def test_counts_and_ids(reg):
    assert reg.layout == "pipe-table"
    assert len(reg.tasks) == 83
    assert [t.id for t in reg.tasks] == [str(k) for k in range(1, 84)]
    leaders = {name for t in reg.tasks for name in t.leader.split("、")}
    assert len(leaders) == 16
    assert reg.sources[0].sections == 0 and reg.sources[0].groups == 0


def test_no_question_mark_artefacts(reg):
    for t in reg.tasks:
        assert "?" not in t.text + t.leader + "".join(t.units) + t.units_raw
        assert " " not in t.leader
    assert not any(t.text.startswith(("序号", "重 点")) for t in reg.tasks)


def test_padding_in_leader_names(reg):
    t = row(reg, 10)
    assert t.leader == "沈昱、祝振伟"
    assert t.units == ["余杭经济技术开发区(钱江经济开发区)"]
    padded = sum(LINES[t.source_line - 1].count(" ?") - LINES[t.source_line - 1].count(" ?(") for t in reg.tasks)
    assert padded == 19
    assert row(reg, 81).leader == "王进、祝振伟、曾宏"
    assert row(reg, 62).leader == "张俊杰、王姝"


def test_continuation_line_joined(reg):
    t = row(reg, 23)
    assert t.units == ["区科技局", "区经信局", "区委组织部(人才办)", "区人力社保局", "未来科技城",
                       "余杭经济技术开发区(钱江经济开发区)"]
    assert t.units_raw.endswith("余杭经济技术开发区\n(钱江经济开发区)")
    for line in (36, 41, 77):
        assert "余杭经济技术开发区(钱江经济开发区)" in row(reg, line).units
    assert row(reg, 81).units == ["区委政法委(区防化办)", "区金融办"]
    assert not any(u.name.startswith("(") for u in reg.units)


def test_seven_units_and_four_leaders(reg):
    t = row(reg, 66)
    assert t.units == ["区文广新闻出版局", "临平新城", "瓶窑镇", "径山镇", "黄湖镇", "鸬鸟镇", "百丈镇"]
    assert t.lead_unit == "区文广新闻出版局"
    t = row(reg, 41)
    assert t.leader == "沈昱、李敏华、於卫国、陈夏林"
    assert t.units[-2:] == ["良渚新城", "良渚街道"]


def test_two_bodies_in_one_cell_line_split(reg):
    t = row(reg, 12)
    assert t.units == ["良渚新城", "良渚街道"] and t.units_raw == "良渚新城、良渚街道"
    assert t.lead_unit == "良渚新城"


def test_collectives_not_split(reg):
    assert row(reg, 44).units[-1] == "各平台、镇(街道)"
    assert row(reg, 68).units == ["区教育局", "相关平台、镇街"]
    kinds = {u.name: u.kind for u in reg.units}
    assert kinds["各平台、镇(街道)"] == kinds["相关平台、镇街"] == UNIT_KIND_COLLECTIVE


def test_aliases_kept_as_printed(reg):
    names = {u.name for u in reg.units}
    assert {"未来科技城(海创园)", "未来科技城", "区住建局(规划分局)", "区住建局", "区发改局(金融办)",
            "区金融办"} <= names
    t = row(reg, 9)
    assert t.leader == "祝振伟、陈夏林" and t.units == ["未来科技城(海创园)"]
    assert t.text.endswith("进一步发挥杭州城西科创大走廊核心区作用。")
