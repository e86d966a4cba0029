"""The 督查通报: its figures are the 汇总 sheet's, and LibreOffice Writer prints it as A4 with those figures."""
from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest

from xltasks.core.errors import XltasksError
from xltasks.workspace import Workspace

STATUSES = ("已完成", "超序时", "达序时", "滞后", "无完成率", "未报送")


def _summary(path) -> dict:
    """The 汇总 sheet's overall table (cached values): status → (count, share), 合计 and 已销号."""
    sheet = openpyxl.load_workbook(path, data_only=True)["汇总"]
    return {r[1]: (r[2], r[3]) for r in sheet.iter_rows(min_row=6, max_row=13, values_only=True) if r[1]}


def _pct(share) -> str:
    return f"{share * 100:.2f}%"


@pytest.fixture(scope="module")
def bulletin(year, tmp_path_factory):
    ws = Workspace.open(year["root"])
    # written beside, not into the workspace: the workspace fixture is shared with the status tests
    result = ws.write_bulletin("2021Q3", tmp_path_factory.mktemp("bulletin") / "通报.docx", date=dt.date(2021, 10, 20))
    ws.close()
    return result


def test_the_bulletins_figures_are_the_summary_sheets(year, bulletin):
    summary = _summary(year["root"] / "2021Q3" / "汇编.xlsx")
    ctx = bulletin.context
    assert ctx["n_tasks"] == summary["合计"][0] == 215
    assert ctx["n_closed"] == summary["已销号（另计，不在合计内）"][0] == 1
    for status in STATUSES:
        count, share = summary[status]
        assert ctx["c"][status] == count
        assert ctx["p"][status] == _pct(share)
    assert sum(ctx["c"].values()) == ctx["n_tasks"]
    # by section: the 汇总's 二、按板块 rows
    sheet = openpyxl.load_workbook(year["root"] / "2021Q3" / "汇编.xlsx", data_only=True)["汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "二、按板块") + 3
    sections = {r[1]: r[2] for r in rows[start:start + 4]}
    assert {s["name"]: s["total"] for s in ctx["sections"]} == sections
    assert len(ctx["lagging"]) == summary["滞后"][0]


def test_writer_prints_the_bulletin_on_a4_with_the_figures(year, bulletin, soffice_writer, tmp_path):
    from pypdf import PdfReader

    from xltasks.core.libreoffice import convert

    pdf = convert(bulletin.path, tmp_path, "pdf")
    reader = PdfReader(str(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    summary = _summary(year["root"] / "2021Q3" / "汇编.xlsx")
    assert "2021年政府工作报告重点工作督查" in text and "（2021年第三季度）" in text
    assert f"纳入督查的{summary['合计'][0]}项重点工作共分解为{bulletin.context['n_items']}个细化项目" in text
    assert "序时进度为75.00%" in text
    for status in STATUSES:
        count, share = summary[status]
        assert f"{status}{count}项，占{_pct(share)}" in text
    assert f"另有{summary['已销号（另计，不在合计内）'][0]}项任务已销号" in text
    lagging = bulletin.context["lagging"]
    assert f"有{len(lagging)}项任务完成率低于序时进度" in text
    assert f"{lagging[0]['rate']}{lagging[0]['gap']}" in text  # the most-behind task's row
    assert "—1—" in text and "—2—" in text  # page numbers in the footer
    assert "{{" not in text and "{%" not in text  # every placeholder was filled
    assert "市政府督查室" in text and "2021年10月20日" in text


def test_the_template_asks_for_chinese_fonts_with_fallbacks():
    from xltasks.workspace.bulletin import packaged_template

    with zipfile.ZipFile(packaged_template()) as z:
        fonts = z.read("word/fontTable.xml").decode("utf-8")
        styles = z.read("word/styles.xml").decode("utf-8")
        document = z.read("word/document.xml").decode("utf-8")
    assert '<w:font w:name="仿宋"><w:altName w:val="FangSong"/>' in fonts
    assert '<w:font w:name="黑体"><w:altName w:val="SimHei"/>' in fonts
    assert 'w:eastAsia="仿宋"' in styles and 'w:eastAsia="黑体"' in styles
    assert 'w:w="11906" w:h="16838"' in document  # A4 in twentieths of a point


def test_no_bulletin_before_the_compilation(tmp_path):
    ws = Workspace.init(tmp_path / "ws", title="督查", year=2021)
    with pytest.raises(XltasksError, match="2021Q3 还没有编制汇编：请先 xltasks compile 2021Q3"):
        ws.write_bulletin("2021Q3")
