"""`xltasks import` on the command line, and the register files it writes (xlsx + json, read back)."""
from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from tests.conftest import SEED_000, SEED_003, SEED_004, SEEDS
from xltasks.cli import main
from xltasks.core.errors import XltasksError
from xltasks.core.register_io import load_register

CONTRACT_KEYS = {"id", "section", "group", "leader", "no", "starred", "text", "units", "lead_unit",
                 "supporting_only", "province_lead", "subitems", "source_line"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("reg") / "register.xlsx"
    result = CliRunner().invoke(main, ["import", str(SEED_000), "-o", str(out)])
    return result, out


def test_summary_and_exit_code(imported):
    result, out = imported
    assert result.exit_code == 0, result.output
    assert "任务 216 项, 部分 4 个, 领导分组 24 个" in result.output
    assert f"任务台账: {out}" in result.output
    assert f"JSON: {out.with_suffix('.json')}" in result.output


def test_json_contract(imported):
    _, out = imported
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["source"] == str(SEED_000) and data["layout"] == "web-table"
    assert len(data["tasks"]) == 216 and CONTRACT_KEYS <= set(data["tasks"][0])
    t = next(t for t in data["tasks"] if t["id"] == "2.21")
    assert t["no"] == "21" and t["starred"] is True and t["lead_unit"] == "亚组委"
    assert {"name", "kind", "tasks", "lead_tasks"} <= set(data["units"][0])
    assert {"message", "source", "line"} <= set(data["warnings"][0])


def test_xlsx_round_trips_and_reads_well(imported):
    _, out = imported
    from_xlsx = load_register(out)
    from_json = load_register(out.with_suffix(".json"))
    assert from_xlsx.to_json_dict() == from_json.to_json_dict()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["任务", "单位", "来源"]
    ws = wb["任务"]
    assert ws.freeze_panes == "B2"
    assert [c.value for c in ws[1]][:4] == ["任务编号", "部分", "领导分组", "牵头领导"]
    text_cell = ws["G2"]
    assert text_cell.alignment.wrap_text and text_cell.font.name == "宋体"
    assert ws.column_dimensions["G"].width > 40
    assert ws["H2"].value.split("\n") == from_json.tasks[0].units  # one unit per line
    assert wb["来源"]["B2"].value == from_json.sources[0].sha256 and len(wb["来源"]["B2"].value) == 64
    assert wb["单位"].max_row == len(from_json.units) + 1


def test_several_sources_merge(tmp_path):
    out = tmp_path / "merged"
    result = CliRunner().invoke(main, ["import", str(SEED_003), str(SEED_004), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "任务 215 项" in result.output
    reg = load_register(tmp_path / "merged.json")
    ids = [t.id for t in reg.tasks]
    assert len(set(ids)) == 215 and ids[0] == "1-1.1.1" and ids[-1] == "2-83"
    assert [s.layout for s in reg.sources] == ["numbered", "pipe-table"]
    assert (tmp_path / "merged.xlsx").is_file()


def test_not_a_decomposition_exit_1(tmp_path):
    out = tmp_path / "r.xlsx"
    report = SEEDS / "001_hangzhou_2021_work_report.txt"
    result = CliRunner().invoke(main, ["import", str(report), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {report}: ")
    assert "Traceback" not in result.output and not out.exists()


def test_forced_wrong_layout_exit_1(tmp_path):
    result = CliRunner().invoke(main, ["import", str(SEED_000), "--layout", "numbered", "-o", str(tmp_path / "r")])
    assert result.exit_code == 1 and "numbered" in result.output


@pytest.mark.parametrize("args", [["import", "-o", "x.xlsx"], ["import", "a.txt"],
                                  ["import", "a.txt", "-o", "x", "--layout", "word"]])
def test_bad_usage_exit_2(args):
    assert CliRunner().invoke(main, args).exit_code == 2


def test_missing_file_exit_1(tmp_path):
    result = CliRunner().invoke(main, ["import", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "r")])
    assert result.exit_code == 1 and "nope.txt" in result.output


def test_load_register_rejects_other_files(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(XltasksError, match="x.json"):
        load_register(bad)
    with pytest.raises(XltasksError, match="000_hangzhou"):
        load_register(SEED_000)
    wb = openpyxl.Workbook()
    wb.active.title = "任务"
    wb.active.append(["序号", "任务"])
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(XltasksError, match="缺少列"):
        load_register(tmp_path / "other.xlsx")
