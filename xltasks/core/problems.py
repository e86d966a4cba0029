"""The problem taxonomy of `collect`: every finding about a returned file is one of these codes.

Frictionless style: a small table of codes, each with a fixed level and a Chinese message and suggestion
template; checks create Problems only through `problem(code, …)`, so a code's level and wording live here.

Levels and what they do to a file:
- 错误 (error): the file is rejected as a whole (退回修改) and none of its rows are merged; the unit shows
  as 有错误退回. A value error rejects the whole file too, not only its row: the issue merges "accepted files
  only", and a partly merged return would make a unit look complete while a line of it is missing.
- 警告 (warning): the file is accepted; the value was read as the message says (never silently).

Hostile input (issue 7): `too-large` (zip bomb: caps on members and uncompressed sizes, read from the zip
directory before anything is inflated, and a lying header caught), `xml-dtd` (a DOCTYPE or entity in any
XML member), `encrypted` / `bad-password` (msoffcrypto; `collect --password` decrypts in memory),
`control-characters` (removed, warned), `text-too-long` (layout limits, below Excel's 32,767),
`merged-cells` (a merge over entry rows would hide the covered cells' values). `too-large` also covers a
sheet with a value far outside any template's area (intake.MAX_SHEET_*: the reader's grid is dense), and
`not-a-workbook` a path that is not a regular file (FIFO, device, a link to one: never read).

Nothing accepted silently: `empty-return` (an accepted file with nothing filled in), `zero-target` (no rate
can be computed), `default-direction` (a blank 指标方向 read as 越高越好), `older-return-used` (a unit's newest
file was rejected; its older accepted file's rows are merged meanwhile, see merge.py).

Structural checks stop a file at the first failure; STRUCTURAL_ORDER lists their codes in the order
collect runs them (derived from collecting/checks.STRUCTURAL_CHECKS). Value checks then run on every entry cell and all their problems are reported
together.
"""
from __future__ import annotations

from dataclasses import dataclass

from .models import LEVEL_ERROR, LEVEL_WARNING, Problem

E, W = LEVEL_ERROR, LEVEL_WARNING


@dataclass(frozen=True)
class Code:
    """One problem code of the table: level, Chinese title, message and suggested fix."""

    code: str
    level: str
    title: str  # short Chinese name, shown in the 问题清单 filter
    message: str  # str.format template
    suggestion: str  # str.format template


