"""The register JSON is a contract other stages and outside checks rely on: its keys are pinned here."""
from __future__ import annotations

import json

from tests.conftest import SEED_000
from xltasks.importers import import_paths
from xltasks.core.register_io import load_register, write_register

CONTRACT_TOP = {"source", "layout", "tasks", "units", "warnings"}
CONTRACT_TASK = {"id", "section", "group", "leader", "no", "starred", "text", "units", "lead_unit",
                 "supporting_only", "province_lead", "subitems", "source_line"}
# Documented additions (README): the per-source hashes, and the unit cell as printed with its tiers.
EXTRA_TOP = {"sources"}
EXTRA_TASK = {"units_raw", "unit_tiers"}
# Issue 13: deadline as printed + the ISO date it names (or null), the people, and the roles by words.
ISSUE13_TASK = {"deadline", "deadline_date", "leaders", "lead_units", "co_units"}


def test_json_keys_are_the_contract_plus_documented_extras(tmp_path):
    register = import_paths([SEED_000])
    xlsx_path, json_path = write_register(register, tmp_path / "register.xlsx")
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(data) == CONTRACT_TOP | EXTRA_TOP
    for task in data["tasks"]:
        assert set(task) == CONTRACT_TASK | EXTRA_TASK | ISSUE13_TASK
        assert task["lead_unit"] == (task["lead_units"][0] if task["lead_units"] else "")
        assert task["units"] == task["lead_units"] + task["co_units"]
        assert task["deadline"] == "" and task["deadline_date"] is None  # 000 prints no 完成时限
        assert task["leaders"] == [x for x in task["leader"].split("、") if x]
    assert data["layout"] == "web-table" and len(data["tasks"]) == 216
    first = data["tasks"][0]
    assert first["lead_unit"] == first["units"][0] and isinstance(first["starred"], bool)
    # the workbook and the JSON load to the same register
    assert load_register(xlsx_path).tasks == load_register(json_path).tasks == register.tasks


def test_new_keys_round_trip_and_old_workbooks_still_load(tmp_path):
    import openpyxl

    from xltasks.importers import parse_text

    text = ("1.推进老旧小区改造。\n牵头单位：区住建局、区城管局\n配合单位：各镇街\n责任领导：张明\n"
            "完成时限：2021年6月底前\n2.建设口袋公园。\n责任单位：区城管局、区住建局\n")
    register = parse_text(text, "labelled.txt")
    xlsx_path, json_path = write_register(register, tmp_path / "register.xlsx")
    for loaded in (load_register(xlsx_path), load_register(json_path)):
        a, b = loaded.tasks
        assert (a.deadline, a.deadline_date, a.leaders) == ("2021年6月底前", "2021-06-30", ["张明"])
        assert a.lead_units == ["区住建局", "区城管局"] and a.co_units == ["各镇街"]
        assert b.deadline_date is None and b.lead_units == ["区城管局"] and b.co_units == ["区住建局"]
    # a register.xlsx written before issue 13 has none of the new columns: it loads with empty values
    wb = openpyxl.load_workbook(xlsx_path)
    ws = wb["任务"]
    for label in ("配合单位", "牵头单位(全部)", "责任领导", "完成日期", "完成时限"):
        col = [c.value for c in ws[1]].index(label) + 1
        ws.delete_cols(col)
    old = tmp_path / "old.xlsx"
    wb.save(old)
    a = load_register(old).tasks[0]
    assert a.units == ["区住建局", "区城管局", "各镇街"] and a.deadline == "" and a.lead_units == []


def test_a_lone_surrogate_in_register_json_is_named_not_an_internal_error(tmp_path):
    """"\\ud800" is valid JSON but no text: templates would fail writing it (UnicodeEncodeError). The register
    is refused on loading, naming the file and the field; `xltasks templates` says so in one line, exit 1."""
    import pytest
    from click.testing import CliRunner

    from tests.builders import make_register
    from xltasks.cli import main
    from xltasks.core.errors import InputError

    write_register(make_register(), tmp_path / "r.json")
    text = (tmp_path / "r.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data["tasks"][1]["units"][0] = data["tasks"][1]["units"][0] + "\ud800"
    (tmp_path / "bad.json").write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_register(tmp_path / "bad.json")
    assert "bad.json" in str(e.value) and "tasks[1].units[0]" in str(e.value) and "代理项" in str(e.value)
    r = CliRunner().invoke(main, ["templates", "--register", str(tmp_path / "bad.json"), "-o", str(tmp_path / "t"),
                                  "--period", "2021Q3"])
    assert r.exit_code == 1 and "Traceback" not in r.output and "内部错误" not in r.output
    assert r.output.strip().splitlines()[-1].startswith("Error: ") and "tasks[1].units[0]" in r.output
    assert not (tmp_path / "t").exists()
