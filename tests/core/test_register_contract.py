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


def test_json_keys_are_the_contract_plus_documented_extras(tmp_path):
    register = import_paths([SEED_000])
    xlsx_path, json_path = write_register(register, tmp_path / "register.xlsx")
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(data) == CONTRACT_TOP | EXTRA_TOP
    for task in data["tasks"]:
        assert set(task) == CONTRACT_TASK | EXTRA_TASK
    assert data["layout"] == "web-table" and len(data["tasks"]) == 216
    first = data["tasks"][0]
    assert first["lead_unit"] == first["units"][0] and isinstance(first["starred"], bool)
    # the workbook and the JSON load to the same register
    assert load_register(xlsx_path).tasks == load_register(json_path).tasks == register.tasks