_CODES = (
    # --- structural: the file is stopped at the first of these --------------------------------------
    Code("not-a-workbook", E, "不是工作簿", "文件无法作为工作簿打开：{reason}",
         "请用 Excel 或 WPS 打开确认文件完好，另存为 .xlsx 后重新报送"),
    Code("encrypted", E, "文件加密", "工作簿设有打开密码，无法读取",
         "请取消文件的打开密码（文件→信息→保护工作簿）后重新报送"),
    Code("bad-password", E, "密码无法打开", "工作簿设有打开密码，用所给的密码无法打开（{reason}）",
         "请核对 --password 给出的密码；或请报送单位取消打开密码后重新报送"),
    Code("too-large", E, "文件过大", "文件或其中的表格过大（{reason}），未予读取",
         "请使用下发的模板重新填报；不要在表中粘贴图片或大量对象，也不要在填报区以外很远的单元格中输入内容"),
    Code("xml-dtd", E, "含不安全内容", "文件内部的 XML（{reason}）含有 DOCTYPE 或实体声明，未予读取",
         "Excel 和 WPS 保存的文件不会有这种内容：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送；如非本单位制作，请核查文件来源"),
    Code("not-our-template", E, "非下发模板", "不是下发的填报模板：{reason}",
         "请使用督查室下发的模板填报，不要另建表格，也不要删除或改动隐藏的“_meta”工作表"),
    Code("schema-version", E, "模板版本过旧", "模板版本为 {found}，本次只接受版本 {accepted}",
         "请使用本期最新下发的模板重新填报"),
    Code("register-mismatch", E, "任务台账不符",
         "本次收集所用的任务台账与下发本模板时的任务台账不是同一份（模板记录的台账指纹 {found}…，本次 {expected}…）",
         "这通常是督查室一方的问题：请用下发模板时的 register.xlsx（或 register.json）作为 --register 重新收集；"
         "报送单位无需修改"),
    Code("unknown-unit", E, "单位不在台账", "模板所属单位“{name}”不在任务台账中",
         "请核对是否使用了本单位的模板；单位名称如有变更请联系督查室"),
    Code("wrong-period", E, "报送期不符", "模板的报送期为 {found}，本次收集的是 {expected}",
         "请使用 {expected} 下发的模板填报"),
    Code("header-changed", E, "表头被改动", "“{where}”表的表头被改动，找不到列：{labels}",
         "请不要修改、删除或移动表头；可从下发的模板中复制表头恢复"),
    Code("missing-task", E, "任务缺失", "下发给本单位的任务 {task_id} 不在表中（填报行被删除）",
         "请从下发的模板中复制任务 {task_id} 的填报行，恢复后重新报送"),
    Code("extra-task", E, "多出任务", "表中出现未下发给本单位的任务编号“{task_id}”",
         "请删除该行，或恢复为原来的任务编号"),
    Code("row-without-task", E, "行无任务编号", "第 {row} 行填有内容，但没有任务编号",
         "请在对应任务的预留行中填写；行不够时复制本任务已有的整行（含任务编号）后插入"),
    Code("task-id-number", W, "任务编号变成数字", "任务编号“{expected}”被转成了数字 {found}，已按下发时的编号读取",
         "请把任务编号列恢复为文本（从下发的模板复制），不要重新输入或转换该列"),
    Code("rows-reordered", W, "行序被改动", "填报表的行被重新排序或移动，已按下发时的行序（隐藏的“行号”列）读取细化项目和指标",
         "无需处理；今后请不要对填报表排序或移动行"),
    Code("locked-cell-changed", E, "锁定内容被改", "锁定的“{label}”被修改：应为“{expected}”，现为“{found}”",
         "请恢复为原内容；任务编号、任务、责任单位等锁定列不要修改"),
    Code("formula-changed", E, "公式被改", "“完成率”公式被修改或删除（现为“{found}”）",
         "请从同列其他行复制完成率公式恢复；完成率由公式自动计算，不要手填"),
    # --- values: all reported together --------------------------------------------------------------
    Code("number-with-unit", E, "数字带单位", "“{label}”填的是“{value}”，数字和单位写在了一起",
         "{label}填 {number}，计量单位填 {mu}"),
    Code("approximate-number", E, "非确切数值", "“{label}”填的是“{value}”，不是确切数值",
         "{label}请填确切数值（如 {number}）；说明性文字写入“存在问题与下步计划”"),
    Code("range-number", E, "填了范围", "“{label}”填的是范围“{value}”，不是一个确切数值",
         "{label}请填一个确切数值；目标是一个区间（{low} 至 {high}）的，请在“存在问题与下步计划”中说明"),
    Code("negative-value", W, "负数", "“{label}”为负数 {value}，完成率按不低于 0% 计算",
         "请核对该数值；下降类指标请填写下降的幅度（正数），并在指标名称中写明“下降”或选“不超过”"),
    Code("not-a-number", E, "应填数字", "“{label}”应填数字，现为“{value}”",
         "请填写数字；当前值尚无数据时可填“待核算”，说明写入“存在问题与下步计划”"),
    Code("error-value", E, "错误值", "“{label}”是错误值 {value}{why}，其中没有可读取的内容",
         "请填写实际的数值或文字；不要粘贴公式的错误结果，也不要在填报单元格中写公式"),
    Code("bidi-control", E, "含方向控制字符",
         "“{label}”含有改变文字显示方向的控制字符（{chars}），单元格显示的内容与实际内容不同",
         "请清空该单元格后直接输入（不要从网页或聊天软件粘贴）"),
    Code("number-as-text", W, "文本型数字", "“{label}”的“{value}”是文本格式，已按 {number} 读取",
         "请将单元格设为数值格式后重新输入"),
    Code("ambiguous-percent", W, "百分数含义不明", "自评完成率填的是 {value}，已按 {percent} 理解",
         "自评完成率请填百分数（如 85%）或小数（如 0.85）"),
    Code("percent-format", W, "百分比格式", "“{label}”以百分比格式填写（显示为 {shown}），已按 {number}（计量单位 {mu}）读取",
         "百分比类指标请直接填写百分点数值（如 3.5），计量单位填“%”，单元格用常规或数值格式"),
    Code("percent-format-unit", E, "百分比格式与单位不符", "“{label}”以百分比格式填写（显示为 {shown}），但计量单位是“{mu}”",
         "如该指标以百分比计，请将计量单位改为“%”并填写 {number}；否则请将单元格改为常规格式后重新填写"),
    Code("percent-scale-mismatch", E, "百分比量级不一致",
         "计量单位为“{mu}”，目标值 {target} 与当前值 {current} 相差 {ratio} 倍，疑似一个按小数、一个按百分点填写，完成率会差约 100 倍",
         "目标值和当前值请都按百分点填写（如 {example_target} 和 {example_current}），单元格用常规格式"),
    Code("percent-out-of-range", E, "完成率超范围", "自评完成率“{value}”不在 0%–100% 之间",
         "请填 0%–100% 之间的百分数（如 85%）"),
    Code("bad-direction", E, "指标方向无效", "指标方向“{value}”不是可选值",
         "请从下拉列表中选择：越高越好、不超过、定性"),
    Code("default-direction", W, "未选指标方向", "“指标方向”为空，已按“越高越好”计算完成率",
         "请从下拉列表中选择指标方向：越高越好、不超过、定性"),
    Code("zero-target", W, "目标值为 0", "目标值为 0，无法计算完成率，本期不计该指标完成率",
         "请核对目标值；目标确为 0 的（如“事故数为 0”），请将指标方向选为“定性”并填写自评完成率"),
    Code("pending-value", W, "待核算", "当前值为“{value}”，本期不计算该指标完成率",
         "核算后请在下期报送实际数值"),
    Code("current-without-target", E, "缺目标值", "填了当前值 {current}，但没有目标值",
         "请补填目标值；无量化目标的请将指标方向选为“定性”并填写自评完成率"),
    Code("target-changed", W, "目标值被改", "目标值由下发的 {issued} 改为 {found}",
         "如确需调整目标，请在“存在问题与下步计划”中说明理由"),
    Code("current-100x-target", W, "疑似单位错误", "当前值 {current} 是目标值 {target} 的 {ratio} 倍，可能计量单位不一致",
         "请核对当前值与目标值是否使用同一计量单位（如 万元 与 亿元）"),
    Code("missing-item", E, "未填细化项目", "本单位牵头的任务 {task_id} 未填写任何细化项目",
         "牵头单位须填写细化项目及进展情况"),
    Code("indicator-without-item", E, "指标无所属项目", "填了指标“{indicator}”，但本任务中它的上方没有细化项目",
         "请在本行“细化项目”中填写该指标所属的细化项目"),
    Code("missing-self-rate", W, "缺自评完成率", "定性指标未填写自评完成率，本期不计算其完成率",
         "请填写自评完成率（0%–100%）"),
    Code("text-too-long", E, "文字过长", "“{label}”共 {length} 字，超过上限 {limit} 字",
         "请精简到 {limit} 字以内"),
    Code("control-characters", W, "含控制字符", "“{label}”含不可见的控制字符，已删除",
         "请检查该单元格内容（常见于从网页或其他系统复制的文字）"),
    Code("merged-cells", E, "合并了填报单元格", "填报区的单元格 {range} 被合并，合并后只有左上角的内容会被读取",
         "请取消合并（开始→合并后居中→取消单元格合并），在每一行分别填写"),
    Code("formula-in-entry", W, "填了公式", "“{label}”填的是公式，已按其计算结果 {value} 读取",
         "请直接填写数值，不要填公式"),
    Code("formula-without-value", E, "公式无结果", "“{label}”填的是公式“{formula}”，文件中没有其计算结果",
         "请直接填写数值，不要填公式"),
    Code("filled-copy", E, "填在了副本中",
         "内容填在了复制出来的工作表“{copy}”中，“填报”表是空的：副本的内容不会被读取",
         "请把内容填回“填报”工作表（或删除空的“填报”表、把“{copy}”改名为“填报”）后重新报送"),
    Code("extra-sheet", W, "多出工作表", "工作簿中多出工作表“{name}”，其内容不会被读取",
         "需要说明的情况请写入“填报”表的“存在问题与下步计划”；多余的工作表可删除"),
    Code("outside-entry-area", W, "填在填报区外", "在填报区以外的单元格填了“{value}”，这里的内容不会被读取{more}",
         "请把内容填到对应行的填报列中（说明文字写入“存在问题与下步计划”），不要新增列"),
    Code("locked-cell-edited", W, "锁定内容被改", "锁定的“{label}”被改为“{value}”（下发时为“{expected}”），改动不会被读取",
         "如责任单位确有变化，请在“存在问题与下步计划”中说明并告知督查室；表中请恢复原内容"),
    Code("empty-return", W, "未填写内容", "报送的表格没有填写任何内容（没有细化项目、指标数值或亮点问题）",
         "如本期确无进展可报，可不作处理；否则请填写后重新报送"),
    # --- file level, after merging ------------------------------------------------------------------
    Code("duplicate-superseded", W, "已被新文件替代", "本单位另有更新的报送文件“{newer}”，本文件不再采用（{basis}）",
         "无需处理；如应以本文件为准，请重新报送该文件"),
    Code("newest-times-disagree", W, "新旧判断有疑问",
         "按收到时间本文件（{received}）比“{other}”（{other_received}）新，已采用本文件；但“{other}”的工作簿保存时间"
         "（{other_saved}）晚于本文件（{saved}）",
         "请向报送单位确认以哪个文件为准；如应以“{other}”为准，请删除或移走本文件后重新收集"),
    Code("older-return-used", W, "暂用较早文件", "本文件被退回，已暂用较早的合格文件“{older}”的数据",
         "请按问题清单修改本文件后重新报送；修改后的文件合格时将以其数据为准"),
)

CODES: dict[str, Code] = {c.code: c for c in _CODES}



def __getattr__(name: str):
    # STRUCTURAL_ORDER: the codes of the structural checks in the order collect runs them (it stops at the
    # first failure); docs/problem-codes.md lists them in this order. Derived from the check tuple itself
    # (collecting/checks), imported on first use because those checks build their Problems here.
    if name == "STRUCTURAL_ORDER":
        from ..collecting.checks import STRUCTURAL_ORDER

        return STRUCTURAL_ORDER
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Default(dict):
    def __missing__(self, key):  # a template field left out shows as blank, never a KeyError
        return ""


def problem(code: str, *, file: str = "", sheet: str = "", cell: str = "", unit: str = "",
            **params) -> Problem:
    """A Problem of `code`, its message and suggestion filled from `params`."""
    c = CODES[code]
    p = _Default({k: _show(v) for k, v in params.items()})
    return Problem(code=code, level=c.level, message=c.message.format_map(p),
                   suggestion=c.suggestion.format_map(p), file=file, sheet=sheet, cell=cell, unit=unit)


def _show(v) -> str:
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e15 else repr(v)
    s = "" if v is None else str(v)
    return s if len(s) <= 60 else s[:57] + "…"
