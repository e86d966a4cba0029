"""The office's pages, route by route: what each shows and what each action does (signed in)."""
from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import pytest

from tests.web.conftest import PERIOD, csrf_of
from xltasks.core.progress_io import read_progress


def office_upload(office, files: list[tuple[str, bytes]], *, csrf: str | None = None):
    page = office.get(f"/returns?period={PERIOD}")
    return office.post("/returns/upload", data={"csrf": csrf if csrf is not None else csrf_of(page.text),
                                                "period": PERIOD},
                       files=[("files", (n, b, "application/octet-stream")) for n, b in files])


def unit_row(html: str, unit: str) -> str:
    m = re.search(rf'<tr class="(\w+)" data-unit="{unit}">(.*?)</tr>', html, re.S)
    assert m, unit
    return m.group(1) + " " + re.sub(r"<[^>]+>", " ", m.group(2))


def test_overview_before_and_after_returns(office, returns):
    page = office.get("/").text
    assert "总览：2021 年" in page and "2021年第三季度" in page and "还有" in page
    assert "尚未收到可汇总的报送表" in page
    office_upload(office, [(f"{u}.xlsx", returns[u].read_bytes()) for u in ("市发改委", "市交通局")])
    page = office.get("/").text
    assert re.search(r"已报送（通过）</span><b[^>]*>2</b>", page)
    assert "<svg" in page and "任务状态" in page and "超序时" in page
    assert "3 个单位尚未报送：发出催报通知" in page


def test_tasks_table_filters(office, site, returns):
    page = office.get("/tasks").text
    assert "共 5 项，显示 5 项" in page
    assert "显示 1 项" in office.get("/tasks", params={"q": "城市大脑"}).text
    page = office.get("/tasks", params={"unit": "市住建局"}).text
    assert "显示 1 项" in page and "新建保障性住房5000套" in page
    assert "显示 0 项" in office.get("/tasks", params={"section": "没有这个板块"}).text
    office_upload(office, [("住建.xlsx", returns["市住建局"].read_bytes())])
    office.app.state.web.intake.merger.wait(PERIOD)
    page = office.get("/tasks").text
    assert "2021年第三季度<br>完成率" in page
    row = re.search(r"<td>1\.4</td>.*?</tr>", page, re.S).group(0)
    assert "83.67%" in row and "超序时" in row  # (4200/5000 + 2500.5/3000) / 2 = 0.83675, the 汇编's rate
    page = office.get("/tasks", params={"status": "未报送"}).text
    assert "显示 4 项" in page and "<td>1.4</td>" not in page


def test_issue_page_lists_links_and_notices_and_downloads(office, site, links):
    page = office.get(f"/issue?period={PERIOD}").text
    assert "分发清单（5 个单位）" in page
    for unit, token in links.items():
        assert f"http://testserver/u/{token}" in page
    assert "关于" in page or "下发通知" in page
    one = office.get("/issue/template", params={"period": PERIOD, "unit": "市住建局"})
    assert one.status_code == 200 and one.content[:2] == b"PK"
    assert office.get("/issue/template", params={"period": PERIOD, "unit": "不存在"}).status_code == 404
    z = office.get("/issue/all.zip", params={"period": PERIOD})
    names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
    assert "分发清单.xlsx" in names and sum(n.endswith(".xlsx") for n in names) == 6
    assert sum(n.endswith("_下发通知.txt") for n in names) == 5


def test_issue_generate_regenerates_and_keeps_links(office, site, links):
    before = {p.name: p.stat().st_mtime_ns for p in site.templates_dir(PERIOD).iterdir()}
    page = office.get(f"/issue?period={PERIOD}")
    r = office.post("/issue/generate", data={"csrf": csrf_of(page.text), "period": PERIOD})
    assert r.status_code == 200 and "已生成 5 个单位的填报模板" in r.text
    after = {p.name: p.stat().st_mtime_ns for p in site.templates_dir(PERIOD).iterdir()}
    assert after.keys() == before.keys() and all(after[k] > before[k] for k in before)
    assert office.app.state.web.store.tokens(PERIOD) == links


