"""`xltasks collect` and `xltasks remind` through click: exit codes, summary lines, reports."""
from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from tests.builders import PERIOD, edit, fill, meta_edit
from xltasks.cli import main
from xltasks.issuing.fill import Entry
from xltasks.core.progress_io import read_progress


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_collect_clean_exit_0_and_outputs(issued, tmp_path):
    reg, t = issued
    reg_path = tmp_path / "register.json"
    reg.save_json(reg_path)
    ret = tmp_path / "returns"
    ret.mkdir()
    fill(t, "市发改委", ret / "a.xlsx")
    fill(t, "市住建局", ret / "b.xlsx")
    # outputs written into the returns folder are never read back as returns
    out = ret / "merged.xlsx"
    args = [ret, "--register", reg_path, "--period", PERIOD, "-o", out, "--report", ret / "report.xlsx",
            "--json", ret / "report.json", "--csv", ret / "merged.csv"]
    for _ in range(2):
        r = run("collect", *args)
        assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[:4] == [
        "收到文件：2 个（采用 2，退回 0，被替代 0）",
        "单位：5 个（已报送 2，有错误退回 0，未报送 3）",
        "问题：错误 0 个，警告 1 个",  # 待年底核算 in 市发改委's return
        "合并进度行：6 行",
    ]
    assert "未报送单位：市交通局、市应急局、市农业农村局" in lines
    assert f"合并结果：{out}" in lines and f"台账记录：{ret / 'ledger.sqlite'}" in lines
    merged = read_progress(out)
    assert merged.reported_units == ["市发改委", "市住建局"] and len(merged.rows) == 6
    assert (ret / "merged.csv").read_text(encoding="utf-8-sig").splitlines()[0].startswith("任务编号,单位")
    rep = json.loads((ret / "report.json").read_text(encoding="utf-8"))
    assert rep["valid"] is True and rep["missing_units"] == ["市交通局", "市应急局", "市农业农村局"]
    assert rep["stats"]["files"] == 2 and {f["unit"] for f in rep["files"]} == {"市发改委", "市住建局"}
    wb = openpyxl.load_workbook(ret / "report.xlsx", read_only=True)
    assert wb.sheetnames == ["问题清单", "报送情况", "催报", "文件清单"]
    status = {row[0]: row[4] for row in wb["报送情况"].iter_rows(min_row=2, values_only=True)}
    assert status == {"市发改委": "已报送", "市交通局": "未报送", "市应急局": "未报送", "市住建局": "已报送",
                      "市农业农村局": "未报送"}
    assert [row[0] for row in wb["催报"].iter_rows(min_row=2, values_only=True)] == \
        ["市交通局", "市应急局", "市农业农村局"]


