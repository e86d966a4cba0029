"""`make demo` runs a year on the bundled example as a workspace over two periods (2021Q2, 2021Q3): every step
succeeds, the 汇编 is whole, and the outputs equal the recorded snapshot cell by cell."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "data" / "demo_snapshot.json.gz"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc


def test_demo_outputs_equal_the_recorded_snapshot(demo_run):
    """Register, templates, merged register, report, notices and 汇编 of both periods equal, cell by cell (values,
    formulas, cached values, number formats, bold, fills, merged ranges), what the demo wrote when the snapshot was
    recorded. A change of output that is meant re-records the snapshot (scripts/demo_snapshot.py --write)."""
    out, _ = demo_run
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import demo_snapshot
    finally:
        sys.path.pop(0)
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as fh:
        expected = json.load(fh)
    current = demo_snapshot.snapshot(out)
    assert len(current) == len(expected) > 480
    assert demo_snapshot.differences(expected, current) == []


def test_demo_runs_the_whole_cycle(demo_run):
    out, proc = demo_run
    assert "任务 216 项" in proc.stdout
    assert proc.stdout.count("已生成 106 个单位的填报模板") == 2
    assert "收到文件：57 个（采用 57，退回 0，被替代 0）" in proc.stdout
    assert "逾期报送（截止 2021-07-10 后收到，已采用）：市交通运输局" in proc.stdout
    assert "按往期报送预填：57 个单位" in proc.stdout and "已销号、不再下发的任务：4.28" in proc.stdout
    assert "催报通知：49 份" in proc.stdout
    assert "完成情况汇编" in proc.stdout and str(out / "2021Q3" / "汇编.xlsx") in proc.stdout
    assert "督查通报：" in proc.stdout and "另已销号 1 项" in proc.stdout
    assert "2021Q3（2021年第三季度，截至 2021-09-30，报送截止 2021-10-10）" in proc.stdout  # xltasks status
    assert len(list((out / "2021Q3" / "templates").glob("2021Q3_*.xlsx"))) == 106
    assert len(list((out / "2021Q3" / "notices").iterdir())) == 49
    assert (out / "2021Q3" / "督查通报.docx").stat().st_size > 10_000
    ws = openpyxl.load_workbook(out / "2021Q3" / "汇编.xlsx", read_only=True)["汇编"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if "任务编号" in r)  # the hidden key columns' labels
    col = header.index("任务编号")
    register = openpyxl.load_workbook(out / "register.xlsx", read_only=True)["任务"]
    assert {r[col] for r in rows if r[col] and r[col] != "任务编号"} == {
        r[0] for r in register.iter_rows(min_row=2, values_only=True) if r[0]}
