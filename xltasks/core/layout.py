"""Layout facts of our own workbooks, shared by the stage that writes them and the one that reads them back.

`templates` writes the per-unit fill-in workbooks with these sheet names, columns and meta keys;
`collect` identifies and reads returned files by them. Change them only together with SCHEMA_VERSION.
The 完成情况汇编's sheets, columns and rows (at the end) are shared by its writer and the old-汇编 reader.
"""
from __future__ import annotations

from dataclasses import dataclass

from .cells import column_letter

# 2: the 完成率 formula scores a line with neither target nor current by its 自评完成率 (rates.py).
SCHEMA_VERSION = "2"
ACCEPTED_SCHEMA_VERSIONS = ("2",)

# The list of the templates issued, beside them in the output folder.
DISTRIBUTION_LIST = "分发清单.xlsx"

# Sheet names of a fill-in template.
SHEET_INSTRUCTIONS = "填报说明"
SHEET_ENTRY = "填报"
SHEET_META = "_meta"

# Rows of the 填报 sheet (1-based, as Excel shows them).
TITLE_ROW = 1
INFO_ROW = 2
HEADER_ROW = 3
FIRST_ENTRY_ROW = 4
DEFAULT_ROWS_PER_TASK = 6


@dataclass(frozen=True)
class Column:
    """One column of the 填报 sheet: its key, printed label, width and role."""

    key: str
    label: str
    width: float
    entry: bool  # unlocked for the unit to fill in
    task_level: bool = False  # filled once per task block (on its first row)


# The 填报 sheet's columns, in order. Labels are the contract with collect (matched exactly).
COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", 5, False),
    Column("task_id", "任务编号", 9, False),
    Column("task_text", "任务", 40, False),
    Column("units", "责任单位", 18, False),
    Column("role", "本单位角色", 7, False),
    Column("item", "细化项目", 30, True),
    Column("indicator", "指标名称", 18, True),
    Column("measure_unit", "计量单位", 8, True),
    Column("target", "目标值", 10, True),
    Column("current", "当前值", 10, True),
    Column("direction", "指标方向", 9, True),
    Column("self_rate", "自评完成率", 9, True),
    Column("rate", "完成率", 9, False),
    Column("highlights", "主要亮点", 36, True, task_level=True),
    Column("problems", "存在问题与下步计划", 36, True, task_level=True),
    Column("note", "说明", 22, False),
    # Hidden and locked: the row's place as issued. A sort (after unprotecting) moves it with the row, so collect
    # reads every block in its issued order and knows each row's block, whatever order the rows are in now.
    Column("row_key", "行号", 6, False),
)
HIDDEN_COLUMNS = ("row_key",)
# 完成时限, shown right of 说明 only in a unit's workbook whose tasks have deadlines: every other column keeps
# its letter, and collect, which reads columns by label, needs it not (it is the office's, not the unit's).
DEADLINE_COLUMN = Column("deadline", "完成时限", 12, False, task_level=True)


def entry_columns(with_deadline: bool) -> tuple[Column, ...]:
    """The 填报 sheet's columns: COLUMNS, and 完成时限 after them when the unit's tasks have deadlines."""
    return COLUMNS + (DEADLINE_COLUMN,) if with_deadline else COLUMNS


COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}  # 0-based
DEADLINE_INDEX = len(COLUMNS)
HEADER_LABELS = tuple(c.label for c in COLUMNS)
LABELS = {c.key: c.label for c in COLUMNS}  # column key → header label
REQUIRED_LABELS = ("任务编号", "细化项目", "指标名称", "计量单位", "目标值", "当前值", "指标方向",
                   "自评完成率", "完成率", "主要亮点", "存在问题与下步计划")


def col_letter(key: str) -> str:
    return column_letter(COLUMN_INDEX[key])


def cell_ref(key: str, row: int) -> str:
    """A1 reference of column `key` on 1-based `row`."""
    return f"{col_letter(key)}{row}"


# Text limits enforced by data validation and checked again by collect.
MAX_ITEM_LEN = 500
MAX_INDICATOR_LEN = 100
MAX_MEASURE_UNIT_LEN = 20
MAX_NARRATIVE_LEN = 2000
# Column key → its text limit, in sheet order (the columns people type free text into).
TEXT_LIMITS = {"item": MAX_ITEM_LEN, "indicator": MAX_INDICATOR_LEN, "measure_unit": MAX_MEASURE_UNIT_LEN,
               "highlights": MAX_NARRATIVE_LEN, "problems": MAX_NARRATIVE_LEN}

