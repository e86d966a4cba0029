"""Read a 完成情况汇编 in seed 002's layout back in, match it to a register, turn it into Progress.

The layout (12 columns): 序号 · 重点工作 任务说明/完成率 · 细化项目 任务说明/完成率 · 量化指标 指标名称/
数值及单位/当前值/完成率 · 责任单位 · 主要亮点 · 存在问题与下步计划. In the text form (002) the merged cells
are lost: a continuation row has fewer leading empty cells than its place in the table, page breaks repeat
the header (sometimes in the middle of a task), and the merged 细化项目 cells are emitted one per row
regardless of which indicator rows they spanned. So a row is read by the *kind* of its cells, not by
their position:

* right to left, the last four non-empty cells "name, value, value, percentage" are an indicator;
* what is left is the 细化项目 (a text and/or a percentage, in either order), preceded on a task's
  first row by 序号 / 任务说明 / 完成率, or by a task-text continuation after a page break;
* text in columns J–L is the 责任单位 (first row) or a continuation of 亮点 / 问题.

Which 细化项目 an indicator belongs to is then settled per task by the printed rates: the indicators
(in printed order) are split into consecutive groups, one per 细化项目, so that each group's mean of
capped rates is closest to the 细化项目's printed rate (002's hand rounding tolerated), ties broken by
the row position. The same reader takes the .xlsx form (merged cells: the value is in the top-left
cell; numbers with their unit in the number format) by rendering each cell as the text 002 shows.
"""
from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..core import rates
from ..core.errors import InputError
from ..core.layout import COL_NO, COL_TASK, COL_TASK_RATE, COMPILATION_COLUMNS, LAST_VISIBLE_COL
from ..core.grids import GridLimits
from ..core.fileio import decode_text, sha256_file
from ..core.models import (DIRECTION_HIGHER, DIRECTION_QUALITATIVE, DIRECTION_UPPER, ROLE_LEAD, Progress,
                     ProgressRow, Provenance, Register, Task, Warning_)
from ..core.units import parse_units
from ..core.textkeys import nfkc, squash

# An 汇编 is measured before calamine reads it (core/grids.py): a province's has ~60,000 rows and 21 columns.
XLSX_LIMITS = GridLimits(200_000, 64)
N_COLS = LAST_VISIBLE_COL + 1  # the printed columns of the 汇编 (layout.COMPILATION_COLUMNS), the same as 002's
# Header words of the 汇编 (layout.COMPILATION_COLUMNS): 序号, 重点工作, and the second header row's 任务说明 / 完成率.
_NO_HEAD, _TASK_HEAD = COMPILATION_COLUMNS[COL_NO][0], COMPILATION_COLUMNS[COL_TASK][0]
_TEXT_HEAD2, _RATE_HEAD2 = COMPILATION_COLUMNS[COL_TASK][1], COMPILATION_COLUMNS[COL_TASK_RATE][1]

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
_INT = re.compile(r"^\d{1,4}\*?$")
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_GROUP = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]")
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


def _paragraphs(value: str) -> list[str]:
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


# ---------------------------------------------------------------------------------------------
# Reading rows (text or xlsx) into a grid of raw cells
# ---------------------------------------------------------------------------------------------

@dataclass
class _Row:
    line: int
    raw: list[str]  # at least N_COLS raw cells (HTML kept, for paragraph splitting)

    @cached_property
    def cells(self) -> list[str]:  # read several times per row
        return [clean_cell(c) for c in self.raw]


def _text_rows(path: Path) -> list[_Row]:
    text, _ = decode_text(path.read_bytes())
    rows = []
    for i, line in enumerate(text.splitlines(), start=1):
        if "\t" not in line:
            if line.strip():
                rows.append(_Row(i, [line] + [""] * (N_COLS - 1)))
            continue
        # A few lines carry 14 cells (002 L469-473): the extra cells hold shifted values, kept.
        cells = line.split("\t")
        rows.append(_Row(i, cells + [""] * (N_COLS - len(cells))))
    return rows


def _format_number(value: float, number_format: str) -> str:
    """A number as Excel shows it: 0.6876 with "0.00%" → "68.76%"; 121 with 0"万头" → "121万头"."""
    fmt = number_format or "General"
    if "%" in fmt.replace('"%"', ""):
        return f"{_trim(value * 100)}%"
    units = re.findall(r'"([^"]*)"', fmt)
    unit = "".join(units)
    if not unit:
        m = re.search(r"\\(.)", fmt)
        unit = m.group(1) if m else ""
    return f"{_trim(value)}{unit}"


