"""The progress register (merged.xlsx) round-trips, and atomic writes leave no half-written file."""
from __future__ import annotations

import os

import openpyxl
import pytest

from xltasks.core.errors import XltasksError
from xltasks.core.fileio import atomic_path, safe_filename
from xltasks.core.models import Progress, ProgressRow, Provenance
from xltasks.core.progress_io import read_progress, write_progress


def _rows():
    return [
        ProgressRow("4.26", "市交通运输局", "牵头", "新增地铁运营里程", indicator="运营里程", measure_unit="公里",
                    target=75.0, current=52.5, direction="higher", item_no=1, highlights="=1+1 不是公式",
                    provenance=Provenance("a.xlsx", "ab" * 32, "填报", 4)),
        ProgressRow("4.136", "市人力社保局", "牵头", "控制城镇登记失业率", indicator="失业率", measure_unit="%",
                    target=3.5, current=None, direction="upper", pending=True, current_text="待年底核算",
                    item_no=1, problems="@SUM(A1)"),
        ProgressRow("4.1", "市发改委", "配合", "研究提出清单", direction="qualitative", self_rate=0.85, item_no=2),
    ]


@pytest.mark.parametrize("period", ["2021Q3", ""])
def test_xlsx_round_trip_keeps_every_field(tmp_path, period):
    progress = Progress(period=period, rows=_rows(), reported_units=["市交通运输局", "市人力社保局"])
    path = tmp_path / "merged.xlsx"
    write_progress(progress, path)
    back = read_progress(path)
    assert back == progress
    ws = openpyxl.load_workbook(path)["进度台账"]
    # unit text that looks like a formula stays text
    texts = [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert texts == []
    # people read Chinese labels, not internal codes
    header = [c.value for c in ws[1]]
    directions = [ws.cell(r, header.index("指标方向") + 1).value for r in range(2, 5)]
    assert directions == ["越高越好", "不超过", "定性"]
    assert [ws.cell(r, header.index("待核算") + 1).value for r in range(2, 5)] == ["否", "是", "否"]


def test_csv_has_bom_and_header(tmp_path):
    path = tmp_path / "merged.csv"
    write_progress(Progress("2021Q3", _rows()), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("任务编号,单位,角色")
    assert raw.decode("utf-8-sig").count("\n") == 4


def test_read_rejects_a_workbook_that_is_not_a_progress_register(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)
    with pytest.raises(XltasksError, match="进度台账"):
        read_progress(path)
    with pytest.raises(XltasksError, match="不存在"):
        read_progress(tmp_path / "missing.xlsx")


def test_atomic_path_keeps_old_file_on_failure_and_uses_ordinary_permissions(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash while writing")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    mask = os.umask(0)
    os.umask(mask)
    assert (target.stat().st_mode & 0o777) == (0o666 & ~mask)


def test_safe_filename_is_safe_on_windows():
    assert safe_filename('市商务局(市粮食和物资储备局)') == '市商务局(市粮食和物资储备局)'
    assert safe_filename('a/b:c*?"<>|') == "a_b_c______"
    assert safe_filename("CON") == "_CON"
    assert safe_filename("名称. ") == "名称"