def test_collect_errors_exit_1_report_and_remind(issued, tmp_path):
    reg, t = issued
    reg_path = tmp_path / "register.json"
    reg.save_json(reg_path)
    ret = tmp_path / "returns"
    ret.mkdir()
    fill(t, "市发改委", ret / "a.xlsx")
    fill(t, "市住建局", ret / "b.xlsx", [Entry("1.4", "保障房", "新建保障性住房", "套", "5000套", 4200),
                                         Entry("1.4", "", "基本建成", "套", 3000, "约2000")])
    (ret / "c.xlsx").write_bytes(b"%PDF-1.4 not a workbook")
    r = run("collect", ret, "--register", reg_path, "--period", PERIOD, "-o", tmp_path / "merged.xlsx",
            "--report", tmp_path / "report.xlsx", "--json", tmp_path / "report.json")
    assert r.exit_code == 1, r.output
    assert r.output.splitlines()[:3] == [
        "收到文件：3 个（采用 1，退回 2，被替代 0）",
        "单位：5 个（已报送 1，有错误退回 1，未报送 3）",
        "问题：错误 3 个，警告 1 个",
    ]
    # after the summary, each rejected file with its first error: the console alone says what to fix
    assert r.output.splitlines()[-2:] == [
        "退回：b.xlsx：填报!I4 “目标值”填的是“5000套”，数字和单位写在了一起（等 2 处）",
        "退回：c.xlsx：文件无法作为工作簿打开：这是 PDF 文件",
    ]
    assert len(read_progress(tmp_path / "merged.xlsx").rows) == 4  # the good file merged all the same
    rep = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert rep["valid"] is False and rep["rejected_units"] == ["市住建局"]
    zj = next(f for f in rep["files"] if f["unit"] == "市住建局")
    assert zj["valid"] is False and zj["status"] == "rejected"
    assert [(p["code"], p["level"], p["sheet"], p["cell"]) for p in zj["problems"]] == [
        ("number-with-unit", "错误", "填报", "I4"), ("approximate-number", "错误", "填报", "J5")]
    assert zj["problems"][0]["suggestion"] == "目标值填 5000，计量单位填 套"
    assert set(zj["problems"][0]) == {"code", "level", "sheet", "cell", "message", "suggestion"}
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    probs = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert [(p[0], p[3], p[5]) for p in probs] == [
        ("市住建局", "I4", "number-with-unit"), ("市住建局", "J5", "approximate-number"),
        ("市发改委", "J6", "pending-value"), ("（未识别）", None, "not-a-workbook")]

    notices = tmp_path / "notices"
    r = run("remind", "--report", tmp_path / "report.json", "-o", notices, "--deadline", "2021-10-15")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "催报通知：3 份，退回修改通知：1 份"
    names = sorted(p.name for p in notices.iterdir())
    assert names == sorted([f"{PERIOD}_市交通局_催报通知.txt", f"{PERIOD}_市应急局_催报通知.txt",
                            f"{PERIOD}_市农业农村局_催报通知.txt", f"{PERIOD}_市住建局_退回修改通知.txt"])
    raw = (notices / f"{PERIOD}_市住建局_退回修改通知.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Notepad shows the Chinese and the lines
    back = raw.decode("utf-8-sig")
    assert back.startswith("关于退回修改2021年第三季度重点工作推进情况填报表的通知")
    assert "市住建局：" in back and "“填报”表 I4 单元格" in back and "目标值填 5000，计量单位填 套" in back
    assert "2021年10月15日" in back
    chase = (notices / f"{PERIOD}_市交通局_催报通知.txt").read_text(encoding="utf-8-sig")
    assert "尚未收到贵单位2021年第三季度" in chase and "共承担 3 项任务（其中牵头 1 项）" in chase
    for text in (back, chase):  # plain text, no markdown for Notepad/WPS readers
        assert "#" not in text and not any(line.startswith("- ") for line in text.splitlines())


def test_bad_usage_exit_2(issued, tmp_path):
    reg, _ = issued
    reg_path = tmp_path / "register.json"
    reg.save_json(reg_path)
    r = run("collect", tmp_path, "--register", reg_path, "-o", tmp_path / "m.xlsx")
    assert r.exit_code == 2 and "--period" in r.output
    r = run("collect", tmp_path / "nope", "--register", reg_path, "--period", PERIOD, "-o", tmp_path / "m.xlsx")
    assert r.exit_code == 2
    r = run("collect", tmp_path, "--register", reg_path, "--period", PERIOD, "-o", tmp_path / "m.xlsx",
            "--report", tmp_path / "m.xlsx")
    assert r.exit_code == 2
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    r = run("remind", "--report", tmp_path / "bad.json", "-o", tmp_path / "n")
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "bad.json" in r.output


def test_identified_but_rejected_unit_is_sent_back_not_chased(issued, tmp_path):
    """A return of another period (and one of an old schema version) names its unit in _meta: the unit is
    有错误退回 and gets a 退回修改通知, not a 催报通知; a file naming no unit stays out."""
    from xltasks.core import layout

    reg, t = issued
    reg_path = tmp_path / "register.json"
    reg.save_json(reg_path)
    ret = tmp_path / "returns"
    ret.mkdir()
    fill(t, "市发改委", ret / "a.xlsx")
    edit(fill(t, "市交通局", ret / "jt.xlsx"), meta_edit(layout.META_PERIOD, "2021Q2"))
    edit(fill(t, "市应急局", ret / "yj.xlsx"), meta_edit(layout.META_SCHEMA_VERSION, "0"))
    edit(fill(t, "市住建局", ret / "x.xlsx"), meta_edit(layout.META_UNIT, "市不存在局"))
    r = run("collect", ret, "--register", reg_path, "--period", PERIOD, "-o", tmp_path / "merged.xlsx",
            "--report", tmp_path / "report.xlsx", "--json", tmp_path / "report.json")
    assert r.exit_code == 1, r.output
    assert r.output.splitlines()[1] == "单位：5 个（已报送 1，有错误退回 2，未报送 2）"
    rep = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert rep["rejected_units"] == ["市交通局", "市应急局"]
    assert rep["missing_units"] == ["市住建局", "市农业农村局"]
    units = {u["unit"]: u for u in rep["units"]}
    assert units["市交通局"]["file"].endswith("jt.xlsx") and units["市交通局"]["errors"] == 1
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    status = {row[0]: row[4] for row in wb["报送情况"].iter_rows(min_row=2, values_only=True)}
    assert status == {"市发改委": "已报送", "市交通局": "有错误退回", "市应急局": "有错误退回",
                      "市住建局": "未报送", "市农业农村局": "未报送"}

    notices = tmp_path / "notices"
    r = run("remind", "--report", tmp_path / "report.json", "-o", notices)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in notices.iterdir()) == sorted([
        f"{PERIOD}_市交通局_退回修改通知.txt", f"{PERIOD}_市应急局_退回修改通知.txt",
        f"{PERIOD}_市住建局_催报通知.txt", f"{PERIOD}_市农业农村局_催报通知.txt"])
    back = (notices / f"{PERIOD}_市交通局_退回修改通知.txt").read_text(encoding="utf-8")
    assert "2021Q2" in back and "jt.xlsx" in back

    # a clean return of the right period, next to the wrong-period one, decides: 已报送
    fill(t, "市交通局", ret / "jt_q3.xlsx")
    r = run("collect", ret, "--register", reg_path, "--period", PERIOD, "-o", tmp_path / "merged.xlsx",
            "--json", tmp_path / "report.json")
    rep = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert {u["unit"]: u["status"] for u in rep["units"]}["市交通局"] == "已报送"