def _trim(x: float) -> str:
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def _xlsx_rows(path: Path) -> list[_Row]:
    """The rows of the 汇编 sheet of an .xlsx, each cell as the text 002 shows (see `_format_number`)."""
    from ..core.grids import number_formats, open_grids, openpyxl_like

    with open_grids(path, XLSX_LIMITS, unreadable="无法读取汇编工作簿") as wb:
        sheet, grid = _find_sheet(wb, path)
    formats = number_formats(path, sheet)
    rows = []
    for r, values in enumerate(grid):
        raw = []
        for c, value in enumerate(values[:N_COLS]):
            v = openpyxl_like(value)
            if v is None:
                raw.append("")
            elif isinstance(v, bool):
                raw.append(str(v))
            elif isinstance(v, (int, float)):
                raw.append(_format_number(float(v), formats.get((r, c), "General")))
            else:
                raw.append(str(v))
        raw += [""] * (N_COLS - len(raw))
        if any(x.strip() for x in raw):
            rows.append(_Row(r + 1, raw))
    return rows


def _find_sheet(wb, path: Path) -> tuple[str, list[list]]:
    """The sheet whose header row starts with 序号 and names 重点工作 (our own 汇编 or 002's layout)."""
    for name in wb.sheet_names:
        try:
            grid = wb.rows(name)
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - a chart sheet or an unreadable sheet holds no 汇编
            continue
        for row in grid[:10]:
            vals = [str(v).strip() for v in row[:N_COLS]]
            if vals and vals[0] == _NO_HEAD and any(_TASK_HEAD in v for v in vals):
                return name, grid
    raise InputError("找不到汇编表：没有以“序号 / 重点工作”开头的表头", file=str(path))


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------

def _is_header(cells: list[str]) -> bool:
    return cells[0] == _NO_HEAD or (cells[1] == _TEXT_HEAD2 and cells[2] == _RATE_HEAD2)


def _expand_paragraph_rows(row: _Row) -> list[_Row]:
    """002 L1108: several 细化项目 stacked as <p> paragraphs in one row → one row per paragraph."""
    body = row.raw[3:9]
    counts = [len(_paragraphs(c)) for c in body if clean_cell(c)]
    if not counts or max(counts) < 2 or len(set(counts)) != 1:
        return [row]
    k = counts[0]
    out = []
    for i in range(k):
        raw = list(row.raw) if i == 0 else [""] * N_COLS
        for j in range(3, 9):
            paras = _paragraphs(row.raw[j]) if clean_cell(row.raw[j]) else [""] * k
            raw[j] = paras[i]
        out.append(_Row(row.line, raw))
    return out


