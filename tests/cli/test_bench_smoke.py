"""scripts/bench.py's generator and stages, end to end at a tiny size (no timing asserted)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("xltasks_bench", ROOT / "scripts" / "bench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_synthetic_register_has_the_asked_size_and_hangzhou_shape(bench):
    rows = bench.synthetic_rows(400, 60, seed=3)
    task_rows = [r for r in rows[1:] if r[0].isdigit()]
    assert len(task_rows) == 400
    units = [u for r in task_rows for u in (r[3] or r[4]).split("\n") if u]
    assert len(set(units)) == 60  # every unit gets at least one task
    assert 1.5 < len(units) / 400 < 5  # Hangzhou: 2.9 units per task
    assert any(not r[3] and r[4] for r in task_rows)  # some 仅配合 tasks, as in Hangzhou
    assert rows == bench.synthetic_rows(400, 60, seed=3)  # seeded: every run builds the same files


def test_whole_cycle_counts_agree(bench, tmp_path):
    from python_calamine import CalamineWorkbook

    from xltasks.core.layout import COL_TASK_ID, COMPILATION_FIRST_ROW, SHEET_COMPILATION
    from xltasks.core.register_io import load_register

    bench.make_source(30, 10, tmp_path)
    imp = bench.stage_import(tmp_path)
    assert imp == {"tasks": 30, "units": 10}
    reg = load_register(tmp_path / "register.json")

    tpl = bench.stage_templates(tmp_path)
    assert tpl["templates"] == 10
    assert tpl["task_slots"] == sum(len(t.units) for t in reg.tasks)

    filled = bench.stage_fill(tmp_path)
    assert filled["files"] == 10 and filled["rows"] >= tpl["task_slots"]

    base = bench.stage_baseline(tmp_path)
    assert base["files"] == 10 and base["frame_rows"] > 0

    col = bench.stage_collect(tmp_path)
    assert col["files"] == col["accepted"] == col["reported_units"] == 10
    assert col["errors"] == 0
    assert col["rows"] == filled["rows"]  # every filled row merged
    assert col["tasks_merged"] == 30

    comp = bench.stage_compile(tmp_path)
    assert comp["tasks"] == 30
    sheet = CalamineWorkbook.from_path(str(tmp_path / "汇编.xlsx")).get_sheet_by_name(SHEET_COMPILATION)
    grid = sheet.to_python(skip_empty_area=False)
    ids = {str(r[COL_TASK_ID]) for r in grid[COMPILATION_FIRST_ROW:] if len(r) > COL_TASK_ID and r[COL_TASK_ID] != ""}
    assert ids == {t.id for t in reg.tasks}  # tasks in register = tasks in 汇编


def test_one_core_comparison_runs_both_sides(tmp_path):
    """scripts/bench_one_core.py times the naive merge and `xltasks collect` as whole processes on one CPU."""
    import shutil

    spec = importlib.util.spec_from_file_location("xltasks_bench_one_core", ROOT / "scripts" / "bench_one_core.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    returns = tmp_path / "returns"
    returns.mkdir()
    for f in sorted((ROOT / "workbooks" / "example" / "returns").glob("*.xlsx"))[:2]:
        shutil.copy(f, returns / f.name)
    r = mod.measure(repeat=1, returns=returns)
    assert r["files"] == 2 and r["cpu"] == 0
    for key in ("naive", "collect", "collect_reports", "floor"):
        assert r[f"{key}_s"] > 0 and r[f"{key}_cpu_s"] > 0 and len(r["all_s"][key]) == 1
    assert r["ratio"] == r["collect_s"] / r["naive_s"]
    shown = mod.table(r)
    assert "CPU 0" in shown and "naive merge" in shown and f"{r['ratio']:.3f}×" in shown
    assert "reading floor" in shown and f"{r['floor_s']:.3f}" in shown
