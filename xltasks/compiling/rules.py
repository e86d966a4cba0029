"""Highlighting rule sets of the 汇编 (着色规则): configuration, not code.

A rule set is a TOML file (see xltasks/rulesets/*.toml, each commented): how the expected progress
(序时进度) is counted, what counts as 超序时, what a pending value counts as, and an ordered list of
highlight rules (first match wins), each a condition from a fixed vocabulary with its colours.
Built-in sets can be named instead of a path: default, ouhai (瓯海), yichang (宜昌), suqian (宿迁).
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..core import rates
from ..core.errors import InputError
from ..core.statuses import TaskStatus

RULESETS_DIR = Path(__file__).parent / "rulesets"
BUILTIN = {"default": "default.toml", "ouhai": "ouhai.toml", "瓯海": "ouhai.toml",
           "yichang": "yichang.toml", "宜昌": "yichang.toml", "suqian": "suqian.toml", "宿迁": "suqian.toml"}

# Conditions a highlight rule may use, with the Chinese wording shown in the 图例 sheet.
# "task only" conditions need the task's reported flag, so they colour task cells only.
CONDITIONS = {
    "done": "完成率达到 100%（已完成）",
    "ahead": "完成率超过序时进度（超序时）",
    "on_time": "完成率达到序时进度但未超过（达序时）",
    "on_schedule": "完成率不低于序时进度（含已完成、超序时、达序时）",
    "behind": "完成率低于序时进度（滞后）",
    "lagging": "完成率低于序时进度超过 {margin}（明显滞后）",
    "deadline_near": "距截止日期不足 {days} 天且尚未完成（临近截止）",
    "overdue": "已过截止日期仍未完成（逾期）",
    "no_rate": "已报送但无法计算完成率（数值均待核算或未自评）（无完成率）",
    "not_reported": "未报送（无已接收的报送表）",
}
TASK_ONLY = {"no_rate", "not_reported"}
# The conditions that are a test of the task status (rates.classify), with the statuses they accept;
# RuleSet.matches is their Python side, compile's conditional formats their Excel side.
STATUSES_OF = {
    "done": (TaskStatus.DONE,),
    "ahead": (TaskStatus.AHEAD,),
    "on_time": (TaskStatus.ON_TIME,),
    "on_schedule": (TaskStatus.DONE, TaskStatus.AHEAD, TaskStatus.ON_TIME),
    "behind": (TaskStatus.BEHIND,),
    "no_rate": (TaskStatus.NO_RATE,),
    "not_reported": (TaskStatus.NOT_REPORTED,),
}
PROGRESS_MODES = ("months", "days")
PENDING_POLICIES = ("exclude", "zero")
TARGETS = ("task", "item", "indicator")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass
class Highlight:
    when: str  # a key of CONDITIONS
    label: str  # short Chinese name shown in the legend ("滞后")
    fill: str = ""  # background colour "#RRGGBB", "" for none
    font: str = ""  # font colour
    bold: bool = False
    description: str = ""  # legend text; defaults to the condition's wording

    def format_props(self) -> dict:
        """The xlsxwriter format properties of this colour (the 汇编's cells and the 图例 swatches)."""
        props: dict = {}
        if self.fill:
            props["bg_color"] = self.fill
        if self.font:
            props["font_color"] = self.font
        if self.bold:
            props["bold"] = True
        return props

    def legend_text(self, rules: "RuleSet") -> str:
        if self.description:
            return self.description
        return CONDITIONS[self.when].format(margin=f"{rules.lag_margin:.0%}", days=rules.deadline_near_days)


@dataclass
class RuleSet:
    name: str = "默认"
    description: str = ""
    progress_mode: str = "months"  # 序时进度: months (Q3 end = 75%) or days (share of days elapsed)
    on_time_band: float = 0.0  # 超序时 needs rate >= expected + band (0: any rate above expected)
    pending: str = "exclude"  # a pending value: exclude (left out of the mean) or zero (counts as 0)
    deadline: str = "12-31"  # deadline of an annual task, MM-DD of the as-of year
    deadline_near_days: int = 30
    lag_margin: float = 0.10  # "lagging": more than this under the expected progress
    apply_to: tuple[str, ...] = ("task", "item")  # which rate cells are coloured
    highlights: list[Highlight] = field(default_factory=list)
    source: str = ""  # file the rules came from

    @property
    def pending_as_zero(self) -> bool:
        return self.pending == "zero"

    def expected(self, as_of: dt.date) -> float:
        if self.progress_mode == "days":
            return rates.expected_progress(as_of, start=dt.date(as_of.year, 1, 1), end=self.deadline_date(as_of))
        return rates.expected_progress(as_of)

    def deadline_date(self, as_of: dt.date) -> dt.date:
        month, day = (int(x) for x in self.deadline.split("-"))
        return dt.date(as_of.year, month, day)

    def matches(self, when: str, rate, expected: float, as_of: dt.date, *, reported: bool = True) -> bool:
        """Python side of the condition `when` (the conditional formats are its Excel side)."""
        if when in STATUSES_OF:
            status = rates.classify(rate, expected, reported=reported, on_time_band=self.on_time_band)
            return status in STATUSES_OF[when]
        if when == "lagging":
            return reported and rates.below_margin(rate, expected, self.lag_margin)
        left = (self.deadline_date(as_of) - as_of).days
        if when == "deadline_near":
            return reported and rate is not None and rates.compared(rate) < 1 and 0 <= left <= self.deadline_near_days
        if when == "overdue":
            return reported and rate is not None and rates.compared(rate) < 1 and left < 0
        raise ValueError(when)

    def first_match(self, rate, expected: float, as_of: dt.date, *, reported: bool = True,
                    level: str = "task") -> Highlight | None:
        for h in self.highlights:
            if level != "task" and h.when in TASK_ONLY:
                continue
            if self.matches(h.when, rate, expected, as_of, reported=reported):
                return h
        return None


def load_rules(path: str | Path | None = None) -> RuleSet:
    """A rule set from a TOML file, or a built-in one by name (None: the default set)."""
    if path is None:
        path = "default"
    key = str(path)
    file = RULESETS_DIR / BUILTIN[key] if key in BUILTIN else Path(path)
    if not file.exists():
        raise InputError(f"规则文件不存在（内置规则: {', '.join(sorted(k for k in BUILTIN if k.isascii()))}）",
                           file=str(file))
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"规则文件格式错误: {exc}", file=str(file))
    return rules_from_dict(data, source=str(file))


