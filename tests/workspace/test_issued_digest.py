"""Issue 14 item 6 in a workspace: templates issued with a closed task left out still carry the digest of the
whole register, the one collect loads — so they are never reported as issued from another register."""
from __future__ import annotations

import openpyxl

from xltasks.core import layout
from xltasks.core.register_io import register_digest


def test_templates_without_closed_tasks_carry_the_whole_registers_digest(year):
    from xltasks.workspace import Workspace

    ws = Workspace.open(year["root"])
    try:
        whole = register_digest(ws.load_register())
    finally:
        ws.close()
    issued = year["issued_q3"]
    assert issued.closed_left_out == [year["closed_task"]]
    for t in issued.run.issued[:5]:
        wb = openpyxl.load_workbook(t.path, read_only=True)
        meta = {row[0]: row[1] for row in wb[layout.SHEET_META].iter_rows(values_only=True) if row and row[0]}
        assert meta[layout.META_REGISTER_DIGEST] == whole
    codes = {p.code for f in year["collected_q3"].files for p in f.problems}
    assert "register-mismatch" not in codes