def test_unknown_period_is_404(office):
    r = office.get("/returns", params={"period": "2099Q9"})
    assert r.status_code == 404 and "没有报送期" in r.text


def test_office_uploads_several_files_and_a_zip_for_any_unit(office, site, returns):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("应急局/三季度.xlsx", returns["市应急局"].read_bytes())
        z.writestr("住建局/三季度.xlsx", returns["市住建局"].read_bytes())
    r = office_upload(office, [("交通.xlsx", returns["市交通局"].read_bytes()), ("邮件.zip", buf.getvalue()),
                               ("发改委-错.xlsx", returns["planted"].read_bytes())])
    assert r.status_code == 200 and "本次上传（3 个文件）" in r.text
    assert "已报送" in unit_row(r.text, "市交通局") and "已报送" in unit_row(r.text, "市应急局")
    assert "已报送" in unit_row(r.text, "市住建局")
    assert unit_row(r.text, "市发改委").startswith("bad") and "有错误退回" in unit_row(r.text, "市发改委")
    assert unit_row(r.text, "市农业农村局").startswith("missing")
    assert "市农业农村局 · 催报通知" in r.text and "市发改委 · 退回修改通知" in r.text
    merged = read_progress(site.merged_path(PERIOD))
    assert sorted(merged.reported_units) == ["市交通局", "市住建局", "市应急局"]
    # the board fragment (htmx polling) says the same
    board = office.get("/returns/board", params={"period": PERIOD}).text
    assert "<html" not in board and "有错误退回" in unit_row(board, "市发改委")


def test_office_upload_refuses_a_wrong_form_token(office, site, returns):
    r = office_upload(office, [("交通.xlsx", returns["市交通局"].read_bytes())], csrf="forged")
    assert r.status_code == 403
    assert not any(site.returns_dir(PERIOD).iterdir())


def test_stored_file_download_is_the_upload_itself(office, returns):
    data = returns["市交通局"].read_bytes()
    office_upload(office, [("交通局 三季度.xlsx", data)])
    [record] = office.app.state.web.store.uploads(PERIOD)
    r = office.get(f"/returns/file/{record.id}")
    assert r.status_code == 200 and r.content == data
    assert "filename*=utf-8''" in r.headers["content-disposition"].lower()
    assert office.get("/returns/file/99999").status_code == 404


def test_cli_files_put_in_the_folder_show_on_the_board(office, site, returns):
    import shutil

    shutil.copy(returns["市应急局"], site.returns_dir(PERIOD) / "邮件收到的.xlsx")  # the office's own hand
    office.app.state.web.intake.merger.request(PERIOD)
    office.app.state.web.intake.merger.wait(PERIOD)
    row = unit_row(office.get("/returns").text, "市应急局")
    assert "已报送" in row and "邮件收到的.xlsx" in row


def test_compile_for_an_as_of_date(office, site, returns):
    office_upload(office, [(f"{u}.xlsx", returns[u].read_bytes()) for u in ("市发改委", "市交通局", "市应急局",
                                                                           "市住建局")])
    page = office.get(f"/compile?period={PERIOD}")
    assert "尚未编制" in page.text
    r = office.post(f"/compile?period={PERIOD}", data={"csrf": csrf_of(page.text), "period": PERIOD,
                                                       "as_of": "2021-06-30"})
    assert r.status_code == 200 and "截至 2021年6月30日，序时进度 50%" in r.text
    total = re.search(r"<th>合计</th><th class=\"num\">(\d+)</th>", r.text).group(1)
    assert total == "5" and "按板块" in r.text
    x = office.get("/compile/download/xlsx", params={"period": PERIOD})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    from python_calamine import CalamineWorkbook

    sheets = CalamineWorkbook.from_filelike(io.BytesIO(x.content)).sheet_names
    assert "汇总" in sheets
    r = office.post(f"/compile?period={PERIOD}", data={"csrf": csrf_of(page.text), "period": PERIOD,
                                                       "as_of": "30/06/2021"})
    assert r.status_code == 400 and "截至日期格式应为 YYYY-MM-DD" in unescape(r.text)


