"""What a 完成情况汇编 (seed 002's layout) prints, as data (CompilationDoc → CompTask → CompItem →
CompIndicator), and how its cells read: the kind of a cell (number, percentage, value with unit, text),
its percentage and its value."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..core.layout import COL_NO, COL_TASK, COL_TASK_RATE, COMPILATION_COLUMNS, LAST_VISIBLE_COL
from ..core.models import Warning_
from ..core.textkeys import nfkc
from ..core.units import parse_units


N_COLS = LAST_VISIBLE_COL + 1  # the printed columns of the 汇编 (layout.COMPILATION_COLUMNS), the same as 002's
# Header words of the 汇编 (layout.COMPILATION_COLUMNS): 序号, 重点工作, and the second header row's 任务说明 / 完成率.
NO_HEAD, TASK_HEAD = COMPILATION_COLUMNS[COL_NO][0], COMPILATION_COLUMNS[COL_TASK][0]
TEXT_HEAD2, RATE_HEAD2 = COMPILATION_COLUMNS[COL_TASK][1], COMPILATION_COLUMNS[COL_TASK_RATE][1]

# ---------------------------------------------------------------------------------------------
# What 002 printed
# ---------------------------------------------------------------------------------------------


@dataclass
class CompIndicator:
    name: str
    target_text: str
    current_text: str
    rate_printed: float | None  # fraction as printed (0.6876), None when missing
    target: float | None = None
    target_unit: str = ""
    current: float | None = None
    current_unit: str = ""
    pending: bool = False  # "0（待年底核算）": the value is not known yet
    line: int = 0


@dataclass
class CompItem:
    """A 细化项目 as printed, with the indicators the printed rates place under it."""

    text: str
    rate_printed: float | None
    indicators: list[CompIndicator] = field(default_factory=list)
    line: int = 0


@dataclass
class CompTask:
    section_no: int  # 1-based ordinal of the section in the document
    section: str
    group: str
    no: str  # 序号 as printed
    text: str
    rate_printed: float | None
    unit_text: str = ""  # 责任单位 as printed
    highlights: str = ""
    problems: str = ""
    items: list[CompItem] = field(default_factory=list)
    line: int = 0
    issues: list[str] = field(default_factory=list)  # why the block was not read completely
    consistent: bool = True  # every 细化项目's printed rate explained by its indicators

    @property
    def complete(self) -> bool:
        return not self.issues

    @property
    def lead_unit(self) -> str:
        if not self.unit_text:
            return ""
        ul = parse_units(self.unit_text)
        return ul.units[0] if ul.units else self.unit_text.strip()


@dataclass
class CompilationDoc:
    path: str
    sha256: str
    sections: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    tasks: list[CompTask] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Cell kinds
# ---------------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_PARA_BREAK = re.compile(r"</p>\s*<p[^>]*>|<br\s*/?>", re.I)
_PCT = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*[%％]$")
_NUM = re.compile(r"^([-+]?\d[\d,]*(?:\.\d+)?)\s*(.*)$", re.S)
INT_RE = re.compile(r"^\d{1,4}\*?$")
SECTION_RE = re.compile(r"^[一二三四五六七八九十]+、")
GROUP_RE = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]")
_PENDING = re.compile(r"待.{0,6}(核算|公布|统计|确定|发布)|年底(核算|公布|统计)|暂无数据|尚未(公布|统计)")
_SENTENCE = re.compile(r"[。；;：:]|\d\.\D")  # a sentence or a numbered list, not a value
MAX_VALUE_LEN = 24  # "14个区 (县、市、功能区)": a value cell is short and starts with a number

K_EMPTY, K_PCT, K_VALUE, K_TEXT = "E", "P", "V", "T"


def clean_cell(value: str) -> str:
    """HTML tags removed (paragraphs become line breaks), entities decoded, whitespace trimmed."""
    if not value:
        return ""
    s = _PARA_BREAK.sub("\n", value)
    s = html.unescape(_TAG.sub("", s))
    s = "\n".join(line.strip() for line in s.splitlines())
    return s.strip()


def paragraphs(value: str) -> list[str]:
    """The <p> paragraphs of a raw cell (one element when it has none)."""
    parts = [clean_cell(p) for p in re.split(r"</p>", value, flags=re.I)]
    parts = [p for p in parts if p]
    return parts or [clean_cell(value)]


def kind(cell: str) -> str:
    if not cell:
        return K_EMPTY
    if _PCT.match(cell):
        return K_PCT
    if len(cell) <= MAX_VALUE_LEN and not _SENTENCE.search(cell) and (_NUM.match(cell) or _PENDING.search(cell)):
        return K_VALUE
    return K_TEXT


def parse_pct(cell: str) -> float | None:
    m = _PCT.match(cell or "")
    return float(m.group(1)) / 100 if m else None


def parse_value(cell: str) -> tuple[float | None, str, bool]:
    """(number, unit, pending) of a printed value: "121万头" → (121, "万头"); "3.50%" → (3.5, "%");
    "0（待年底核算）" → (None, "", True): a pending marker is not a measured 0."""
    s = nfkc(cell).strip()
    pending = bool(_PENDING.search(s))
    if pending:
        return None, "", True
    m = _NUM.match(s)
    if not m:
        return None, "", False
    try:
        number = float(m.group(1).replace(",", ""))
    except ValueError:
        return None, "", False
    unit = m.group(2).strip()
    return number, unit, False