# Marks for a proposed indicator (found in the task text) and a previous period's values.
NOTE_PROPOSED = "系统建议指标，可修改或删除"
NOTE_PREVIOUS = "上期值：{value}"

# Pending markers accepted in 当前值 (a value not known yet is not 0).
PENDING_MARKERS = ("待年底核算", "待核算", "待统计", "待定", "年底核算")


def pending_marker(text: str | None) -> str | None:
    """The first of PENDING_MARKERS that a 当前值's text contains ("0（待年底核算）" → "待年底核算"), compared
    by the matching key (full-width forms and spaces do not matter); None when the value is not pending.
    The one test of "is pending" for a cell's text; a ProgressRow's is rates.is_pending."""
    from .textkeys import squash

    key = squash(text)
    return next((m for m in PENDING_MARKERS if m in key), None) if key else None

# Keys of the hidden _meta sheet (column A key, column B value).
META_TEMPLATE_ID = "template_id"
META_SCHEMA_VERSION = "schema_version"
META_UNIT = "unit"
META_PERIOD = "period"
META_TASK_IDS = "task_ids"  # comma-separated, in sheet order
META_TASK_ROWS = "task_rows"  # "4.26:4-9;4.27:10-15" (1-based, inclusive)
META_GENERATED_AT = "generated_at"
META_DEADLINE = "deadline"
META_REGISTER_SHA256 = "register_sha256"  # of the register file given to `templates` (for the record)
META_REGISTER_DIGEST = "register_digest"  # register_io.register_digest: collect and compile compare it
META_GENERATOR = "generator"
META_KEYS = (META_TEMPLATE_ID, META_SCHEMA_VERSION, META_UNIT, META_PERIOD, META_TASK_IDS, META_TASK_ROWS,
             META_GENERATED_AT, META_DEADLINE, META_REGISTER_SHA256, META_GENERATOR, META_REGISTER_DIGEST)
GENERATOR = "xltasks"


def format_task_rows(blocks: list[tuple[str, int, int]]) -> str:
    return ";".join(f"{tid}:{first}-{last}" for tid, first, last in blocks)


def parse_task_rows(value: str) -> list[tuple[str, int, int]]:
    """Inverse of format_task_rows; raises ValueError on a malformed value."""
    blocks = []
    for part in filter(None, (value or "").split(";")):
        tid, _, span = part.rpartition(":")
        first, _, last = span.partition("-")
        blocks.append((tid, int(first), int(last)))
    return blocks


_QUARTERS = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}
_HALVES = {"1": "上半年", "2": "下半年"}


def date_label(value) -> str:
    """A date as Chinese documents write it: 2021-10-15 → "2021年10月15日"; other text unchanged."""
    import datetime as dt
    import re

    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(value or "").strip())
    return f"{m[1]}年{int(m[2])}月{int(m[3])}日" if m else str(value or "")


def parse_period(period: str) -> tuple[int, str, int] | None:
    """(year, kind, number) of a period written 2021Q3 (kind "Q"), 2021H1 ("H"), 2021M09 or 2021-09 ("M"), or
    2021 ("Y", 0); None for anything else (2021Q5, 2021H3, 2021-13, 0000Q1, 三季度). The one reader of period
    names: labels, date spans and the CLI's period option all go through it."""
    import re

    m = re.fullmatch(r"(\d{4})(?:([QqHh])([1-4])|[-Mm](\d{1,2}))?", (period or "").strip())
    if not m:
        return None
    year, kind, n, month = int(m[1]), m[2], m[3], m[4]
    if year < 1:  # "0000": no calendar has it, and its dates (period_span) would not exist
        return None
    if kind:
        kind = kind.upper()
        return (year, kind, int(n)) if kind == "Q" or n in _HALVES else None
    if month:
        return (year, "M", int(month)) if 1 <= int(month) <= 12 else None
    return year, "Y", 0


