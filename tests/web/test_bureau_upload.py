"""A unit's page: its template, uploads checked at once exactly as collect checks them, its history only."""
from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from io import BytesIO

import pytest

from tests.make_corpus import Kit, _bomb
from tests.web.conftest import PERIOD, csrf_of, form_token, upload
from xltasks.collecting.merge import check_path, collect
from xltasks.web.intake import REFUSED_DIR


def stored_files(site) -> list:
    return sorted(p for p in site.returns_dir(PERIOD).iterdir() if p.is_file())


def test_unit_page_shows_its_own_template_only(anon, links, site):
    r = anon.get(f"/u/{links['市发改委']}")
    assert r.status_code == 200 and "市发改委" in r.text
    for other in ("市交通局", "市应急局", "市住建局", "市农业农村局"):
        assert other not in r.text
    t = anon.get(f"/u/{links['市发改委']}/template")
    assert t.status_code == 200
    from python_calamine import CalamineWorkbook

    meta = dict((row[0], row[1]) for row in CalamineWorkbook.from_filelike(BytesIO(t.content))
                .get_sheet_by_name("_meta").to_python() if len(row) > 1)
    assert meta["unit"] == "市发改委" and meta["period"] == PERIOD


def test_good_return_is_accepted_stored_untouched_and_merged(anon, office, links, site, returns):
    data = returns["市住建局"].read_bytes()
    r = upload(anon, links["市住建局"], [("市住建局-三季度报送.xlsx", data)])
    assert r.status_code == 200 and "已接收" in r.text and "检查通过" in r.text
    [stored] = stored_files(site)
    assert stored.read_bytes() == data  # never modified
    assert not stat.S_IMODE(stored.stat().st_mode) & 0o222  # read-only
    assert stored.name.endswith(f"_{hashlib.sha256(data).hexdigest()[:8]}.xlsx")
    [record] = office.app.state.web.store.uploads(PERIOD, "市住建局")
    assert record.status == "accepted" and record.rows == 2 and record.stored_path.endswith(stored.name)
    board = office.get(f"/returns?period={PERIOD}").text
    row = re.search(r'<tr class="ok" data-unit="市住建局">.*?</tr>', board, re.S)
    assert row and "已报送" in row.group(0) and "市住建局-三季度报送.xlsx" in row.group(0)
    # the period's merge is collect's own output
    from xltasks.core.progress_io import read_progress

    merged = read_progress(site.merged_path(PERIOD))
    assert [(r.task_id, r.indicator, r.current) for r in merged.rows] == [
        ("1.4", "新建保障性住房", 4200), ("1.4", "基本建成", 2500.5)]


def test_planted_error_is_shown_cell_by_cell_exactly_as_collect_reports_it(anon, links, site, returns, tmp_path):
    r = upload(anon, links["市发改委"], [("市发改委-有错误.xlsx", returns["planted"].read_bytes())])
    assert r.status_code == 200 and "有错误，已退回" in r.text
    [expected] = check_path(returns["planted"], anon.app.state.web.intake.context(PERIOD))
    errors = [p for p in expected.problems if p.level == "错误"]
    assert errors and any(p.cell == "I4" for p in errors)
    for p in expected.problems:
        row = re.search(rf"<td class=\"where\">{p.sheet}(?:<br>.*?)?</td>\s*<td class=\"where\">{p.cell}</td>\s*"
                        rf"<td>(.*?)</td>\s*<td>(.*?)</td>", r.text, re.S)
        assert row, (p.sheet, p.cell)
        from html import unescape

        assert unescape(row.group(1)) == p.message and unescape(row.group(2)) == p.suggestion
    # and the CLI's collect over the returns folder reports the same problems for the stored file
    result = collect([site.returns_dir(PERIOD)], site.register(), PERIOD)
    [f] = result.files
    assert [(p.code, p.sheet, p.cell, p.message, p.suggestion) for p in f.problems] == \
        [(p.code, p.sheet, p.cell, p.message, p.suggestion) for p in expected.problems]


