"""Builders shared by the tests of several stages (never imported from one test module into another).

- A small register (5 tasks, 5 bureaus) and what each bureau types into its template (CLEAN): the
  collect, validate, ledger, hostile-file, CLI and web tests fill templates with these.
- Blocks of seed 002 (杭州 2021 Q3) rebuilt as a register and a progress register (compile_register,
  compile_progress): the compile tests and the input-limit tests.
The fixture that issues the small register's templates (`issued`) is in conftest.py.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl

from xltasks.collecting.intake import sources_of
from xltasks.collecting.validate import Context, check_file
from xltasks.core import layout
from xltasks.core.models import DIRECTION_QUALITATIVE, DIRECTION_UPPER, Progress, ProgressRow, Register, Task, Unit
from xltasks.issuing.fill import Entry, fill_template

# ---------------------------------------------------------------------------------------------------
# The small register and its clean returns
# ---------------------------------------------------------------------------------------------------

PERIOD = "2021Q3"


def make_register() -> Register:
    def task(tid, text, units):
        return Task(id=tid, section="一、重点工作", group="", leader="", no=tid.split(".")[-1], text=text,
                    units=units, lead_unit=units[0])

    tasks = [
        task("1.1", "新增地铁运营里程75公里，城镇调查失业率控制在3.5%以内。", ["市发改委", "市交通局"]),
        task("1.2", "深化数字化改革，建设城市大脑。", ["市交通局", "市发改委"]),
        task("1.3", "做好安全生产工作。", ["市应急局", "市交通局"]),
        task("1.4", "新建保障性住房5000套。", ["市住建局"]),
        task("1.5", "推进乡村振兴。", ["市农业农村局"]),
    ]
    names = ["市发改委", "市交通局", "市应急局", "市住建局", "市农业农村局"]
    return Register(source="test", layout="test", tasks=tasks, units=[Unit(n, "部门") for n in names])


# What each bureau types (the clean returns). 市农业农村局 never returns its file.
CLEAN = {
    "市发改委": [
        Entry("1.1", "地铁建设", "新增地铁运营里程", "公里", 75, 60, highlights="三号线开通", problems="征迁滞后"),
        Entry("1.1", "", "城镇调查失业率", "%", 3.5, 3.1, direction="不超过"),
        Entry("1.1", "稳就业", "新增就业人数", "万人", 20, "待年底核算"),
        Entry("1.2", "配合数据归集", "", "", None, None, direction="定性", self_rate=0.9),
    ],
    "市交通局": [
        Entry("1.1", "公交配套", "新辟公交线路", "条", 30, 12.5, highlights="线网优化"),
        Entry("1.2", "城市大脑交通模块", "接入路口数", "个", 800, 650, highlights="信号灯联网", problems="资金缺口"),
        Entry("1.2", "", "平均通勤时间", "分钟", 40, 42, direction="不超过"),
        Entry("1.3", "", "", "", None, None, highlights="配合开展交通安全检查"),
    ],
    "市应急局": [
        Entry("1.3", "安全生产专项整治", "", "", None, None, direction="定性", self_rate=0.75,
              highlights="开展专项整治", problems="基层力量不足"),
    ],
    "市住建局": [
        Entry("1.4", "保障性住房建设", "新建保障性住房", "套", 5000, 4200),
        Entry("1.4", "", "基本建成", "套", 3000, 2500.5),
    ],
}


def expected_lines(unit: str) -> list[tuple]:
    """(task_id, item, indicator, target, current, pending) of the lines a clean return must merge."""
    out, item = [], ""
    for e in CLEAN[unit]:
        if not (e.item or e.indicator or e.target is not None or e.current is not None or e.self_rate is not None):
            if e.highlights or e.problems:  # a narrative only: one line without 细化项目
                out.append((e.task_id, "", "", None, None, False))
            continue
        item = e.item or item
        pending = isinstance(e.current, str)
        out.append((e.task_id, item, e.indicator, e.target, None if pending else e.current, pending))
    return out


def fill(issued_t, unit: str, path: Path, entries=None) -> Path:
    fill_template(issued_t[unit].path, path, CLEAN[unit] if entries is None else entries)
    return path


def edit(path: Path, fn, out: Path | None = None) -> Path:
    """Open a returned file in openpyxl, change it as a bureau might, save (to out or in place)."""
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(out or path)
    return out or path


def rewrite_member(path: Path, member_pred, fn) -> None:
    """Rewrite members of a zip in place (for things openpyxl cannot write, such as control characters)."""
    zin = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if member_pred(info.filename):
                data = fn(data)
            zout.writestr(info, data)
    zin.close()
    path.write_bytes(buf.getvalue())


def lines_of(rows, unit):
    return [(r.task_id, r.item, r.indicator, r.target, r.current, r.pending) for r in rows if r.unit == unit]


def check(path: Path, reg=None):
    reg = reg or make_register()
    (source,) = list(sources_of(Path(path)))
    return check_file(source, Context(reg, PERIOD))


def meta_edit(key, value):
    def fn(wb):
        ws = wb[layout.SHEET_META]
        for row in ws.iter_rows():
            if row[0].value == key:
                row[1].value = value
    return fn


# ---------------------------------------------------------------------------------------------------
# Seed 002's blocks as a register and a progress register
# ---------------------------------------------------------------------------------------------------

AS_OF = dt.date(2021, 9, 30)
S1 = "一、省政府工作报告“十四五”时期重点工作涉杭任务"
S2 = "二、省政府工作报告 2021 年重点工作涉杭任务"
G11 = "(一) 王宏同志牵头重点工作"
G12 = "(二) 胡伟副市长牵头重点工作"
G21 = "(一) 戴建平常务副市长牵头重点工作"
AGRI, GRAIN = "市农业农村局", "市粮食和物资储备局"


def compile_task(tid, section, group, leader, no, text, units):
    return Task(id=tid, section=section, group=group, leader=leader, no=no, text=text, units=units,
                lead_unit=units[0])


def compile_register() -> Register:
    return Register(source="test", layout="test", tasks=[
        compile_task("1.1.1", S1, G11, "王宏", "1", "加强粮食和重要农产品保障，端好浙江人的“饭碗”和“餐盘”。", [AGRI, GRAIN]),
        compile_task("1.2.2", S1, G12, "胡伟", "2", "深入实施消费新政，提升传统消费，培育新型消费。", ["市商务局"]),
        compile_task("2.1.1", S2, G21, "戴建平", "1", "大力推进杭州城西科创大走廊建设。", ["城西科创大走廊管委会"]),
        compile_task("2.1.30", S2, G21, "戴建平", "30", "深化治气治水治废，实现绿色低碳发展。", ["市生态环境局"]),
        compile_task("2.1.38", S2, G21, "戴建平", "38", "带头过“紧日子”，“三公”经费均压减10%。", ["市财政局"]),
        compile_task("2.1.39", S2, G21, "戴建平", "39", "城镇新增就业 25 万人，城镇登记失业率控制在 3.5% 以内。", ["市人力社保局"]),
        compile_task("2.1.40", S2, G21, "戴建平", "40", "一项没有报送的任务。", ["市某局", "市另一局"]),
        compile_task("2.1.41", S2, G21, "戴建平", "41", "一项滞后的任务。", ["市财政局"]),
        compile_task("2.1.42", S2, G21, "戴建平", "42", "一项刚达序时的任务。", ["市商务局"]),
    ])


def compile_row(tid, unit, item_no, item, indicator="", mu="", target=None, current=None, **kw):
    return ProgressRow(task_id=tid, unit=unit, role="牵头", item=item, indicator=indicator, measure_unit=mu,
                       target=target, current=current, item_no=item_no, **kw)


def compile_progress() -> Progress:
    rows = [
        # 002 L15–24. 市农业农村局 reports three items, the co-unit 市粮食和物资储备局 one (listed first here
        # to check that the lead unit still comes first).
        compile_row("1.1.1", GRAIN, 1, "继续加强与7省23个地市建立35个以上省外订单粮食基地。", "粮食基地数", "个", 35, 35,
             highlights="订单粮食基地建设顺利。", problems="调入量集中在四季度。"),
        compile_row("1.1.1", GRAIN, 1, "继续加强与7省23个地市建立35个以上省外订单粮食基地。", "基地面积", "万亩", 70, 70),
        compile_row("1.1.1", GRAIN, 1, "继续加强与7省23个地市建立35个以上省外订单粮食基地。", "粮食调入量", "万吨", 20, 0),
        compile_row("1.1.1", AGRI, 1, "2021年末实现生猪存栏121万头。", "生猪存栏数", "万头", 121, 83.2,
             highlights="压实责任分解任务。", problems="强化早、晚稻技术指导与服务。"),
        compile_row("1.1.1", AGRI, 2, "2021年巩固保护提升81.04万亩粮食生产功能区。", "播种面积", "万亩", 136.7, 142.1),
        compile_row("1.1.1", AGRI, 2, "2021年巩固保护提升81.04万亩粮食生产功能区。", "总产量", "亿斤", 10.39, 1.57),
    ] + [
        compile_row("1.1.1", AGRI, 3, "2021年储备187万斤粮食作物种子等。", name, mu, v, v)
        for name, mu, v in (("粮食作物种子储备量", "万斤", 187), ("油菜种子储备量", "万斤", 1.91),
                            ("农药储备量", "吨", 52), ("化肥储备量", "吨", 12700))
    ] + [
        # 002 L26–29: 60%, 199%, 125%, 90% → 87.5%
        compile_row("1.2.2", "市商务局", 1, "积极争取国际消费中心城市国家试点", "工作试点", "个", 1, 0.6),
        compile_row("1.2.2", "市商务局", 2, "举办“杭州数智消费嘉年华”促销活动100场。", "促销活动数", "场", 100, 199),
        compile_row("1.2.2", "市商务局", 3, "下半年举办休闲购物节系列促销活动100场。", "促销活动数", "场", 100, 125),
        compile_row("1.2.2", "市商务局", 4, "举办中国杭州美食节等系列活动。", "促销活动数", "场", 20, 18),
    ] + [
        # 002 L38: self-rated 细化项目 85, 66, 83, 93, 100 → 85.4%
        compile_row("2.1.1", "城西科创大走廊管委会", i, f"细化项目{i}", self_rate=v)
        for i, v in enumerate((0.85, 0.66, 0.83, 0.93, 1.0), start=1)
    ] + [
        # 002 L433: PM2.5 is an upper bound: 33.5 / 26.4 → 100%
        compile_row("2.1.30", "市生态环境局", 1, "实施空气质量提升行动，力争PM2.5年均浓度稳定达标。", "PM2.5年均浓度",
             "微克/立方米", 33.5, 26.4, direction=DIRECTION_UPPER),
        # 002 L815–818: 10% / 10%; 三公 10% / 7% → 70%; a pending value (待年底核算) in an item of its own
        compile_row("2.1.38", "市财政局", 1, "全年市本级一般性支出压减10%。", "一般性支出压减率", "%", 10, 10),
        compile_row("2.1.38", "市财政局", 2, "“三公”经费压减10%，培训费和会议费压减10%。", "“三公”经费压减率", "%", 10, 7),
        compile_row("2.1.38", "市财政局", 2, "“三公”经费压减10%，培训费和会议费压减10%。", "培训费和会议费压减率", "%", 10, 10),
        compile_row("2.1.38", "市财政局", 3, "全年“三公”经费决算数压减10%。", "“三公”经费决算压减率", "%", 10, None,
             pending=True, current_text="0（待年底核算）"),
        # 002 L825–828: 失业率 3.50% / 2.51% is an upper bound met: 100%, not 71.71%
        compile_row("2.1.39", "市人力社保局", 1, "2021 年预计发放各类就业创业补贴 5000 万元。", "发放补贴金额", "万元", 5000, 8228.4),
        compile_row("2.1.39", "市人力社保局", 2, "城镇新增就业人数 25 万人，城镇登记失业率控制在 3.5% 以内。", "城镇新增就业人数",
             "万人", 25, 78.8),
        compile_row("2.1.39", "市人力社保局", 2, "城镇新增就业人数 25 万人，城镇登记失业率控制在 3.5% 以内。", "控制城镇登记失业率",
             "%", 3.5, 2.51, direction=DIRECTION_UPPER),
        compile_row("2.1.41", "市财政局", 1, "滞后的细化项目", "完成数", "个", 20, 10),
        compile_row("2.1.42", "市商务局", 1, "达序时的细化项目", "完成数", "个", 4, 3),
        compile_row("2.1.42", "市商务局", 2, "定性的细化项目", "推进情况", direction=DIRECTION_QUALITATIVE, self_rate=0.75),
        compile_row("9.9.9", "市外单位", 1, "不在台账中的任务"),  # (a unit of 2.1.40 here would make it reported)
    ]
    units = sorted({r.unit for r in rows})
    return Progress(period="2021Q3", rows=rows, reported_units=units)
