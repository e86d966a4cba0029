"""The far-cell guard (xltasks.core.sheetsize) on every xlsx reader: a value at XFD1048576 in a hand-edited
register.xlsx or a merged.xlsx is one clear error, before python-calamine would allocate 512 GiB."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from tests.builders import compile_progress, compile_register
from xltasks.core.errors import XltasksError
from xltasks.core.progress_io import MAX_COLS as PROGRESS_COLS, SHEET_ROWS, read_progress, write_progress
from xltasks.core.register_io import SHEET_TASKS, load_register, write_register
from xltasks.core.sheetsize import EXCEL_MAX_ROWS, check_xlsx, far_cell


# the CLI in a child whose address space is capped at 2 GiB: calamine's dense grid would abort it
CAPPED_CLI = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from xltasks.cli import main
main(sys.argv[1:], prog_name="xltasks")
"""


def _put(path, sheet: str, ref: str, value="x"):
    wb = openpyxl.load_workbook(path)
    wb[sheet][ref] = value
    wb.save(path)
    return path


def _capped_cli(*args):
    return subprocess.run([sys.executable, "-c", CAPPED_CLI, *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def _files(tmp_path):
    merged = tmp_path / "merged.xlsx"
    write_progress(compile_progress(), merged)
    register, _ = write_register(compile_register(), tmp_path / "register.xlsx")
    return merged, register


def test_compile_refuses_a_register_xlsx_with_a_far_value_in_one_line(tmp_path):
    merged, register = _files(tmp_path)
    _put(register, SHEET_TASKS, "XFD1048576")
    with pytest.raises(XltasksError) as e:
        load_register(register)
    assert str(e.value).startswith(f"{register}:{SHEET_TASKS}!XFD1048576: 工作表“{SHEET_TASKS}”在远离表格的")
    out = tmp_path / "汇编.xlsx"
    r = _capped_cli("compile", merged, "--register", register, "-o", out, "--as-of", "2021-09-30")
    text = (r.stdout + r.stderr).strip()
    assert r.returncode == 1, text
    assert text.splitlines() == [f"Error: {e.value}"]
    assert "Traceback" not in text and not out.exists()


def test_compile_and_templates_refuse_a_merged_xlsx_with_a_far_value(tmp_path):
    merged, register = _files(tmp_path)
    _put(merged, SHEET_ROWS, "XFD1048576")
    with pytest.raises(XltasksError) as e:
        read_progress(merged)
    msg = str(e.value)
    assert msg.startswith(f"{merged}:{SHEET_ROWS}!XFD1048576: ") and "1048576 行 × 16384 列" in msg
    out = tmp_path / "汇编.xlsx"
    r = _capped_cli("compile", merged, "--register", register, "-o", out, "--as-of", "2021-09-30")
    text = (r.stdout + r.stderr).strip()
    assert r.returncode == 1 and text.splitlines() == [f"Error: {msg}"], text
    assert not out.exists()
    r = _capped_cli("templates", register, "-o", tmp_path / "t", "--period", "2021Q4", "--previous", merged)
    text = (r.stdout + r.stderr).strip()
    assert r.returncode == 1 and text.splitlines() == [f"Error: {msg}"], text


def test_merged_xlsx_may_use_every_excel_row_but_few_columns(tmp_path):
    merged, _ = _files(tmp_path)
    _put(merged, SHEET_ROWS, "A1048576", "备注")  # the last Excel row, column A: within the caps
    check_xlsx(merged, max_rows=EXCEL_MAX_ROWS, max_cols=PROGRESS_COLS, max_cells=EXCEL_MAX_ROWS * PROGRESS_COLS)
    _put(merged, SHEET_ROWS, "AO2")  # column 41
    with pytest.raises(XltasksError, match=r"AO2 单元格有内容（表格将达 1048576 行 × 41 列，超过 1048576 行或 40 列的上限"):
        read_progress(merged)


def _sheet_zip(cells: bytes) -> zipfile.ZipFile:
    xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row>' + cells + b'</sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return zipfile.ZipFile(buf)


CAPS = dict(max_rows=EXCEL_MAX_ROWS, max_cols=40, max_cells=EXCEL_MAX_ROWS * 40)


@pytest.mark.parametrize("ref, expected", [
    # calamine reads lower-case letters, more than three letters and leading zeros: each allocates as far
    ("xfd1048576", ((1048576, 16384), "XFD1048576")),
    ("Xfd01048576", ((1048576, 16384), "XFD1048576")),
    ("ZZZZ1", ((1, 475254), "ZZZZ1")),
    ("A1048577", ((1048577, 1), "A1048577")),
    ("A1048576", None),  # every Excel row, one column: allowed
    ("AN70000", None),  # column 40
])
def test_far_cell_reads_refs_as_calamine_does(ref, expected):
    zf = _sheet_zip(b'<row r="9"><c r="' + ref.encode() + b'"><v>1</v></c></row>')
    assert far_cell(zf, "xl/worksheets/sheet1.xml", **CAPS) == expected


def test_far_cell_ignores_a_far_cell_without_a_value_and_measures_cells_without_refs():
    zf = _sheet_zip(b'<row r="1048576"><c r="XFD1048576" s="1"/><c r="XFC1048576" s="1"></c></row>')
    assert far_cell(zf, "xl/worksheets/sheet1.xml", **CAPS) is None
    zf = _sheet_zip(b'<row r="5">' + b'<c><v>1</v></c>' * 41 + b'</row>')  # the 41st cell is AO5
    assert far_cell(zf, "xl/worksheets/sheet1.xml", **CAPS) == ((5, 41), "AO5")


def test_the_cells_cap_alone_is_named(tmp_path):
    zf = _sheet_zip(b'<row r="3000"><c r="AN3000"><v>1</v></c></row>')
    assert far_cell(zf, "xl/worksheets/sheet1.xml", max_rows=EXCEL_MAX_ROWS, max_cols=40,
                    max_cells=100_000) == ((3000, 40), "AN3000")