def test_htmx_upload_gets_the_result_fragment(anon, links, returns):
    r = upload(anon, links["市应急局"], [("应急.xlsx", returns["市应急局"].read_bytes())], htmx=True)
    assert r.status_code == 200 and "<html" not in r.text and "已接收" in r.text and "本单位的报送记录" in r.text


def test_rejected_resend_keeps_the_accepted_return_merged(anon, office, links, site, returns):
    upload(anon, links["市发改委"], [("第一次.xlsx", returns["市发改委"].read_bytes())])
    r = upload(anon, links["市发改委"], [("第二次.xlsx", returns["planted"].read_bytes())])
    assert "此前已通过的报送表仍然有效" in r.text
    office.app.state.web.intake.merger.wait(PERIOD)
    from xltasks.core.progress_io import read_progress

    merged = read_progress(site.merged_path(PERIOD))
    assert {r.unit for r in merged.rows} == {"市发改委"} and len(merged.rows) == 4
    board = office.get(f"/returns?period={PERIOD}").text
    assert re.search(r'<tr class="bad" data-unit="市发改委">', board)


def test_another_units_file_through_a_link_is_refused_and_kept_apart(anon, office, links, site, returns):
    upload(anon, links["市住建局"], [("住建.xlsx", returns["市住建局"].read_bytes())])
    r = upload(anon, links["市交通局"], [("冒名.xlsx", returns["市住建局"].read_bytes())])
    assert "未接收" in r.text and "这是“市住建局”的填报表，不是“市交通局”的" in r.text
    assert len(stored_files(site)) == 1  # only 市住建局's own upload is in the returns folder
    assert len(list((site.period_dir(PERIOD) / REFUSED_DIR).iterdir())) == 1
    assert [u.status for u in office.app.state.web.store.uploads(PERIOD, "市交通局")] == ["refused"]


def test_another_units_upload_record_is_403(anon, links, returns):
    upload(anon, links["市住建局"], [("住建.xlsx", returns["市住建局"].read_bytes())])
    own = re.search(r'/u/[^/]+/uploads/(\d+)', anon.get(f"/u/{links['市住建局']}").text).group(1)
    assert anon.get(f"/u/{links['市住建局']}/uploads/{own}").status_code == 200
    r = anon.get(f"/u/{links['市交通局']}/uploads/{own}")
    assert r.status_code == 403 and "不属于本单位" in r.text and "住建.xlsx" not in r.text
    assert "住建.xlsx" not in anon.get(f"/u/{links['市交通局']}").text  # history: own uploads only


def test_unit_form_refuses_a_wrong_form_token(anon, links, site, returns):
    for bad in ("", "0" * 64, form_token(anon, links["市住建局"])):  # another unit's token is wrong too
        r = upload(anon, links["市交通局"], [("交通.xlsx", returns["市交通局"].read_bytes())], token_field=bad)
        assert r.status_code == 403 and "表单已过期或来源不明" in r.text
    assert stored_files(site) == []


@pytest.mark.parametrize("name", ["../../../evil.xlsx", "..\\..\\evil.xlsx", "/etc/cron.d/evil.xlsx",
                                  "C:\\Windows\\System32\\evil.xlsx", "..", ".hidden.xlsx", "a/../../b.xlsx",
                                  "CON.xlsx", "evil\x00.xlsx.xlsx", "长" * 300 + ".xlsx"])
