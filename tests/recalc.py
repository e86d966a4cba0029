"""The real check of our formulas: LibreOffice recalculates a workbook and every formula cell's
recalculated value must equal the cached value we wrote."""
from __future__ import annotations

from pathlib import Path

import openpyxl

from xltasks.core.libreoffice import recalculate

TOLERANCE = 1e-9


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path, data_only=False)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    found[(ws.title, cell.coordinate)] = cell.value
    return found


def compare_with_libreoffice(path: Path, out_dir: Path) -> tuple[int, list[str]]:
    """Returns (number of formula cells compared, list of disagreements)."""
    formulas = formula_cells(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    recalculated_path = recalculate(path, out_dir)
    recalced = openpyxl.load_workbook(recalculated_path, data_only=True)
    problems = []
    for (sheet, coord), formula in formulas.items():
        ours = cached[sheet][coord].value
        theirs = recalced[sheet][coord].value
        if isinstance(theirs, str) and theirs.startswith("#"):
            problems.append(f"{sheet}!{coord} {formula}: LibreOffice gives error {theirs}")
            continue
        ours_n = _normalise(ours)
        theirs_n = _normalise(theirs)
        if isinstance(ours_n, float) and isinstance(theirs_n, float):
            if abs(ours_n - theirs_n) > TOLERANCE:
                problems.append(f"{sheet}!{coord} {formula}: cached {ours!r} != recalculated {theirs!r}")
        elif ours_n != theirs_n:
            problems.append(f"{sheet}!{coord} {formula}: cached {ours!r} != recalculated {theirs!r}")
    return len(formulas), problems


def _normalise(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    return str(value)