class _Parser:
    def __init__(self, source: str, *, positional: bool = False):
        self.source = source
        # positional: cells sit in their own columns (an .xlsx with merged cells), no shift to undo
        self.positional = positional
        self.doc_sections: list[str] = []
        self.doc_groups: list[str] = []
        self.tasks: list[CompTask] = []
        self.warnings: list[Warning_] = []
        self.section = ""
        self.group = ""
        self.task: CompTask | None = None
        self.item: CompItem | None = None
        self.last_item: CompItem | None = None  # survives the end of a task (page-break carry-over)
        self.after_header = False
        # per task: indicators in printed order with the item index their row position suggests
        self.pending_inds: dict[int, list[tuple[CompIndicator, int]]] = {}

    def warn(self, msg: str, line: int) -> None:
        self.warnings.append(Warning_(msg, self.source, line))

    def feed(self, row: _Row) -> None:
        cells = row.cells
        if not any(cells):
            return
        if _is_header(cells):
            self.after_header = True
            return
        nonempty = [i for i, c in enumerate(cells) if c]
        if nonempty == [0] and _SECTION.match(nfkc(cells[0])):
            self._close_task()
            self.section = cells[0]
            self.doc_sections.append(cells[0])
            self.group = ""
            self.after_header = False
            return
        if nonempty == [0] and _GROUP.match(nfkc(cells[0])):
            self._close_task()
            self.group = cells[0]
            self.doc_groups.append(cells[0])
            self.after_header = False
            return
        if not self.section:
            return  # title page, before the table
        for sub in _expand_paragraph_rows(row):
            self._data_row(sub)
        self.after_header = False

    # -- one data row ----------------------------------------------------------------------
    def _data_row(self, row: _Row) -> None:
        cells = row.cells
        line = row.line
        starts_task = bool(_INT.match(cells[0])) and kind(cells[1]) == K_TEXT
        tokens: list[tuple[int, str]] = []
        if starts_task:
            self._close_task()
            self.task = CompTask(section_no=len(self.doc_sections), section=self.section, group=self.group,
                                 no=cells[0].rstrip("*"), text=cells[1], rate_printed=parse_pct(cells[2]),
                                 line=line)
            self.pending_inds[id(self.task)] = []
            self.item = None
            if cells[2] and parse_pct(cells[2]) is None:
                self.task.issues.append(f"第{line}行：任务完成率“{cells[2]}”不是百分数")
            self.task.unit_text = cells[9] if kind(cells[9]) != K_PCT else ""
            self.task.highlights = cells[10] if kind(cells[10]) != K_PCT else ""
            self.task.problems = cells[11] if kind(cells[11]) != K_PCT else ""
            tokens = [(j, cells[j]) for j in range(3, 9) if cells[j]]
            tokens += [(j, c) for j, c in enumerate(cells) if j >= 9 and kind(c) == K_PCT]
        else:
            if self.task is None:
                self.warn("任务开始之前的行，无法归属，已跳过", line)
                return
            for j, c in enumerate(cells):
                if not c:
                    continue
                if j >= 9 and kind(c) != K_PCT:
                    if j == 9 and not self.after_header and kind(cells[8]) == K_PCT:
                        # an indicator name pushed past the rate, its values lost (002 L306)
                        self.task.issues.append(f"第{line}行：指标“{c}”没有数值")
                    elif j == 11:
                        # continuation of the merged 问题 / 亮点 cells after a page break
                        self.task.problems = _join(self.task.problems, c)
                    else:
                        self.task.highlights = _join(self.task.highlights, c)
                    continue
                tokens.append((j, c))
        if self.positional:
            self._body_positional(cells, line)
        else:
            self._body(tokens, line, starts_task)

    def _body_positional(self, cells: list[str], line: int) -> None:
        """A row of a workbook with merged cells: D/E the 细化项目 (top-left of its merge), F–I the indicator."""
        task = self.task
        assert task is not None
        if cells[3] or cells[4]:
            self._new_item(cells[3], parse_pct(cells[4]), line)
        if any(cells[5:8]):
            if self.item is None:
                self._new_item("", None, line)
            ind = self._indicator(cells[5], cells[6], cells[7], cells[8], line)
            self.pending_inds[id(task)].append((ind, len(task.items) - 1))

    def _body(self, tokens: list[tuple[int, str]], line: int, starts_task: bool) -> None:
        task = self.task
        assert task is not None
        if not tokens:
            return
        kinds = [kind(c) for _, c in tokens]
        indicator = None
        # A dangling name after the last rate (002 L248 "高速公路项目投资额" with no values).
        if len(kinds) >= 2 and kinds[-1] == K_TEXT and kinds[-2] == K_PCT and tokens[-1][0] >= 6:
            task.issues.append(f"第{line}行：指标“{tokens[-1][1]}”没有数值")
            tokens, kinds = tokens[:-1], kinds[:-1]
        if (len(kinds) >= 4 and kinds[-1] == K_PCT and kinds[-2] in (K_VALUE, K_PCT)
                and kinds[-3] in (K_VALUE, K_PCT)):
            name = tokens[-4][1]
            indicator = self._indicator(name, tokens[-3][1], tokens[-2][1], tokens[-1][1], line)
            tokens, kinds = tokens[:-4], kinds[:-4]
        elif (len(kinds) == 3 and kinds[-1] == K_PCT and kinds[-2] in (K_VALUE, K_PCT)
              and kinds[-3] in (K_VALUE, K_PCT) and self.item is not None):
            # name lost in a merge: the values still count
            indicator = self._indicator("", tokens[-3][1], tokens[-2][1], tokens[-1][1], line)
            tokens, kinds = [], []
        self._item_part(tokens, kinds, line, starts_task, has_indicator=indicator is not None)
        if indicator is not None:
            if self.item is None:
                # an indicator before any 细化项目 text: the item is the task itself
                self._new_item("", None, line)
            idx = len(task.items) - 1
            self.pending_inds[id(task)].append((indicator, idx))

    def _item_part(self, tokens, kinds, line, starts_task, has_indicator) -> None:
        task = self.task
        if not tokens:
            return
        if self.after_header and not starts_task:
            # Page-break continuations: the task text (column B, 002 L547), the task rate printed again.
            if tokens and tokens[0][0] == 1 and kinds[0] != K_PCT:
                task.text = task.text + tokens[0][1]
                tokens, kinds = tokens[1:], kinds[1:]
            if tokens and tokens[0][0] == 2 and kinds[0] == K_PCT:
                tokens, kinds = tokens[1:], kinds[1:]
            if tokens and K_PCT not in kinds:
                # the end of a 细化项目 text cut by the page break (002 L211, L353); more text here
                # is the end of a cut indicator name
                if self.item is not None:
                    self.item.text += tokens[0][1]
                    return
        if not tokens:
            return
        if (starts_task and self.after_header and not has_indicator and K_PCT not in kinds
                and self.last_item is not None and len(tokens) == 1):
            # 002 L1180: the previous task's cut 细化项目 text printed on the next task's first row
            self.last_item.text += tokens[0][1]
            return
        texts = [c for (_, c), k in zip(tokens, kinds) if k in (K_TEXT, K_VALUE)]
        pcts = [c for (_, c), k in zip(tokens, kinds) if k == K_PCT]
        if len(texts) > 1 or len(pcts) > 1:
            # more than one 细化项目 text or rate on one row: not a shape we can place
            task.issues.append(f"第{line}行：无法识别的行（{' | '.join(c for _, c in tokens)}）")
            return
        text = texts[0] if texts else ""
        rate = parse_pct(pcts[0]) if pcts else None
        if text and not pcts and not has_indicator and self.item is not None and self.item.rate_printed is None:
            self.item.text += text
            return
        if not text and rate is not None and self.item is not None:
            # the merged rate printed again on the next row (002 L39): the same 细化项目
            if self.item.rate_printed is None:
                self.item.rate_printed = rate
            elif abs(self.item.rate_printed - rate) > 1e-9:
                self._new_item("", rate, line)
            return
        if not text and not pcts:
            return
        self._new_item(text, rate, line)

    def _new_item(self, text: str, rate: float | None, line: int) -> None:
        assert self.task is not None
        self.item = CompItem(text=text, rate_printed=rate, line=line)
        self.task.items.append(self.item)
        self.last_item = self.item

    def _indicator(self, name, target_text, current_text, rate_text, line) -> CompIndicator:
        target, t_unit, t_pending = parse_value(target_text)
        current, c_unit, c_pending = parse_value(current_text)
        return CompIndicator(name=name, target_text=target_text, current_text=current_text,
                             rate_printed=parse_pct(rate_text), target=target, target_unit=t_unit,
                             current=current, current_unit=c_unit, pending=c_pending or t_pending,
                             line=line)

    def _close_task(self) -> None:
        task = self.task
        if task is None:
            return
        inds = self.pending_inds.pop(id(task), [])
        if self.positional:
            for ind, pos in inds:  # the merges say where each indicator belongs
                task.items[pos].indicators.append(ind)
        else:
            _assign_indicators(task, inds)
        if not task.items:
            task.issues.append("没有细化项目")
        if task.rate_printed is None:
            task.issues.append("没有任务完成率")
        self.tasks.append(task)
        self.task = None
        self.item = None

    def finish(self) -> None:
        self._close_task()