def same_period(a: str, b: str) -> bool:
    """Whether two period names mean one period: 2021M07 and 2021-07, 2021q3 and 2021Q3, ２０２１Q3 and 2021Q3
    are one; names parse_period does not read compare as text, width, spaces and case aside. The one test
    of "same period" (a returned template's against the collected one, a workspace's period by name)."""
    from .textkeys import squash

    a, b = squash(a).upper(), squash(b).upper()
    pa, pb = parse_period(a), parse_period(b)
    if pa is not None and pb is not None:
        return pa == pb
    return a == b


def period_label(period: str) -> str:
    """The period as people write it: "2021Q3" → "2021年第三季度", "2021H1" → "2021年上半年", "2021" → "2021年",
    "2021-09"/"2021M09" → "2021年9月"; anything else is returned unchanged (it is already someone's wording)."""
    parsed = parse_period(period)
    if parsed is None:
        return period
    year, kind, n = parsed
    if kind == "Q":
        return f"{year}年{_QUARTERS[str(n)]}"
    if kind == "H":
        return f"{year}年{_HALVES[str(n)]}"
    if kind == "M":
        return f"{year}年{n}月"
    return f"{year}年"


def period_span(period: str):
    """(first day, last day) of a period written as period_label reads it ("2021Q3" → 2021-07-01..2021-09-30,
    "2021H1", "2021", "2021-09"/"2021M09"); None when the text is no such period."""
    import calendar
    import datetime as dt

    parsed = parse_period(period)
    if parsed is None:
        return None
    year, kind, n = parsed
    first, last = {"Q": (3 * n - 2, 3 * n), "H": (6 * n - 5, 6 * n), "M": (n, n), "Y": (1, 12)}[kind]
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


# ---------------------------------------------------------------------------------------------------
# The 完成情况汇编 (compiling/writer.py writes it; compiling/reader.py reads an old one, ours or seed 002's,
# back). 0-based rows and columns, as xlsxwriter counts.
# ---------------------------------------------------------------------------------------------------

SHEET_COMPILATION = "汇编"
SHEET_SUMMARY = "汇总"
SHEET_LEGEND = "图例"

# Visible columns: (top header, sub header, width). A top header spanning several columns is given on
# its first column and "" on the others; a sub header of None means the top header spans both rows.
COMPILATION_COLUMNS = (
    ("序号", None, 5), ("重点工作", "任务说明", 30), ("", "完成率", 9), ("细化项目", "任务说明", 32),
    ("", "完成率", 9), ("量化指标", "指标名称", 16), ("", "数值及单位", 11), ("", "当前值", 11),
    ("", "完成率", 9), ("责任单位", None, 14), ("主要亮点", None, 46), ("存在问题与下步计划", None, 40),
)
(COL_NO, COL_TASK, COL_TASK_RATE, COL_ITEM, COL_ITEM_RATE, COL_IND, COL_TARGET, COL_CURRENT, COL_RATE,
 COL_UNITS, COL_HIGHLIGHTS, COL_PROBLEMS) = range(12)
# Hidden helper columns, right of the printed table.
COMPILATION_HELPERS = ("计分完成率", "任务状态", "已报送", "板块", "牵头领导", "牵头单位", "自评完成率", "任务编号",
                       "报送单位")
(COL_SCORED, COL_STATUS, COL_REPORTED, COL_SECTION_KEY, COL_LEADER_KEY, COL_UNIT_KEY, COL_SELF,
 COL_TASK_ID, COL_ROW_UNIT) = range(12, 12 + len(COMPILATION_HELPERS))
LAST_VISIBLE_COL = COL_PROBLEMS

(COMPILATION_TITLE_ROW, COMPILATION_INFO_ROW, COMPILATION_HEAD1_ROW, COMPILATION_HEAD2_ROW,
 COMPILATION_FIRST_ROW) = range(5)
# The one cell holding the expected progress (序时进度), the as-of date and the deadline.
EXPECTED_REF = f"${column_letter(COL_RATE + 1)}${COMPILATION_INFO_ROW + 1}"  # $J$2
AS_OF_REF = f"${column_letter(COL_TARGET)}${COMPILATION_INFO_ROW + 1}"  # $G$2 (merged G2:H2)
DEADLINE_REF = f"${column_letter(COL_PROBLEMS)}${COMPILATION_INFO_ROW + 1}"  # $L$2
