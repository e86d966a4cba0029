"""Units directory (单位名录): aliases, collectives, reading/writing units.xlsx, and its use by templates."""
from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from xltasks.core import layout
from xltasks.core.directory import Directory, DirectoryEntry, load_directory, write_directory, write_starting_directory
from xltasks.core.errors import XltasksError
from xltasks.core.models import Register
from xltasks.issuing.templates import make_templates

from tests.conftest import SEED_000

COLLECTIVE = "各区、县(市)政府(管委会)"
DISTRICTS = ["上城区政府", "西湖区政府", "桐庐县政府", "杭州钱塘新区管委会"]


@pytest.fixture(scope="module")
def hangzhou() -> Register:
    from xltasks.importers import import_paths

    return import_paths([SEED_000])


def sample_directory() -> Directory:
    return Directory([
        DirectoryEntry("市商务局", aliases=["市商务局(市粮食和物资储备局)"], contact="李四", phone="0571-1",
                       email="swj@example.cn"),
        DirectoryEntry("市应急管理局", aliases=["市安委办"]),
        *[DirectoryEntry(d, collectives=[COLLECTIVE, "各区、县(市)政府"]) for d in DISTRICTS],
    ])


def test_alias_resolution():
    d = sample_directory()
    assert d.resolve("市商务局") == ["市商务局"]
    assert d.resolve("市商务局(市粮食和物资储备局)") == ["市商务局"]
    assert d.resolve("市商务局（市粮食和物资储备局）") == ["市商务局"]  # full-width brackets
    assert d.resolve("市安委办") == ["市应急管理局"]
    assert d.resolve("市应急管理局(市安委办)") == ["市应急管理局"]  # bracketed second name, not listed
    assert d.resolve("市不在名录局") == ["市不在名录局"]
    assert not d.knows("市不在名录局") and d.knows("市安委办")


def test_collective_expansion():
    d = sample_directory()
    assert d.resolve(COLLECTIVE) == DISTRICTS
    assert d.resolve("各区、县(市)政府") == DISTRICTS
    assert d.is_collective(COLLECTIVE) and not d.is_collective("市商务局")


def test_write_and_load_round_trip(tmp_path):
    path = tmp_path / "units.xlsx"
    write_directory(sample_directory(), path)
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == ["单位名称", "别名", "所属集合", "联系人", "联系电话", "电子邮箱"]
    d = load_directory(path)
    assert d.resolve(COLLECTIVE) == DISTRICTS
    assert d.entry("市商务局(市粮食和物资储备局)").email == "swj@example.cn"


def test_load_rejects_bad_directories(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "别名"])
    wb.save(tmp_path / "no_name_col.xlsx")
    with pytest.raises(XltasksError, match="单位名称"):
        load_directory(tmp_path / "no_name_col.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位名称", "别名", "所属集合"])
    ws.append(["市商务局", "市粮食局", None])
    ws.append(["市粮食和物资储备局", "市粮食局", None])
    wb.save(tmp_path / "dup.xlsx")
    with pytest.raises(XltasksError, match="市粮食局") as exc:
        load_directory(tmp_path / "dup.xlsx")
    assert "dup.xlsx" in str(exc.value) and "第3行" in str(exc.value)
    with pytest.raises(XltasksError, match="不存在"):
        load_directory(tmp_path / "missing.xlsx")


def test_starting_directory_from_hangzhou(hangzhou, tmp_path):
    path = tmp_path / "units.xlsx"
    write_starting_directory(hangzhou, path)
    d = load_directory(path)
    assert d.resolve("市商务局(市粮食和物资储备局)") == ["市商务局"]
    members = d.resolve(COLLECTIVE)
    assert {"西湖区政府", "桐庐县政府", "建德市政府"} <= set(members)
    assert "市发改委" not in members
    # 各区政府(管委会) covers districts, not counties
    assert "西湖区政府" in d.resolve("各区政府(管委会)") and "桐庐县政府" not in d.resolve("各区政府(管委会)")
    names = [e.name for e in d.entries]
    assert len(names) == len(set(names)) and COLLECTIVE not in names


def test_templates_with_directory_merge_aliases_and_expand_collectives(hangzhou, tmp_path):
    d = Directory([
        DirectoryEntry("市商务局", aliases=["市商务局(市粮食和物资储备局)"], contact="李四", phone="0571-1",
                       email="swj@example.cn"),
        *[DirectoryEntry(n, collectives=[COLLECTIVE]) for n in ("西湖区政府", "桐庐县政府")],
    ])
    run = make_templates(hangzhou, tmp_path, "2021Q3", directory=d)
    units = [i.unit for i in run.issued]
    assert "市商务局(市粮食和物资储备局)" not in units and COLLECTIVE not in units
    commerce = next(i for i in run.issued if i.unit == "市商务局")
    expected = [t.id for t in hangzhou.tasks
                if {"市商务局", "市商务局(市粮食和物资储备局)"} & set(t.units)]
    assert commerce.task_ids == expected and "4.109" in commerce.lead_task_ids
    west_lake = next(i for i in run.issued if i.unit == "西湖区政府")
    for t in hangzhou.tasks:
        if COLLECTIVE in t.units:
            assert t.id in west_lake.task_ids
    tonglu = next(i for i in run.issued if i.unit == "桐庐县政府")
    assert [t.id for t in hangzhou.tasks if COLLECTIVE in t.units or "桐庐县政府" in t.units] == tonglu.task_ids
    wb = openpyxl.load_workbook(tonglu.path)
    meta = {k: v for k, v, *_ in wb[layout.SHEET_META].iter_rows(values_only=True)}
    assert meta[layout.META_TASK_IDS].split(",") == tonglu.task_ids
    # collectives the directory does not know are still warned about
    assert any("各区政府(管委会)" in w for w in run.warnings)
    assert not any(COLLECTIVE + "、" in w or w.endswith(COLLECTIVE) for w in run.warnings)
    rows = list(openpyxl.load_workbook(run.distribution_list).active.iter_rows(values_only=True))
    assert rows[0][-3:] == ("联系人", "联系电话", "电子邮箱")
    assert next(r for r in rows if r[0] == "市商务局")[-3:] == ("李四", "0571-1", "swj@example.cn")
    assert "李四" in commerce.notice.read_text(encoding="utf-8")


def test_cli_directory(hangzhou, tmp_path):
    from xltasks.cli import main

    reg = tmp_path / "register.json"
    reg.write_text(json.dumps(hangzhou.to_json_dict(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "units.xlsx"
    result = CliRunner().invoke(main, ["directory", str(reg), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已写出单位名录" in result.output
    assert load_directory(out).resolve("市商务局(市粮食和物资储备局)") == ["市商务局"]
    result = CliRunner().invoke(main, ["templates", str(reg), "-o", str(tmp_path / "t"), "--period", "2021Q3",
                                       "--directory", str(out), "--units", "市商务局"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "t").glob("2021Q3_*.xlsx")] == ["2021Q3_市商务局.xlsx"]
    bad = CliRunner().invoke(main, ["directory", str(reg), "-o", str(tmp_path / "units.csv")])
    assert bad.exit_code == 2
