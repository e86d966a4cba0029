"""The value checks: every filled entry row read into a ProgressRow, every cell's problems reported together.

Rows are read from the sheet as it is (task ids in the locked 任务编号 column), not from the positions in
`_meta`. A blank 细化项目 under a filled one continues it (same item_no); fully blank rows are skipped;
主要亮点 / 存在问题与下步计划 are read from the task block's first row (text written on its other rows is
appended, not lost). How each value is read is values.py.
"""
from __future__ import annotations

from ...core import layout as L
from ...core.models import DIRECTION_QUALITATIVE, LEVEL_ERROR, ROLE_LEAD, Problem, ProgressRow, Provenance
from ...core.problems import CODES
from ...core.textkeys import squash as _norm
from .. import values as V
from ..workbook import cell_text
from .base import Subject, check

_TEXT_KEYS = ("item", "indicator", "measure_unit", "highlights", "problems")
_VALUE_KEYS = ("target", "current", "self_rate")


_ROW_KEYS = _TEXT_KEYS + _VALUE_KEYS + ("direction",)


class RowCells:
    """One entry row's cells, each read once through the formula rule; its problems go to `out`."""

    def __init__(self, subject: Subject, r: int, out: list[Problem], has_formulas: bool = True):
        self.subject, self.sheet, self.r, self.out = subject, subject.sheet, r, out
        self.values = self.sheet.row_values(r, _ROW_KEYS)
        self.has_formulas = has_formulas  # False: no entry cell of this row holds a formula
        self.bad: set[str] = set()  # columns of this row with an error

    def add(self, code: str, key: str, **params) -> None:
        if CODES[code].level == LEVEL_ERROR:
            self.bad.add(key)
        self.out.append(self.subject.problem(code, sheet=L.SHEET_ENTRY, cell=self.sheet.ref(self.r, key),
                                             label=L.LABELS[key], **params))

    def report(self, findings: V.Findings, key: str) -> None:
        for f in findings:
            self.add(f.code, f.column or key, **f.params)

    def raw(self, key: str):
        """The cell value, or a formula's cached result (reported: a formula is no entry); None when a
        formula has no stored result."""
        v = self.values[key]
        if (self.sheet.errors or (isinstance(v, str) and "#" in v)) and self.sheet.error(self.r, key):
            self.bad.add(key)  # reported at its cell by checks/cells.py: no figure to read
            return None
        f = self.sheet.formula(self.r, key) if self.has_formulas else None
        if f is not None:
            if not f.has_value:
                self.add("formula-without-value", key, formula="=" + f.text)
                return None
            self.add("formula-in-entry", key, value=cell_text(v))
        return v

    def text(self, key: str) -> str:
        v = self.raw(key)
        if v == "" or v is None:
            return ""
        text, findings = V.entry_text(v, L.TEXT_LIMITS[key])
        if findings:
            self.report(findings, key)
        return text

    def number(self, key: str, measure_unit: str) -> float | None:
        x, findings = V.parse_number(self.raw(key), measure_unit)
        if findings:
            self.report(findings, key)
        return x

    def percent_formatted(self, key: str) -> bool:
        """A numeric cell stored with a percent number format (text in such a cell was read as typed)."""
        v = self.values[key]
        return (self.r, self.sheet.cols.get(key)) in self.sheet.percent and \
            not isinstance(v, bool) and isinstance(v, (int, float))


def _blank_rows(sheet):
    """A test for rows whose entry cells are all empty and hold no formula: most pre-made rows are, and
    they are skipped before any per-cell work (they would read as blank anyway, with no problem)."""
    grid = sheet.grid
    cols = [sheet.cols[k] for k in _VALUE_KEYS + _TEXT_KEYS if k in sheet.cols]
    with_formula = sheet.formula_rows(_TEXT_KEYS)

    def blank(r: int) -> bool:
        if r in with_formula:
            return False
        if r >= len(grid):
            return True
        row = grid[r]
        n = len(row)
        for c in cols:
            if c < n and row[c] is not None and row[c] != "":
                return False
        return True

    return blank


@check("formula-without-value", "formula-in-entry", "control-characters", "text-too-long", "bad-direction",
       "not-a-number", "number-as-text", "approximate-number", "number-with-unit", "pending-value",
       "percent-format-unit", "percent-format", "percent-scale-mismatch", "percent-out-of-range",
       "ambiguous-percent", "default-direction", "missing-self-rate", "current-without-target", "zero-target",
       "current-100x-target", "target-changed", "indicator-without-item", "missing-item", "empty-return",
       "negative-value", "range-number")
def entry_rows(subject: Subject):
    """Read every task block's rows into subject.rows; the problems of every cell."""
    out: list[Problem] = []
    blank = _blank_rows(subject.sheet)
    formula_rows = subject.sheet.formula_rows(_ROW_KEYS)
    rows_out: list[ProgressRow] = []
    for tid, rows in subject.blocks.items():
        rows_out.extend(_task_rows(subject, tid, rows, blank, formula_rows, out))
    subject.rows = rows_out
    if not rows_out and not any(p.level == LEVEL_ERROR for p in out):
        # accepted, but the unit said nothing at all (an unfilled template): shown, never silent
        out.append(subject.problem("empty-return", sheet=L.SHEET_ENTRY,
                                   cell=subject.sheet.ref(subject.sheet.first_row, "item")))
    return out