def test_compile_download_before_compiling_is_404(office):
    r = office.get("/compile/download/xlsx", params={"period": PERIOD})
    assert r.status_code == 404 and "请先编制汇编" in r.text
    assert office.get("/compile/download/exe", params={"period": PERIOD}).status_code == 404


@pytest.mark.libreoffice
def test_compile_pdf_through_libreoffice(office, returns, soffice):
    office_upload(office, [("住建.xlsx", returns["市住建局"].read_bytes())])
    page = office.get(f"/compile?period={PERIOD}")
    office.post(f"/compile?period={PERIOD}", data={"csrf": csrf_of(page.text), "period": PERIOD,
                                                   "as_of": "2021-09-30"})
    r = office.get("/compile/download/pdf", params={"period": PERIOD})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "新建保障性住房5000套" in text.replace("\n", "")


def test_a_library_error_is_one_chinese_line_not_a_traceback(office, site, links):
    site.register_path.rename(site.register_path.with_suffix(".moved"))
    r = office.get("/tasks")
    assert r.status_code == 400 and "工作区还没有任务台账" in r.text and "Traceback" not in r.text
    r = office.get(f"/u/{links['市发改委']}")
    assert r.status_code in (200, 503) and "register" not in r.text and str(site.root) not in r.text


def test_compile_writes_the_bulletin_from_the_same_figures(office, returns):
    office_upload(office, [(f"{u}.xlsx", returns[u].read_bytes()) for u in ("市发改委", "市交通局", "市住建局")])
    page = office.get(f"/compile?period={PERIOD}")
    r = office.post(f"/compile?period={PERIOD}", data={"csrf": csrf_of(page.text), "period": PERIOD,
                                                       "as_of": "2021-09-30"})
    assert r.status_code == 200 and "督查通报（.docx）" in r.text
    d = office.get("/compile/download/docx", params={"period": PERIOD})
    assert d.status_code == 200 and d.content[:2] == b"PK"
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(d.content)).paragraphs)
    assert "2021年政府工作报告重点工作督查" in text and "纳入督查的5项重点工作" in text
    shown = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td><td class=\"num\">[\d.]+%</td>",
                            r.text))  # the 汇总 table of the page
    assert sum(map(int, shown.values())) == 5 and shown["超序时"] == "2"
    for status, n in shown.items():  # the 通报 says what the page says
        assert f"{status}{n}项" in text, (status, n)


def test_a_return_after_the_deadline_is_marked_late(tmp_path):
    import datetime as dt

    from starlette.testclient import TestClient

    from tests.web.conftest import LOCAL, TEST_LIMITS, make_workspace, sign_in
    from xltasks.web.app import create_app

    site = make_workspace(tmp_path, deadline=dt.date(2021, 10, 10))
    from xltasks.issuing.fill import fill_template
    from xltasks.web.adapter import issued_templates
    from tests.builders import CLEAN

    path = tmp_path / "交通.xlsx"
    fill_template(issued_templates(site, PERIOD)["市交通局"], path, CLEAN["市交通局"])
    with TestClient(create_app(site, limits=TEST_LIMITS), client=LOCAL) as office:
        sign_in(office)
        r = office_upload(office, [("交通.xlsx", path.read_bytes())])
        row = unit_row(r.text, "市交通局")
        assert "已报送" in row and "逾期报送" in row
        assert unit_row(r.text, "市住建局").startswith("late") and "逾期" in unit_row(r.text, "市住建局")
