"""The old 汇编's rows → CompTasks (see reader.py for the reading rules), and the indicators placed under
their 细化项目 by the printed rates.

Class Parser is longer than 150 lines because: it is a single pass over the rows whose state (the open
section, task, 细化项目 and the paragraph being continued) every step reads and changes; split into parts,
that state would have to be passed around between them.
"""
from __future__ import annotations

from ..core import rates
from ..core.models import DIRECTION_HIGHER, Warning_
from ..core.textkeys import nfkc
from .printed import (GROUP_RE, INT_RE, K_PCT, K_TEXT, K_VALUE, N_COLS, NO_HEAD, RATE_HEAD2, SECTION_RE, TEXT_HEAD2,
                      CompIndicator, CompItem, CompTask, clean_cell, kind, paragraphs, parse_pct, parse_value)
from .raw_rows import RawRow


def _is_header(cells: list[str]) -> bool:
    return cells[0] == NO_HEAD or (cells[1] == TEXT_HEAD2 and cells[2] == RATE_HEAD2)


def _expand_paragraph_rows(row: RawRow) -> list[RawRow]:
    """002 L1108: several 细化项目 stacked as <p> paragraphs in one row → one row per paragraph."""
    body = row.raw[3:9]
    counts = [len(paragraphs(c)) for c in body if clean_cell(c)]
    if not counts or max(counts) < 2 or len(set(counts)) != 1:
        return [row]
    k = counts[0]
    out = []
    for i in range(k):
        raw = list(row.raw) if i == 0 else [""] * N_COLS
        for j in range(3, 9):
            paras = paragraphs(row.raw[j]) if clean_cell(row.raw[j]) else [""] * k
            raw[j] = paras[i]
        out.append(RawRow(row.line, raw))
    return out


class Parser:
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

    def feed(self, row: RawRow) -> None:
        cells = row.cells
        if not any(cells):
            return
        if _is_header(cells):
            self.after_header = True
            return
        nonempty = [i for i, c in enumerate(cells) if c]
        if nonempty == [0] and SECTION_RE.match(nfkc(cells[0])):
            self._close_task()
            self.section = cells[0]
            self.doc_sections.append(cells[0])
            self.group = ""
            self.after_header = False
            return
        if nonempty == [0] and GROUP_RE.match(nfkc(cells[0])):
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
    def _data_row(self, row: RawRow) -> None:
        cells = row.cells
        line = row.line
        starts_task = bool(INT_RE.match(cells[0])) and kind(cells[1]) == K_TEXT
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


def printed_or_computed(ind: CompIndicator) -> float | None:
    if ind.rate_printed is not None:
        return ind.rate_printed
    return rates.indicator_rate(DIRECTION_HIGHER, ind.target, ind.current)


def _group_error(item: CompItem, group: list[CompIndicator]) -> float:
    if item.rate_printed is None:
        return 0.0
    if not group:
        return _EMPTY_COST
    rs = [printed_or_computed(i) for i in group]
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
