"""Percentages in 目标值/当前值: a percent number format ("3.5%" typed in Excel/WPS is stored as 0.035) is read
as percent points with a warning, and a target and current on scales 100× apart are an error — never a
completion rate silently wrong by 100×."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import CLEAN, PERIOD, check, edit, fill
from xltasks.core import layout, rates
from xltasks.issuing.fill import Entry
from xltasks.collecting.percent_formats import _is_percent_code
from xltasks.collecting.merge import collect
from xltasks.core.models import DIRECTION_UPPER

UNIT = "市发改委"
TARGET, CURRENT = layout.col_letter("target"), layout.col_letter("current")


def _entries(mu="%", target=3.5, current=3.2):
    base = list(CLEAN[UNIT])
    base[1] = Entry("1.1", "", "城镇调查失业率", mu, target, current, direction="不超过")
    return base


def _row_of(ws, indicator="城镇调查失业率") -> int:
    col = layout.COLUMN_INDEX["indicator"]
    for row in ws.iter_rows():
        if row[col].value == indicator:
            return row[0].row
    raise AssertionError(indicator)


def _percent_file(issued_t, path: Path, *, mu="%", target=(0.035, "0.00%"), current=(3.2, None)) -> tuple[Path, int]:
    """A return where the bureau typed percentages the Excel way: value and number format per cell."""
    fill(issued_t, UNIT, path, _entries(mu=mu))
    rownum = []

    def fn(wb):
        ws = wb[layout.SHEET_ENTRY]
        r = _row_of(ws)
        rownum.append(r)
        for letter, (value, fmt) in ((TARGET, target), (CURRENT, current)):
            ws[f"{letter}{r}"].value = value
            if fmt:
                ws[f"{letter}{r}"].number_format = fmt

    edit(path, fn)
    return path, rownum[0]


def _row(result, indicator="城镇调查失业率"):
    (row,) = [r for r in result.rows if r.indicator == indicator]
    return row


def test_percent_formatted_target_read_as_points_with_warning(issued, tmp_path):
    reg, t = issued
    path, r = _percent_file(t, tmp_path / "fgw.xlsx")
    res = check(path, reg)
    assert res.status == "accepted", res.problems
    warn = [p for p in res.problems if p.code == "percent-format"]
    assert [(p.sheet, p.cell, p.level) for p in warn] == [(layout.SHEET_ENTRY, f"{TARGET}{r}", "警告")]
    assert "3.5%" in warn[0].message and "3.5" in warn[0].message
    row = _row(res)
    assert (row.target, row.current, row.measure_unit, row.direction) == (3.5, 3.2, "%", DIRECTION_UPPER)
    assert rates.indicator_rate(row.direction, row.target, row.current) == 1.0
    # nothing else about this row: the 91× gap was explained by the format
    assert not [p for p in res.problems if p.cell.endswith(str(r)) and p.code != "percent-format"]


def test_percent_format_on_both_cells_and_empty_unit(issued, tmp_path):
    reg, t = issued
    path, r = _percent_file(t, tmp_path / "fgw.xlsx", mu="", target=(0.035, "0%"), current=(0.032, "0.0%"))
    res = check(path, reg)
    assert res.status == "accepted", res.problems
    assert {p.cell for p in res.problems if p.code == "percent-format"} == {f"{TARGET}{r}", f"{CURRENT}{r}"}
    row = _row(res)
    assert (row.target, row.current, row.measure_unit) == (3.5, 3.2, "%")


def test_percent_format_with_another_unit_is_an_error(issued, tmp_path):
    reg, t = issued
    path, r = _percent_file(t, tmp_path / "fgw.xlsx", mu="万人")
    res = check(path, reg)
    assert res.status == "rejected"
    assert ("percent-format-unit", f"{TARGET}{r}") in {(p.code, p.cell) for p in res.problems}


@pytest.mark.parametrize("target,current,odd", [(0.035, 3.2, "target"), (3.5, 0.032, "current")])
def test_scale_mismatch_without_formats_is_an_error_at_the_smaller(issued, tmp_path, target, current, odd):
    reg, t = issued
    path, r = _percent_file(t, tmp_path / "fgw.xlsx", target=(target, None), current=(current, None))
    res = check(path, reg)
    assert res.status == "rejected"
    (p,) = [p for p in res.problems if p.code == "percent-scale-mismatch"]
    assert (p.cell, p.level) == (f"{TARGET if odd == 'target' else CURRENT}{r}", "错误")
    assert "3.5 和 3.2" in p.suggestion
    assert not [p for p in res.problems if p.code == "percent-format"]


def test_percent_format_on_a_typed_point_value_is_caught(issued, tmp_path):
    # 3.5 typed, then the cell formatted as percent: shown 350% beside a plain 3.2
    reg, t = issued
    path, r = _percent_file(t, tmp_path / "fgw.xlsx", target=(3.5, "0%"))
    res = check(path, reg)
    assert res.status == "rejected"
    (p,) = [p for p in res.problems if p.code == "percent-scale-mismatch"]
    assert p.cell == f"{TARGET}{r}" and "3.5 和 3.2" in p.suggestion


@pytest.mark.parametrize("target,current,mu", [(0, 2.5, "%"), (5, 0.4, "%"), (0.5, 75, "公里"), (85, 90, "%")])
def test_no_scale_error_for_plausible_values(issued, tmp_path, target, current, mu):
    reg, t = issued
    path, _ = _percent_file(t, tmp_path / "fgw.xlsx", mu=mu, target=(target, None), current=(current, None))
    res = check(path, reg)
    assert not [p for p in res.problems if p.code.startswith("percent")], res.problems


def test_percent_code_detection():
    assert _is_percent_code("0.00%") and _is_percent_code("[Red]0.0%;-0.0%")
    assert not _is_percent_code('0.0"%"') and not _is_percent_code("0.0\\%") and not _is_percent_code("General")


def test_libreoffice_resave_keeps_percent_reading(issued, tmp_path, soffice):
    from xltasks.core.libreoffice import convert

    reg, t = issued
    path, r = _percent_file(t, tmp_path / "src" / "fgw.xlsx")
    ret = tmp_path / "returns"
    convert(path, ret / "x", "xlsx")
    convert(path, ret / "o", "ods")
    res = collect([ret / "x"], reg, PERIOD)
    (f,) = res.files
    assert f.status == "accepted", f.problems
    assert [(p.code, p.cell) for p in f.problems if p.code.startswith("percent")] == [("percent-format", f"{TARGET}{r}")]
    (row,) = [x for x in res.progress.rows if x.indicator == "城镇调查失业率"]
    assert (row.target, row.current, row.measure_unit) == (3.5, 3.2, "%")
    # .ods stores the cell as a percentage (office:value-type): read as in the .xlsx (issue 14 item 12; it
    # used to give no format, and the 100× scale gap was an error)
    res = collect([ret / "o"], reg, PERIOD)
    (f,) = res.files
    assert f.status == "accepted", f.problems
    assert [(p.code, p.cell) for p in f.problems if p.code.startswith("percent")] == [("percent-format", f"{TARGET}{r}")]
    (row,) = [x for x in res.progress.rows if x.indicator == "城镇调查失业率"]
    assert (row.target, row.current, row.measure_unit) == (3.5, 3.2, "%")


# Issue 14 item 12: "60%" saved as .ods or .xls is read as in the .xlsx (60 with 计量单位 %, the
# percent-format warning), never merged as the fraction 0.6 without a word.
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_percent_cells_read_alike_in_every_format(fmt, issued, soffice, tmp_path):
    from xltasks.core.libreoffice import convert

    reg, t = issued
    xlsx, r = _percent_file(t, tmp_path / "fgw.xlsx", target=(0.6, "0%"), current=(0.45, "0.0%"))
    other = convert(xlsx, tmp_path / fmt, fmt)
    results = {name: check(p, reg) for name, p in (("xlsx", xlsx), (fmt, other))}
    for name, res in results.items():
        assert res.status == "accepted", (name, res.problems)
        row = _row(res)
        assert (row.target, row.current, row.measure_unit) == (60, 45, "%"), name
    cells = {name: sorted((p.code, p.cell) for p in res.problems if p.code.startswith("percent"))
             for name, res in results.items()}
    assert cells[fmt] == cells["xlsx"] and ("percent-format", f"{TARGET}{r}") in cells["xlsx"]


# The styled-cell scan has a shortcut: when the `s="N"` attributes of the percent styles are exactly as many as
# the cell tags of the plain form <c r=".." s="N"( t="..")>, those tags are all of them. Each case below must give
# what the full scan of every cell tag gives (the reader's fallback), whichever way it gets there.
_I, _J = layout.COLUMN_INDEX["target"], layout.COLUMN_INDEX["current"]


def _sheet_part(*cells: str, prefix: str = "") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="x"><sheetData>'
            f'<row r="4" spans="1:17">{prefix}{"".join(cells)}</row></sheetData></worksheet>').encode()


@pytest.mark.parametrize("data, found", [
    # s="1" is not s="12", s="112" or s="01": only whole values count, and 12 is a percent style too
    (_sheet_part('<c r="I4" s="1"/>', '<c r="J4" s="12" t="n"><v>0.5</v></c>', '<c r="K4" s="1"/>',
                 '<c r="I5" s="112"/>', '<c r="J5" s="01"/>', '<c r="I6" s="2"><v>3</v></c>'),
     {(3, _I), (3, _J)}),
    # an attribute ending in s (xfs="1", cs="12") is not the style: the counts differ, the full scan decides
    (_sheet_part('<c r="I4" s="3" xfs="1"/>', '<c r="J4" s="1"/>', prefix='<x cs="12"/>'), {(3, _J)}),
    # a percent cell not in the plain form (attributes reordered, namespaced, another attribute) is still found
    (_sheet_part('<c s="1" r="I4"/>', '<x:c r="J4" s="12"/>', '<c r="I5" s="1" cm="1"/>', '<c r="J5" s="1"/>'),
     {(3, _I), (3, _J), (4, _I), (4, _J)}),
    # an s="1" outside any cell tag with a plain percent cell beside it
    (_sheet_part('<c r="J4" s="1"/>', prefix='<row s="1"/>'), {(3, _J)}),
])
def test_percent_styled_cells_shortcut_agrees_with_the_full_scan(data, found):
    from xltasks.collecting.percent_formats import _xlsx_styled_cells
    from xltasks.collecting.sheet_xml import is_clean

    assert is_clean(data)  # so the shortcut is tried
    styles, cols = frozenset({1, 12}), {_I, _J}
    assert _xlsx_styled_cells(data, styles, cols) == found
    assert _xlsx_styled_cells(data, styles, cols, clean=False) == found  # the full scan of every cell tag
