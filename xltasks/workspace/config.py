"""xltasks.toml: what a workspace is about (title, year, office, periods, rules, register, units directory).

Read with the standard library's tomllib; written by the small writer below (the file holds only strings,
integers, dates and one array of tables, so a general TOML writer would be a dependency for nothing). A person
may edit the file in Notepad: `load_config` checks every value and names the file and key of a bad one.

    title = "2021年政府工作报告重点工作督查"
    year = 2021
    cadence = "quarter"            # quarter | month | half
    office = "市政府督查室"
    contact = "督查室 张三 0571-12345678"
    rules = "default"              # a built-in rule set, or a .toml file relative to the workspace
    register = "register.xlsx"
    directory = ""                 # units.xlsx, when the office keeps one
    bulletin_template = "督查通报模板.docx"   # the 通报's Word template, copied here by init to be edited

    [[periods]]
    name = "2021Q1"
    as_of = 2021-03-31             # 截至: the 汇编's date, 序时进度 counted to it
    deadline = 2021-04-10          # 报送截止: a return received later is 逾期报送
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import XltasksError
from ..core.layout import same_period
from .discover import CONFIG_NAME

CADENCES = {"quarter": "按季度", "month": "按月", "half": "按半年"}
DEADLINE_DAYS = 10  # default 报送截止: ten days after the period ends (三季度 → 10月10日)


@dataclass(frozen=True)
class Period:
    name: str  # "2021Q3", "2021H1", "2021-09"
    as_of: dt.date
    deadline: dt.date

    @property
    def label(self) -> str:
        from ..core.layout import period_label

        return period_label(self.name)


@dataclass
class Config:
    title: str
    year: int
    cadence: str = "quarter"
    office: str = ""
    contact: str = ""
    rules: str = "default"
    register: str = "register.xlsx"
    directory: str = ""
    bulletin_template: str = ""
    periods: list[Period] = field(default_factory=list)

    def period(self, name: str) -> Period:
        wanted = (name or "").strip()
        for p in self.periods:  # 2021-07 and 2021M07 name one period
            if same_period(p.name, wanted):
                return p
        known = "、".join(p.name for p in self.periods)
        raise XltasksError(f"工作区没有期次“{wanted}”（已设置：{known}）；请检查期次名称或在 {CONFIG_NAME} 中添加",
                           file=CONFIG_NAME)

    def earlier(self, name: str) -> list[Period]:
        """The periods before `name`, oldest first."""
        index = self.periods.index(self.period(name))
        return self.periods[:index]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def default_periods(year: int, cadence: str) -> list[Period]:
    """The year's periods for a cadence; each as-of date is the period's last day, the deadline ten days on."""
    if cadence == "quarter":
        ends = [(f"{year}Q{q}", _month_end(year, 3 * q)) for q in range(1, 5)]
    elif cadence == "half":
        ends = [(f"{year}H1", _month_end(year, 6)), (f"{year}H2", _month_end(year, 12))]
    elif cadence == "month":
        ends = [(f"{year}-{m:02d}", _month_end(year, m)) for m in range(1, 13)]
    else:
        raise XltasksError(f"报送周期应为 {'、'.join(CADENCES)} 之一（收到 {cadence!r}）")
    return [Period(name, end, end + dt.timedelta(days=DEADLINE_DAYS)) for name, end in ends]


def new_config(title: str, year: int, cadence: str = "quarter", *, office: str = "", contact: str = "",
               rules: str = "default") -> Config:
    return Config(title=title, year=year, cadence=cadence, office=office, contact=contact, rules=rules,
                  periods=default_periods(year, cadence))


_STRING_KEYS = ("title", "cadence", "office", "contact", "rules", "register", "directory", "bulletin_template")


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise XltasksError(f"设置文件格式有误（{exc}）", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise XltasksError(f"无法读取设置文件（{exc}）", file=str(path)) from None
    for key in _STRING_KEYS:
        if key in data and not isinstance(data[key], str):
            raise XltasksError(f"{key} 应为带引号的文字", file=str(path), where=key)
    year = data.get("year")
    if not isinstance(year, int) or not 1900 < year < 3000:
        raise XltasksError("year 应为年份，如 2021", file=str(path), where="year")
    if "title" not in data:
        raise XltasksError("缺少 title（督查工作的标题）", file=str(path), where="title")
    cadence = data.get("cadence", "quarter")
    if cadence not in CADENCES:
        raise XltasksError(f"cadence 应为 {'、'.join(CADENCES)} 之一", file=str(path), where="cadence")
    periods = []
    for i, entry in enumerate(data.get("periods", []), start=1):
        where = f"periods 第 {i} 项"
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not re.fullmatch(r"[0-9A-Za-z_-]{1,20}", name):
            raise XltasksError("name 应为期次名称，如 2021Q3", file=str(path), where=where)
        dates = [entry.get(k) for k in ("as_of", "deadline")]
        if not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in dates):
            raise XltasksError("as_of 与 deadline 应为日期，如 2021-09-30（不加引号）", file=str(path), where=where)
        if any(same_period(p.name, name) for p in periods):
            raise XltasksError(f"期次 {name} 重复", file=str(path), where=where)
        periods.append(Period(name, *dates))
    if not periods:
        periods = default_periods(year, cadence)
    return Config(title=data["title"], year=year, cadence=cadence, periods=periods,
                  **{k: data[k] for k in _STRING_KEYS if k in data and k not in ("title", "cadence")})


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


_COMMENTS = {
    "title": "督查工作的标题（印在通报上）",
    "year": "年度",
    "cadence": "报送周期：quarter（季度）、month（月）、half（半年）",
    "office": "督查机构名称（印在通报落款）",
    "contact": "联系人与电话（印在填报说明和通知中）",
    "rules": "着色规则：default、ouhai、yichang、suqian，或工作区内的 .toml 文件",
    "register": "任务台账（xltasks import 写出）",
    "directory": "单位名录 units.xlsx（可选）",
    "bulletin_template": "督查通报的 Word 模板（可用 Word/WPS 修改文字，{{ }} 内为自动填入的数字）",
}


def dump_config(config: Config) -> str:
    """The TOML text of a config, with a Chinese comment on each key for the person who edits it."""
    lines = ["# xltasks 工作区设置。可用记事本修改；日期写作 2021-09-30（不加引号）。", ""]
    for key in _COMMENTS:
        value = getattr(config, key)
        text = str(value) if isinstance(value, int) else _toml_string(value)
        lines.append(f"{key} = {text}  # {_COMMENTS[key]}")
    lines += ["", "# 各期次：as_of 为截至日期（汇编的日期，序时进度算到这一天），deadline 为报送截止日期", ""]
    for p in config.periods:
        lines += ["[[periods]]", f"name = {_toml_string(p.name)}", f"as_of = {p.as_of.isoformat()}",
                  f"deadline = {p.deadline.isoformat()}", ""]
    return "\n".join(lines)