def _task_rows(subject: Subject, tid: str, rows: list[int], blank, formula_rows: frozenset[int],
               out: list[Problem]) -> list[ProgressRow]:
    """The ProgressRows of one task block."""
    sheet, index, source = subject.sheet, subject.ctx.index, subject.source
    task = index.tasks_by_id[tid]
    role = index.role(subject.unit, tid)
    task_rows: list[ProgressRow] = []
    item, item_no, item_from_indicator = "", 0, False
    reported = False  # a 细化项目 typed, or a value reported, in this block
    narrative = {"highlights": [], "problems": []}
    for r in rows:
        if blank(r):
            continue
        cells = RowCells(subject, r, out, r in formula_rows)
        texts = {k: cells.text(k) for k in ("item", "indicator", "measure_unit")}
        for k in ("highlights", "problems"):
            t = cells.text(k)
            if t:
                narrative[k].append(t)
        raw = {k: cells.values[k] for k in _VALUE_KEYS}
        # 指标方向 is pre-filled on every row, so it alone does not make a row filled
        if not any(texts.values()) and not any(cell_text(v).strip() for v in raw.values()):
            continue  # a blank spare row (or one with only narrative)
        untouched = not (texts["item"] or cell_text(raw["current"]).strip() or cell_text(raw["self_rate"]).strip())
        if untouched and not texts["item"] and (not item or item_from_indicator) \
                and (texts["indicator"] or not (cell_text(raw["target"]).strip() or texts["measure_unit"])):
            # a pre-filled proposal nobody reported on: template content, not a return (a target without an
            # indicator is not one: it goes on to be reported, never silently dropped)
            continue
        if texts["item"]:
            item, item_no, item_from_indicator = texts["item"], item_no + 1, False
            reported = True
        elif not item or item_from_indicator:
            if not texts["indicator"]:
                out.append(subject.problem("indicator-without-item", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "item"),
                                           indicator=cell_text(raw["target"] or raw["current"]) or "（空）"))
                continue
            # a pre-filled proposal row (indicator, no 细化项目): the indicator names its own item
            item, item_no, item_from_indicator = texts["indicator"], item_no + 1, True
        if any(cell_text(v).strip() for v in (raw["current"], raw["self_rate"])):
            reported = True
        row = _indicator(subject, cells, task, texts, untouched)
        row.update(task_id=tid, unit=subject.unit, role=role, item=item, item_no=item_no,
                   provenance=Provenance(source.path, source.sha256, L.SHEET_ENTRY, r + 1))
        task_rows.append(ProgressRow(**row))
    highlights = "\n".join(narrative["highlights"])
    problems_text = "\n".join(narrative["problems"])
    if not task_rows and (highlights or problems_text):
        task_rows.append(ProgressRow(task_id=tid, unit=subject.unit, role=role, item="", item_no=0,
                                     provenance=Provenance(source.path, source.sha256, L.SHEET_ENTRY, rows[0] + 1)))
    if task_rows:
        task_rows[0].highlights = highlights
        task_rows[0].problems = problems_text
    if role == ROLE_LEAD and not reported:
        out.append(subject.problem("missing-item", sheet=L.SHEET_ENTRY, cell=sheet.ref(rows[0], "item"), task_id=tid))
    return task_rows


def _indicator(subject: Subject, cells: RowCells, task, texts: dict[str, str], untouched: bool) -> dict:
    """The indicator fields of one filled row (direction, target, current, self-rating), checked."""
    measure_unit = texts["measure_unit"]
    direction, findings = V.parse_direction(cells.raw("direction"))
    cells.report(findings, "direction")
    direction_raw = cells.values["direction"]
    direction_blank = not V.value_text(cell_text(direction_raw))
    target = cells.number("target", measure_unit)
    pending = V.pending_text(cells.values["current"])
    if pending:
        cells.add("pending-value", "current", value=pending)
        current = None
    else:
        current = cells.number("current", measure_unit)
    formatted = frozenset(k for k in ("target", "current") if cells.percent_formatted(k))
    target, current, measure_unit, findings = V.reconcile_percents(target, current, measure_unit, formatted)
    cells.report(findings, "target")
    for key, x in (("target", target), ("current", current)):
        if x is not None and x < 0:  # the rate is floored at 0% (rates.py), the figure itself is the unit's to check
            cells.add("negative-value", key, value=f"{x:g}")
    self_rate, findings = V.parse_self_rate(cells.raw("self_rate"))
    cells.report(findings, "self_rate")
    if not cell_text(direction_raw).strip() and target is None and current is None \
            and not pending and self_rate is not None:
        direction = DIRECTION_QUALITATIVE  # a 细化项目 rated by itself
    if direction_blank and direction != DIRECTION_QUALITATIVE and (target is not None or current is not None):
        cells.add("default-direction", "direction")  # read as 越高越好: said, never silent
    if not untouched:  # a row without current/self-rate has nothing to relate yet
        issued = subject.ctx.proposals(task).get(_norm(texts["indicator"])) \
            if texts["indicator"] and target is not None else None
        cells.report(V.relation_findings(direction, target, current, self_rate, issued, frozenset(cells.bad)),
                     "current")
    return dict(indicator=texts["indicator"], measure_unit=measure_unit, target=target, current=current,
                direction=direction, self_rate=self_rate, pending=bool(pending), current_text=pending)