def _join(a: str, b: str) -> str:
    return f"{a}\n{b}" if a else b


# ---------------------------------------------------------------------------------------------
# Placing indicators under 细化项目 by the printed rates
# ---------------------------------------------------------------------------------------------

ROUNDING_TOLERANCE = 0.01  # 002 rounds by hand (66.67% shown as 66%): one percentage point
_DISPLACED_COST = 0.003  # per indicator placed away from its row position: only a tie-breaker
_MISMATCH_COST = 1.0  # a group whose mean is off the printed rate (002's own slips cost the same)
_EMPTY_COST = 1.5  # a 细化项目 left without indicators: rare in 002, never a cheap way out


def _printed_or_computed(ind: CompIndicator) -> float | None:
    if ind.rate_printed is not None:
        return ind.rate_printed
    return rates.indicator_rate(DIRECTION_HIGHER, ind.target, ind.current)


def _group_error(item: CompItem, group: list[CompIndicator]) -> float:
    if item.rate_printed is None:
        return 0.0
    if not group:
        return _EMPTY_COST
    rs = [_printed_or_computed(i) for i in group]
    rs = [r for r in rs if r is not None]
    if not rs:
        return _EMPTY_COST
    capped = rates.item_rate(rs)
    uncapped = rates.mean_rate(rs)  # 002 sometimes averages uncapped (L69: 94.15%)
    err = min(abs(capped - item.rate_printed), abs(uncapped - item.rate_printed))
    return 0.0 if err <= ROUNDING_TOLERANCE + 1e-9 else _MISMATCH_COST + 0.1 * err