def test_rejected_lines_are_capped_and_relative(issued, tmp_path):
    """At most `limit` 退回 lines, then one line pointing to the report; paths relative to the folder given."""
    from xltasks.cli.collect_cmd import rejected_lines
    from xltasks.collecting.merge import collect

    reg, _ = issued
    ret = tmp_path / "returns"
    (ret / "sub").mkdir(parents=True)
    for name in ("a.xlsx", "b.xlsx", "sub/c.xlsx"):
        (ret / name).write_bytes(b"%PDF-1.4")
    res = collect([ret], reg, PERIOD)
    assert rejected_lines(res, [ret], limit=2) == [
        "退回：a.xlsx：文件无法作为工作簿打开：这是 PDF 文件",
        "退回：b.xlsx：文件无法作为工作簿打开：这是 PDF 文件",
        "…（另有 1 个退回文件，详见 --report）",
    ]
    assert rejected_lines(res, [ret])[-1] == "退回：sub/c.xlsx：文件无法作为工作簿打开：这是 PDF 文件"


def test_templates_issued_with_a_directory_need_it_at_collect(tmp_path):
    # 各区县政府 is sent to each district through the directory; collecting without it sees extra tasks,
    # and the console says what to add.
    from xltasks.core.directory import Directory, DirectoryEntry, write_directory
    from xltasks.core.models import Register, Task, Unit
    from xltasks.core.register_io import write_register

    collective, district = "各区县政府", "吴兴区政府"
    reg = Register(source="t", layout="t", tasks=[
        Task(id="1", section="一、", group="", leader="", no="1", text="推进共同富裕。", units=["市发改委", collective],
             lead_unit="市发改委"),
        Task(id="2", section="一、", group="", leader="", no="2", text="建设美丽乡村。", units=[district],
             lead_unit=district)],
        units=[Unit("市发改委", "部门"), Unit(collective, "集合"), Unit(district, "区县政府")])
    write_register(reg, tmp_path / "register.xlsx")
    write_directory(Directory([DirectoryEntry("市发改委"), DirectoryEntry(district, collectives=[collective])]),
                    tmp_path / "units.xlsx")
    out = tmp_path / "tpl"
    r = run("templates", tmp_path / "register.xlsx", "-o", out, "--period", PERIOD,
            "--directory", tmp_path / "units.xlsx", "--units", district)
    assert r.exit_code == 0, r.output
    template = next(out.glob(f"{PERIOD}_{district}.xlsx"))
    ret = tmp_path / "returns"
    ret.mkdir()
    from xltasks.issuing.fill import fill_template

    fill_template(template, ret / "wx.xlsx", [Entry("1", "配合推进", self_rate=0.8), Entry("2", "美丽乡村", self_rate=0.9)])
    without = run("collect", ret, "--register", tmp_path / "register.xlsx", "--period", PERIOD,
                  "-o", tmp_path / "m1.xlsx")
    assert without.exit_code == 1
    assert "提示：如模板是按单位名录（--directory）下发的，收集时也请加同一个 --directory" in without.output
    with_dir = run("collect", ret, "--register", tmp_path / "register.xlsx", "--period", PERIOD,
                   "-o", tmp_path / "m2.xlsx", "--directory", tmp_path / "units.xlsx")
    assert with_dir.exit_code == 0, with_dir.output
    assert "提示：" not in with_dir.output
