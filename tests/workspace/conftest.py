"""A two-period workspace over the bundled example (2021Q2 then 2021Q3), built once for the module's tests.

Twelve reporting units of each period keep it quick; one 2021Q2 return is received after the deadline, and
one task is closed (销号) in 2021Q2.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "example"
N_UNITS = 12
LATE_AT, ON_TIME_AT = dt.datetime(2021, 7, 14, 9, 30), dt.datetime(2021, 7, 8, 16, 0)


@pytest.fixture(scope="session")
def year(tmp_path_factory):
    from xltasks.workspace import Workspace

    root = tmp_path_factory.mktemp("year") / "2021督查"
    ws = Workspace.init(root, title="2021年政府工作报告重点工作督查", year=2021, office="市政府督查室",
                        contact="督查室 0571-00000000")
    ws.import_sources([EXAMPLE / "source" / "hangzhou_2021_decomposition.txt"])
    q2_returns = sorted((EXAMPLE / "returns_2021Q2").glob("*.xlsx"))[:N_UNITS]
    q3_returns = sorted((EXAMPLE / "returns").glob("*.xlsx"))[:N_UNITS]
    issued_q2 = ws.issue("2021Q2")
    late_file = ws.record_file("2021Q2", q2_returns[0], received_at=LATE_AT)
    for f in q2_returns[1:]:
        ws.record_file("2021Q2", f, received_at=ON_TIME_AT)
    collected_q2 = ws.collect("2021Q2")
    compiled_q2 = ws.compile("2021Q2")
    closed_task = next(t.task_id for t in compiled_q2.tasks if t.items)  # a task with rows in 2021Q2
    ws.close_task("2021Q2", [closed_task], reason="已全面完成")
    issued_q3 = ws.issue("2021Q3")
    for f in q3_returns:
        ws.record_file("2021Q3", f, received_at=dt.datetime(2021, 10, 8, 11, 0))
    collected_q3 = ws.collect("2021Q3")
    compiled_q3 = ws.compile("2021Q3")
    ws.close()
    return dict(root=root, issued_q2=issued_q2, issued_q3=issued_q3, collected_q2=collected_q2,
                collected_q3=collected_q3, compiled_q2=compiled_q2, compiled_q3=compiled_q3,
                closed_task=closed_task, late_file=late_file)