def rules_from_dict(data: dict, *, source: str = "") -> RuleSet:
    def bad(msg: str, where: str):
        raise InputError(msg, file=source, where=where)

    known = {"name", "description", "progress", "highlight", "apply_to"}
    for k in data:
        if k not in known:
            bad(f"未知的设置项“{k}”（可用: {', '.join(sorted(known))}）", k)
    progress = data.get("progress", {})
    if not isinstance(progress, dict):
        bad("progress 应为表 [progress]", "progress")
    rs = RuleSet(name=str(data.get("name", "默认")), description=str(data.get("description", "")), source=source)
    fields_ = {"mode": "progress_mode", "on_time_band": "on_time_band", "pending": "pending",
               "deadline": "deadline", "deadline_near_days": "deadline_near_days", "lag_margin": "lag_margin"}
    for k, v in progress.items():
        if k not in fields_:
            bad(f"未知的设置项“{k}”（可用: {', '.join(fields_)}）", f"progress.{k}")
        setattr(rs, fields_[k], v)
    if rs.progress_mode not in PROGRESS_MODES:
        bad(f"mode 应为 {' 或 '.join(PROGRESS_MODES)}，而不是“{rs.progress_mode}”", "progress.mode")
    if rs.pending not in PENDING_POLICIES:
        bad(f"pending 应为 {' 或 '.join(PENDING_POLICIES)}，而不是“{rs.pending}”", "progress.pending")
    for k in ("on_time_band", "lag_margin"):
        v = getattr(rs, k)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v < 1:
            bad(f"{k} 应为 0 到 1 之间的小数（如 0.05 表示 5 个百分点）", f"progress.{k}")
        setattr(rs, k, float(v))
    if not isinstance(rs.deadline_near_days, int) or rs.deadline_near_days < 0:
        bad("deadline_near_days 应为非负整数（天数）", "progress.deadline_near_days")
    try:
        rs.deadline_date(dt.date(2021, 1, 1))  # a non-leap year: 02-29 is refused
    except (ValueError, AttributeError):
        bad(f"deadline 应为“月-日”，如 12-31，而不是“{rs.deadline}”", "progress.deadline")
    apply_to = data.get("apply_to", list(rs.apply_to))
    if not isinstance(apply_to, list) or any(a not in TARGETS for a in apply_to):
        bad(f"apply_to 应为 {TARGETS} 中的若干项", "apply_to")
    rs.apply_to = tuple(apply_to)
    highlights = data.get("highlight", [])
    if not isinstance(highlights, list):
        bad("highlight 应写作 [[highlight]] 表数组", "highlight")
    for i, h in enumerate(highlights, start=1):
        where = f"highlight[{i}]"
        if not isinstance(h, dict):
            bad("每条 [[highlight]] 应为表", where)
        extra = set(h) - {"when", "label", "fill", "font", "bold", "description"}
        if extra:
            bad(f"未知的设置项“{'、'.join(sorted(extra))}”", where)
        when = h.get("when")
        if when not in CONDITIONS:
            bad(f"when 应为 {', '.join(CONDITIONS)} 之一，而不是“{when}”", f"{where}.when")
        for k in ("fill", "font"):
            if h.get(k) and not _COLOUR.match(str(h[k])):
                bad(f"{k} 应为 #RRGGBB 形式的颜色，而不是“{h[k]}”", f"{where}.{k}")
        rs.highlights.append(Highlight(when=when, label=str(h.get("label") or when), fill=str(h.get("fill", "")),
                                       font=str(h.get("font", "")), bold=bool(h.get("bold", False)),
                                       description=str(h.get("description", ""))))
    return rs
