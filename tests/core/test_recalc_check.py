"""The LibreOffice check itself must be able to fail: a wrong cached value is caught."""
from __future__ import annotations

import pytest

from tests.recalc import compare_with_libreoffice
from xltasks.core.xlsx import new_workbook

pytestmark = pytest.mark.libreoffice


def test_wrong_cached_value_is_caught_and_right_one_passes(soffice, tmp_path):
    path = tmp_path / "probe.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("算")
    ws.write_number(0, 0, 3)
    ws.write_number(0, 1, 4)
    ws.write_formula(0, 2, "=A1/B1", None, 0.75)  # right
    ws.write_formula(1, 2, "=A1*B1", None, 999)  # wrong on purpose: LibreOffice must recompute 12
    ws.write_formula(2, 2, '=IFERROR(AVERAGE(D1:D3),"")', None, "")  # blank range: blank, not #DIV/0!
    wb.close()
    n, problems = compare_with_libreoffice(path, tmp_path / "lo")
    assert n == 3
    assert len(problems) == 1 and "C2" in problems[0] and "999" in problems[0]