def _assign_indicators(task: CompTask, inds: list[tuple[CompIndicator, int]]) -> None:
    """Split the indicators (printed order) into consecutive groups, one per 细化项目, minimising the
    distance between each 细化项目's printed rate and its group's mean, then the row displacement."""
    items = task.items
    n, m = len(items), len(inds)
    if n == 0:
        return
    if m == 0:
        return
    INF = float("inf")
    best = [[INF] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    # best[i][k]: cheapest split of the first k indicators over the first i 细化项目 (a task has a handful)
    for i in range(1, n + 1):
        for k in range(m + 1):
            for j in range(k + 1):
                if best[i - 1][j] == INF:
                    continue
                group = [x for x, _ in inds[j:k]]
                displaced = sum(1 for _, pos in inds[j:k] if pos != i - 1)
                c = best[i - 1][j] + _group_error(items[i - 1], group) + _DISPLACED_COST * displaced
                if c < best[i][k] - 1e-12:
                    best[i][k] = c
                    back[i][k] = j
    k = m
    bounds = []
    for i in range(n, 0, -1):
        j = back[i][k]
        bounds.append((j, k))
        k = j
    bounds.reverse()
    for item, (j, k) in zip(items, bounds):
        item.indicators = [x for x, _ in inds[j:k]]
        if item.rate_printed is not None and item.indicators:
            err = _group_error(item, item.indicators)
            if err > 0:
                task.consistent = False


# ---------------------------------------------------------------------------------------------
# Public: read
# ---------------------------------------------------------------------------------------------

def read_compilation(path: str | Path) -> CompilationDoc:
    """Read a compilation in 002's layout: the text form (tab-separated) or an .xlsx with merged cells."""
    path = Path(path)
    if not path.exists():
        raise InputError("文件不存在", file=str(path))
    positional = path.suffix.lower() in (".xlsx", ".xlsm")
    rows = _xlsx_rows(path) if positional else _text_rows(path)
    parser = _Parser(path.name, positional=positional)
    for row in rows:
        parser.feed(row)
    parser.finish()
    if not parser.tasks:
        raise InputError("没有读到任何任务：不是 002 版式的完成情况汇编", file=str(path))
    return CompilationDoc(path=str(path), sha256=sha256_file(path), sections=parser.doc_sections,
                          groups=parser.doc_groups, tasks=parser.tasks, warnings=parser.warnings)


# ---------------------------------------------------------------------------------------------
# Matching to a register (task numbering, leader titles and texts changed between 000 and 002)
# ---------------------------------------------------------------------------------------------

MATCH_THRESHOLD = 0.5  # text similarity (difflib ratio on NFKC text) to accept a match alone
MATCH_THRESHOLD_SAME_NO = 0.3  # … when the printed number is also the same


@dataclass
class MatchResult:
    task_ids: dict[int, str] = field(default_factory=dict)  # index in doc.tasks → register task id
    scores: dict[int, float] = field(default_factory=dict)
    unmatched: list[int] = field(default_factory=list)  # indexes in doc.tasks that could not be placed
    missing: list[str] = field(default_factory=list)  # register task ids with no task in the document
    with_register: bool = True

    def task_id(self, index: int, task: CompTask) -> str:
        """The register id, or "<section>.<no>" as printed when there is no register / no match."""
        return self.task_ids.get(index) or f"{task.section_no}.{task.no}"


_PUNCT = re.compile(r"[\s，,。.;；:：、“”\"'‘’()（）《》<>!！?？]")


def _norm_text(s: str) -> str:
    return _PUNCT.sub("", nfkc(s))


def _similarity(a: str, b: str) -> float:
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < 0.2 or sm.quick_ratio() < 0.2:
        return 0.0
    return sm.ratio()


def match_to_register(doc: CompilationDoc, register: Register | None) -> MatchResult:
    """Place each task of the compilation on a register task: same section (by order, checked by
    title similarity), then best text similarity, the printed number breaking near-ties."""
    result = MatchResult(with_register=register is not None)
    if register is None:
        return result
    # Register sections in order of first appearance.
    reg_sections: list[str] = []
    by_section: dict[str, list] = {}
    for t in register.tasks:
        if t.section not in by_section:
            reg_sections.append(t.section)
            by_section[t.section] = []
        by_section[t.section].append(t)
    doc_by_section: dict[int, list[int]] = {}
    for i, t in enumerate(doc.tasks):
        doc_by_section.setdefault(t.section_no, []).append(i)
    used: set[str] = set()
    for s_no, indexes in doc_by_section.items():
        title = doc.sections[s_no - 1] if 0 < s_no <= len(doc.sections) else ""
        candidates_sections = _candidate_sections(title, s_no, reg_sections)
        cands = [t for sec in candidates_sections for t in by_section[sec]]
        normed = {t.id: _norm_text(t.text) for t in cands}
        pairs = []
        for i in indexes:
            dt = _norm_text(doc.tasks[i].text)
            for t in cands:
                score = _similarity(dt, normed[t.id])
                same_no = t.no == doc.tasks[i].no
                if score >= MATCH_THRESHOLD or (same_no and score >= MATCH_THRESHOLD_SAME_NO):
                    pairs.append((score + (0.05 if same_no else 0.0), i, t.id))
        pairs.sort(key=lambda p: -p[0])
        for score, i, tid in pairs:
            if i in result.task_ids or tid in used:
                continue
            result.task_ids[i] = tid
            result.scores[i] = round(min(score, 1.0), 3)
            used.add(tid)
    result.unmatched = [i for i in range(len(doc.tasks)) if i not in result.task_ids]
    covered = {sec for s_no in doc_by_section
               for sec in _candidate_sections(doc.sections[s_no - 1] if 0 < s_no <= len(doc.sections) else "",
                                              s_no, reg_sections)}
    result.missing = [t.id for t in register.tasks if t.section in covered and t.id not in used]
    return result


def _candidate_sections(title: str, s_no: int, reg_sections: list[str]) -> list[str]:
    """The register section this document section is: the same ordinal when the titles agree,
    else the most similar title (sections may be missing from either side)."""
    if not reg_sections:
        return []
    t = _norm_text(title)
    scored = [(_similarity(t, _norm_text(s)), k) for k, s in enumerate(reg_sections)]
    if 0 < s_no <= len(reg_sections) and scored[s_no - 1][0] >= 0.6:
        return [reg_sections[s_no - 1]]
    best, k = max(scored)
    if best >= 0.4:
        return [reg_sections[k]]
    return list(reg_sections)  # no section fits: search them all


# ---------------------------------------------------------------------------------------------
# To the progress register
# ---------------------------------------------------------------------------------------------

# Direction rule (documented in the README and the tests):
#  * an indicator is an upper bound (不超过) when its name says so (控制/以内/以下/不超过/不高于/浓度),
#    or when the 细化项目 or task text bounds the target's own number ("控制在0.23以内", "3.5%以内",
#    "不超过5家") — a keyword elsewhere in a long task text does not count;
#  * "不低于/不少于/以上" are lower bounds: higher is better;
#  * no numeric target, or a current value that is neither a number nor pending → 定性 (qualitative),
#    whose self-rated rate is the printed indicator rate, else the printed 细化项目 rate.
_UPPER_NAME = re.compile(r"控制|以内|以下|不超过|不高于|浓度|死亡率|失业率|发生率")
# A bound found in the 细化项目/task text applies only to a rate-like indicator, not to a count:
# "认定不超过 5 家“链主工厂”" caps a recognition, its indicator "“链主工厂”数" is still a goal.
_RATE_LIKE_NAME = re.compile(r"率|浓度|指数|值")
_LOWER_NAME = re.compile(r"不低于|不少于|以上|提升|增长")
_BOUND_BEFORE = re.compile(r"(?:控制在|不超过|不高于|(?<!不)低于)\s*([0-9]+(?:\.[0-9]+)?)")
_BOUND_AFTER = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*[^\d，,。；;、]{0,10}?(?:以内|以下)")


def infer_direction(name: str, target: float | None, *texts: str) -> str:
    n = nfkc(name)
    if _UPPER_NAME.search(n) and not _LOWER_NAME.search(n):
        return DIRECTION_UPPER
    if target is not None and _RATE_LIKE_NAME.search(n):
        for text in texts:
            t = nfkc(text)
            for rx in (_BOUND_BEFORE, _BOUND_AFTER):
                for m in rx.finditer(t):
                    if abs(float(m.group(1)) - target) < 1e-9:
                        return DIRECTION_UPPER
    return DIRECTION_HIGHER


def reporting_unit(task: Task, name: str) -> str:
    """The register unit of `task` that a compilation's unit name `name` stands for: the same name, the same
    name after NFKC and without spaces, one name containing the other, else the task's lead (or first) unit.
    Compilations spell units their own way (市住房保障局, 萧山区) while the register keeps the decomposition's."""
    if name in task.units:
        return name
    n = squash(name)
    normed = [(squash(u), u) for u in task.units]
    for nu, u in normed:
        if nu == n:
            return u
    if len(n) >= 3:
        for nu, u in normed:
            if len(nu) >= 3 and (n in nu or nu in n):
                return u
    return task.lead_unit or (task.units[0] if task.units else name)


def to_progress(doc: CompilationDoc, match: MatchResult | None = None, *, period: str = "",
                register: Register | None = None) -> Progress:
    """One ProgressRow per indicator line (a 细化项目 without indicators: one qualitative row),
    unit = the lead (first) unit of the task's 责任单位, role 牵头. With the register, the unit is the
    register's name for it (reporting_unit), so the rows line up with next period's templates."""
    match = match or MatchResult(with_register=False)
    register_tasks = {t.id: t for t in register.tasks} if register else {}
    prov_file = Path(doc.path).name
    rows: list[ProgressRow] = []
    units: list[str] = []
    for index, task in enumerate(doc.tasks):
        task_id = match.task_id(index, task)
        unit = task.lead_unit
        if task_id in register_tasks:
            unit = reporting_unit(register_tasks[task_id], unit)
        if unit and unit not in units:
            units.append(unit)
        first = True
        for item_no, item in enumerate(task.items, start=1):
            lines = item.indicators or [None]
            for ind in lines:
                row = ProgressRow(task_id=task_id, unit=unit, role=ROLE_LEAD, item=item.text, item_no=item_no,
                                  provenance=Provenance(file=prov_file, sha256=doc.sha256, sheet="",
                                                        row=(ind.line if ind else item.line)))
                if first:
                    row.highlights, row.problems = task.highlights, task.problems
                    first = False
                if ind is None:
                    row.direction = DIRECTION_QUALITATIVE
                    row.self_rate = item.rate_printed
                else:
                    _fill_indicator(row, ind, item, task)
                rows.append(row)
    return Progress(period=period, rows=rows, reported_units=units)


def _fill_indicator(row: ProgressRow, ind: CompIndicator, item: CompItem, task: CompTask) -> None:
    row.indicator = ind.name
    row.measure_unit = ind.target_unit
    fallback = ind.rate_printed if ind.rate_printed is not None else item.rate_printed
    if ind.target is None:
        row.direction = DIRECTION_QUALITATIVE
        row.self_rate = fallback
        row.current_text = ind.current_text if ind.current is None else ""
        row.current = ind.current
        return
    row.target = ind.target
    row.direction = infer_direction(ind.name, ind.target, item.text, task.text)
    if ind.pending:
        row.pending = True
        row.current_text = ind.current_text
    elif ind.current is None:
        # a current value that is not a number: keep the words, count the printed rate
        row.direction = DIRECTION_QUALITATIVE
        row.self_rate = fallback
        row.current_text = ind.current_text
    else:
        row.current = _in_target_unit(ind.current, ind.current_unit, ind.target_unit)


_MAGNITUDE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}