def test_path_traversal_names_stay_in_the_returns_folder(anon, links, site, returns, tmp_path, name):
    before = {p for p in site.root.rglob("*")}
    r = upload(anon, links["市应急局"], [(name, returns["市应急局"].read_bytes())])
    assert r.status_code == 200
    new = {p for p in site.root.rglob("*") if p.is_file()} - before
    placed = [p for p in new if p.parent == site.returns_dir(PERIOD)]
    if name == "..":  # no extension: refused before storing
        assert "不是这类文件" in r.text and not placed
        return
    assert len(placed) == 1 and "已接收" in r.text
    assert not placed[0].name.startswith(".") and len(placed[0].name.encode()) <= 255
    anon.app.state.web.intake.merger.wait(PERIOD)
    new = {p for p in site.root.rglob("*") if p.is_file()} - before
    allowed = (site.returns_dir(PERIOD), site.period_dir(PERIOD))  # the upload; merged.xlsx and the reports
    assert all(p.parent in allowed or p.name.startswith("xltasks.db") for p in new), new
    assert not (tmp_path / "evil.xlsx").exists() and not (site.root / "evil.xlsx").exists()
    assert not os.path.exists("/etc/cron.d/evil.xlsx")


def test_wrong_type_and_empty_files_are_refused_with_a_message(anon, links, site):
    r = upload(anon, links["市应急局"], [("报告.docx", b"PK\x03\x04"), ("空.xlsx", b"")])
    assert "“报告.docx”不是这类文件" in r.text and "“空.xlsx”是空文件" in r.text
    assert stored_files(site) == []


def test_oversize_file_is_refused_with_a_chinese_message(anon, links, site):
    limits = anon.app.state.web.limits
    big = b"PK\x03\x04" + os.urandom(limits.file_bytes)
    r = upload(anon, links["市应急局"], [("很大.xlsx", big)])
    assert r.status_code == 413 and "超过单个文件 2 MB 的上限" in r.text
    assert stored_files(site) == []


def test_oversize_request_is_refused_before_reading(anon, links, site):
    limits = anon.app.state.web.limits
    token = form_token(anon, links["市应急局"])
    r = anon.post(f"/u/{links['市应急局']}/upload", content=b"x" * (limits.body_bytes + 1),
                  headers={"content-type": "multipart/form-data; boundary=zz"})
    assert r.status_code == 413 and "超过 5 MB 的上限" in r.text
    # streamed without a length: cut off the moment it passes the cap
    def chunks():
        yield b"--zz\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n" + token.encode() + b"\r\n"
        for _ in range(12):
            yield b"y" * (512 * 1024)
    r = anon.post(f"/u/{links['市应急局']}/upload", content=chunks(),
                  headers={"content-type": "multipart/form-data; boundary=zz"})
    assert r.status_code == 413 and "上限" in r.text
    assert stored_files(site) == []


def test_too_many_files_at_once(anon, links, site, returns):
    data = returns["市应急局"].read_bytes()
    n = anon.app.state.web.limits.unit_files + 1
    r = upload(anon, links["市应急局"], [(f"{i}.xlsx", data) for i in range(n)])
    assert r.status_code == 413 and "一次最多上传 4 个文件" in r.text
    assert stored_files(site) == []


def test_zip_bomb_through_the_page_is_refused_and_a_good_file_still_accepted(anon, office, links, site, returns,
                                                                            tmp_path):
    bomb = _bomb(Kit(tmp_path / "kit"), None)
    assert len(bomb) < anon.app.state.web.limits.file_bytes  # small on the wire, 570 MB inflated
    r = upload(anon, links["市应急局"], [("炸弹.xlsx", bomb), ("应急.xlsx", returns["市应急局"].read_bytes())])
    assert r.status_code == 200
    assert "未能认出这是哪个单位的填报表" in r.text and "过大" in r.text
    assert "已接收：应急.xlsx" in r.text
    office.app.state.web.intake.merger.wait(PERIOD)
    assert "已报送" in re.search(r'data-unit="市应急局">.*?</tr>', office.get("/returns").text, re.S).group(0)


def test_a_zip_of_the_units_own_return_is_accepted(anon, links, returns):
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("市交通局/报送表.xlsx", returns["市交通局"].read_bytes())
    r = upload(anon, links["市交通局"], [("邮件附件.zip", buf.getvalue())])
    assert r.status_code == 200 and "已接收：邮件附件.zip" in r.text
