"""Issue 14 item 13: a hand-edited merged.xlsx read by compile is validated like a return: "约546" and
"越低越好" are errors naming their cells, "1,200" is read as 1200 with a warning — never a silent blank or a
silent 越高越好."""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import compile_progress as make_progress, compile_register as make_register
from xltasks.cli import main
from xltasks.core.errors import XltasksError
from xltasks.core.progress_io import read_progress, write_progress
from xltasks.core.register_io import write_register


def _edited(tmp_path, edits: dict[str, object]):
    p = tmp_path / "merged.xlsx"
    write_progress(make_progress(), p)
    wb = openpyxl.load_workbook(p)
    ws = wb["进度台账"]
    assert (ws["H1"].value, ws["I1"].value, ws["J1"].value, ws["D1"].value) == ("目标值", "当前值", "指标方向",
                                                                                   "细化项目序号")
    for ref, v in edits.items():
        ws[ref].value = v
    wb.save(p)
    return p


def test_unreadable_cells_are_each_named(tmp_path):
    p = _edited(tmp_path, {"H2": "约546", "I3": "1,200", "J4": "越低越好", "D5": "第一"})
    with pytest.raises(XltasksError) as e:
        read_progress(p)
    text = str(e.value)
    assert text.startswith(f"{p}:进度台账!H2: 进度台账有 3 处无法读取")
    assert "进度台账!H2 目标值“约546”不是数字" in text and "进度台账!J4 指标方向“越低越好”不是可选值" in text
    assert "进度台账!D5 细化项目序号“第一”应为整数" in text
    assert "I3" not in text  # "1,200" is readable


def test_numeric_text_is_read_with_a_warning(tmp_path):
    p = _edited(tmp_path, {"I3": "1,200", "I4": "待年底核算"})
    warnings: list[str] = []
    progress = read_progress(p, warnings=warnings)
    assert progress.rows[1].current == 1200
    assert progress.rows[2].pending and progress.rows[2].current is None
    assert warnings == [f"{p}:进度台账!I3: 当前值“1,200”是文本，已按 1200 读取"]


def test_compile_refuses_the_edited_merged_file_in_one_line(tmp_path):
    p = _edited(tmp_path, {"H2": "约546", "J4": "越低越好"})
    reg, _ = write_register(make_register(), tmp_path / "register.xlsx")
    out = tmp_path / "汇编.xlsx"
    r = CliRunner().invoke(main, ["compile", str(p), "--register", str(reg), "-o", str(out), "--as-of", "2021-09-30"])
    assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1
    assert "约546" in r.output and "越低越好" in r.output and "内部错误" not in r.output
    assert not out.exists()