def _in_target_unit(value: float, unit: str, target_unit: str) -> float:
    """"1.9亿元" against a target in "万元" → 19000: only a magnitude prefix (万/亿/千/百) differs."""
    if unit == target_unit:
        return value

    def split(u: str) -> tuple[float, str]:
        u = u.replace(" ", "")
        if u[:1] in _MAGNITUDE and len(u) > 1:
            return _MAGNITUDE[u[0]], u[1:]
        return 1.0, u

    f1, base1 = split(unit)
    f2, base2 = split(target_unit)
    if base1 == base2 and base1:
        return value * f1 / f2
    return value


def progress_task_rates(progress: Progress, *, pending_as_zero: bool = False) -> dict[str, float | None]:
    """Task rates from progress rows, by rates.py (the same grouping and arithmetic as the 汇编)."""
    by_task: dict[str, list[ProgressRow]] = {}
    for r in progress.rows:
        by_task.setdefault(r.task_id, []).append(r)
    return {tid: rates.task_rate_of_rows(rows, pending_as_zero=pending_as_zero) for tid, rows in by_task.items()}


# ---------------------------------------------------------------------------------------------
# Reproducing 002's task rates
# ---------------------------------------------------------------------------------------------

AGREEMENT_TOLERANCE = 0.01  # ±1 percentage point

REASON_UNREAD = "有未能读取的行"  # a row we could not read
REASON_PENDING = "含待核算值"  # a pending value
REASON_UPPER = "汇编对上限指标按“当前值/目标值”计算"  # 002's naive rate on an upper bound
REASON_INDICATOR = "汇编的指标完成率与其目标值、当前值不符"  # 002's indicator rate ≠ its own values
REASON_ITEM = "汇编的细化项目完成率与其指标不符（手工计算/取舍）"  # 002's hand rounding / arithmetic
REASON_TASK = "汇编的任务完成率不等于其细化项目完成率的平均"  # 002's task arithmetic
REASON_UNEXPLAINED = "原因不明"


@dataclass
class TaskComparison:
    task_id: str
    section_no: int
    no: str
    line: int
    text: str
    printed: float | None
    ours: float | None
    complete: bool
    # 002's own printed 细化项目 rates averaged by rates.task_rate: separates 002's task arithmetic
    # from its hand-rounded item rates (66.67% printed as 66%)
    from_printed_items: float | None = None
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return (self.printed is not None and self.ours is not None
                and abs(self.printed - self.ours) <= AGREEMENT_TOLERANCE + 1e-9)


@dataclass
class Reproduction:
    tasks_read: int
    tasks_complete: int
    compared: list[TaskComparison]

    @property
    def agreeing(self) -> int:
        return sum(1 for c in self.compared if c.agrees)

    @property
    def agreeing_from_printed_items(self) -> int:
        """Tasks whose printed rate is the mean of 002's own printed 细化项目 rates (±1 point)."""
        return sum(1 for c in self.compared if c.printed is not None and c.from_printed_items is not None
                   and abs(c.printed - c.from_printed_items) <= AGREEMENT_TOLERANCE + 1e-9)

    @property
    def exact(self) -> int:
        """Tasks whose rate we reproduce to two decimals of a percent."""
        return sum(1 for c in self.compared if c.printed is not None and c.ours is not None
                   and round(c.printed * 100, 2) == round(c.ours * 100, 2))

    @property
    def disagreements(self) -> list[TaskComparison]:
        return [c for c in self.compared if not c.agrees]


def reproduce(doc: CompilationDoc, match: MatchResult | None = None) -> Reproduction:
    """Our task rates (rates.py over to_progress rows) against the printed ones, with reasons."""
    match = match or MatchResult(with_register=False)
    progress = to_progress(doc, match)
    ours = progress_task_rates(progress)
    rows_by_task: dict[str, list[ProgressRow]] = {}
    for r in progress.rows:
        rows_by_task.setdefault(r.task_id, []).append(r)
    compared = []
    for index, task in enumerate(doc.tasks):
        tid = match.task_id(index, task)
        c = TaskComparison(task_id=tid, section_no=task.section_no, no=task.no, line=task.line,
                           text=task.text, printed=task.rate_printed, ours=ours.get(tid),
                           complete=task.complete,
                           from_printed_items=rates.task_rate(i.rate_printed for i in task.items))
        if not c.agrees:
            _explain(c, task, rows_by_task.get(tid, []))
        compared.append(c)
    return Reproduction(tasks_read=len(doc.tasks), tasks_complete=sum(t.complete for t in doc.tasks),
                        compared=compared)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.2f}%"


def _explain(c: TaskComparison, task: CompTask, rows: list[ProgressRow]) -> None:
    if not task.complete or c.ours is None:
        c.reasons.append(REASON_UNREAD)
        c.details.extend(task.issues or ["没有可计算的完成率"])
    pending = [r for r in rows if r.pending]
    if pending:
        c.reasons.append(REASON_PENDING)
        c.details.extend(f"第{r.provenance.row}行“{r.indicator}”当前值“{r.current_text}”" for r in pending)
    inds = [(ind, item) for item in task.items for ind in item.indicators]
    for ind, item in inds:
        if ind.rate_printed is None or ind.target in (None, 0) or ind.current is None:
            continue
        current = _in_target_unit(ind.current, ind.current_unit, ind.target_unit)
        naive = rates.indicator_rate(DIRECTION_HIGHER, ind.target, current)  # what 002 did on upper bounds
        direction = infer_direction(ind.name, ind.target, item.text, task.text)
        ours = rates.indicator_rate(direction, ind.target, current)
        if abs(ours - ind.rate_printed) <= 0.005:
            continue
        if direction == DIRECTION_UPPER and abs(naive - ind.rate_printed) <= 0.005:
            if REASON_UPPER not in c.reasons:
                c.reasons.append(REASON_UPPER)
            c.details.append(f"第{ind.line}行“{ind.name}”目标{ind.target_text}、当前{ind.current_text}："
                             f"汇编{_pct(ind.rate_printed)}，上限已达成应为{_pct(ours)}")
        else:
            if REASON_INDICATOR not in c.reasons:
                c.reasons.append(REASON_INDICATOR)
            c.details.append(f"第{ind.line}行“{ind.name}”{ind.current_text}/{ind.target_text}="
                             f"{_pct(ours)}，汇编印{_pct(ind.rate_printed)}")
    if not task.consistent:
        c.reasons.append(REASON_ITEM)
        for item in task.items:
            rs = [_printed_or_computed(i) for i in item.indicators]
            mean = rates.item_rate(rs) if item.indicators else None
            if item.rate_printed is not None and mean is not None and abs(mean - item.rate_printed) > ROUNDING_TOLERANCE:
                c.details.append(f"第{item.line}行细化项目“{item.text[:20]}…”汇编{_pct(item.rate_printed)}，"
                                 f"其指标平均{_pct(mean)}")
    printed_items = [i.rate_printed for i in task.items if i.rate_printed is not None]
    if printed_items and task.rate_printed is not None:
        mean_items = rates.task_rate(printed_items)
        if abs(mean_items - task.rate_printed) > ROUNDING_TOLERANCE:
            c.reasons.append(REASON_TASK)
            c.details.append(f"汇编细化项目完成率平均为{_pct(mean_items)}，任务印{_pct(task.rate_printed)}")
        elif REASON_ITEM not in c.reasons and not c.reasons:
            # 002's task rate follows its own printed item rates, which it rounded by hand
            c.reasons.append(REASON_ITEM)
    if not c.reasons:
        c.reasons.append(REASON_UNEXPLAINED)
