"""Validate one returned file and read its rows: structural checks in order, then value checks.

`check_file(source, ctx) -> FileResult`. Each check is a small function returning Problems (GSA-TTS/FAC
style); the structural ones run in the order `_FileCheck.run` calls them (problems.STRUCTURAL_ORDER lists
their codes in that order) and the file stops at the first that fails; the value checks then look at
every entry cell and report everything together. Rows are read from the sheet as it is (task ids in the
locked 任务编号 column), not from the positions in `_meta`, so a deleted spare row or a re-save that
shifts nothing else does not matter.

Reading rules (never a silent coercion — every reinterpretation is a warning):
- 目标值/当前值: numbers; numeric text is read with a warning; "2000万" / "3.5亿元" are errors with the
  split suggested; "约85%" is an error; 当前值 may be a pending marker (layout.PENDING_MARKERS).
- 目标值/当前值 stored with a percent number format (xlsx: "3.5%" typed in Excel/WPS is 0.035) are read as
  percent points (3.5, 计量单位 %) with a warning; with another 计量单位 it is an error. With 计量单位 % (or
  个百分点) a target and current on scales 100× apart (0.035 beside 3.2) are an error, never a wrong rate.
- 自评完成率: a number ≤ 1 is a fraction, 1 < x ≤ 100 is read as a percentage with a warning,
  above 100 or below 0 an error; the text "85%" is read as 0.85 with a warning.
- a blank 细化项目 under a filled one continues it (same item_no); fully blank rows are skipped;
  主要亮点 / 存在问题与下步计划 are read from the task block's first row (text written on its other rows is
  appended, not lost).
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field

from ..core import layout as L
from ..core.directory import plan_recipients
from .intake import Book, IntakeFailure, Source, cell_text, open_book
from ..core.models import (DIRECTION_HIGHER, DIRECTION_QUALITATIVE, LEVEL_ERROR, LEVEL_WARNING, ROLE_LEAD,
                     ROLE_SUPPORT, Problem, ProgressRow, Provenance, Register, Task)
from ..core.problems import problem
from ..core.rates import DIRECTION_BY_LABEL, indicator_formula, shown_formula
from ..core.units import squash as _norm
from ..core.xlsx import clean_text, excel_text

STATUS_ACCEPTED = "accepted"
STATUS_REJECTED = "rejected"
STATUS_SUPERSEDED = "superseded"
STATUS_LABELS = {STATUS_ACCEPTED: "采用", STATUS_REJECTED: "退回", STATUS_SUPERSEDED: "已被替代"}


@dataclass
class FileResult:
    """What collect knows about one returned file."""

    path: str
    key: str
    sha256: str
    size: int
    mtime: float
    saved_at: dt.datetime | None = None
    unit: str = ""
    period: str = ""
    template_id: str = ""
    identified: bool = False  # reached "period matches": the file counts as this unit's return
    status: str = STATUS_REJECTED
    problems: list[Problem] = field(default_factory=list)
    rows: list[ProgressRow] = field(default_factory=list)
    superseded_by: str = ""

    @property
    def errors(self) -> int:
        return sum(p.level == LEVEL_ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.level == LEVEL_WARNING for p in self.problems)

    @property
    def valid(self) -> bool:
        return self.errors == 0


class UnitIndex:
    """Which tasks each recipient unit was issued, with its role (register + optional units directory)."""

    def __init__(self, register: Register, directory=None):
        self.register = register
        self.tasks_by_id: dict[str, Task] = {t.id: t for t in register.tasks}
        plan, _ = plan_recipients(register, directory)
        self.tasks: dict[str, list[Task]] = {
            r: [self.tasks_by_id[tid] for tid in issued] for r, issued in plan.items()}
        self.roles: dict[tuple[str, str], str] = {
            (r, tid): role for r, issued in plan.items() for tid, role in issued.items()}
        self.kind = {u.name: u.kind for u in register.units}
        self._by_norm = {_norm(u): u for u in self.tasks}

    def canonical(self, unit: str) -> str | None:
        if unit in self.tasks:
            return unit
        return self._by_norm.get(_norm(unit))

    def role(self, unit: str, task_id: str) -> str:
        return self.roles.get((unit, task_id), ROLE_SUPPORT)

    def units(self) -> list[str]:
        return list(self.tasks)


@dataclass
class Context:
    register: Register
    period: str
    index: UnitIndex = None  # type: ignore[assignment]
    accepted_schemas: tuple[str, ...] = L.ACCEPTED_SCHEMA_VERSIONS
    password: str | None = None  # opens encrypted returns (decrypted in memory only)
    _proposals: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self):
        if self.index is None:
            self.index = UnitIndex(self.register)

    def proposals(self, task: Task) -> dict[str, float]:
        """Targets pre-filled in the template for a task (indicator name → target)."""
        if task.id not in self._proposals:
            try:
                from ..issuing.targets import propose_indicators

                self._proposals[task.id] = {_norm(p.name): p.target for p in propose_indicators(task.text)}
            except Exception:  # noqa: BLE001 - proposals are a hint; none is fine
                self._proposals[task.id] = {}
        return self._proposals[task.id]


def same_period(a: str, b: str) -> bool:
    return _norm(a).upper() == _norm(b).upper()


# ---------------------------------------------------------------------------------------------------
# The checks of one file
# ---------------------------------------------------------------------------------------------------

class _Stop(Exception):
    """A structural failure: the file is not looked at further."""


@dataclass
class _Sheet:
    grid: list[list]
    header_row: int  # 0-based
    cols: dict[str, int]  # column key → 0-based index
    formulas: dict | None
    percent: set = field(default_factory=set)  # (row, col) stored with a percent number format

    def value(self, r: int, key: str):
        c = self.cols.get(key)
        if c is None or r >= len(self.grid):
            return ""
        row = self.grid[r]
        return row[c] if c < len(row) else ""

    def ref(self, r: int, key: str) -> str:
        from xlsxwriter.utility import xl_col_to_name

        return f"{xl_col_to_name(self.cols.get(key, 0))}{r + 1}"


class _FileCheck:
    def __init__(self, source: Source, ctx: Context):
        self.source = source
        self.ctx = ctx
        self.result = FileResult(source.path, source.key, source.sha256, source.size, source.mtime)
        self.book: Book | None = None
        self.meta: dict[str, str] = {}
        self.meta_rows: dict[str, int] = {}

    # every Problem of this file goes through here so file/unit are always set
    def p(self, code: str, sheet: str = "", cell: str = "", **params) -> Problem:
        return problem(code, file=self.source.path, sheet=sheet, cell=cell, unit=self.result.unit, **params)

    def stop_if(self, problems: list[Problem]) -> None:
        self.result.problems.extend(problems)
        if any(p.level == LEVEL_ERROR for p in problems):
            raise _Stop

    def run(self) -> FileResult:
        try:
            try:
                self.book = open_book(self.source, password=self.ctx.password)
            except IntakeFailure as f:
                self.stop_if([self.p(f.code, reason=f.reason)])
            self.result.saved_at = self.book.saved_at
            self.stop_if(self.check_template())
            self.stop_if(self.check_schema())
            self.stop_if(self.check_unit())
            self.stop_if(self.check_period())
            self.result.identified = True
            sheet = self.read_entry_sheet()
            blocks = self.stop_if_blocks(sheet)
            self.stop_if(self.check_locked(sheet, blocks))
            self.stop_if(self.check_formulas(sheet, blocks))
            self.result.problems.extend(self.check_merged(sheet, blocks))
            self.result.problems.extend(self.read_values(sheet, blocks))
        except _Stop:
            pass
        except IntakeFailure as f:  # a sheet refused on reading (a value far outside the template's area)
            self.result.problems.append(self.p(f.code, sheet=f.sheet, cell=f.cell, reason=f.reason))
        except Exception:  # noqa: BLE001 - a file we cannot read is a problem of that file, never a crash
            if os.environ.get("XLTASKS_DEBUG"):
                raise
            self.result.problems.append(self.p("not-a-workbook",
                                               reason="内容无法解析（文件可能已损坏，或被其他软件改动了结构）"))
        finally:
            if self.book is not None:
                self.book.close()
        if not self.result.valid:
            self.result.rows = []
        self.result.status = STATUS_ACCEPTED if self.result.valid else STATUS_REJECTED
        return self.result

    # --- identification ------------------------------------------------------------------------------
    def meta_cell(self, key: str) -> str:
        return f"B{self.meta_rows[key]}" if key in self.meta_rows else "A1"

    def check_template(self) -> list[Problem]:
        book = self.book
        meta = book.meta()
        if meta is None:
            return [self.p("not-our-template", reason=f"没有隐藏工作表“{L.SHEET_META}”")]
        for i, row in enumerate(book.rows(L.SHEET_META), start=1):
            if row and cell_text(row[0]).strip():
                self.meta_rows.setdefault(cell_text(row[0]).strip(), i)
        self.meta = meta
        if not meta.get(L.META_TEMPLATE_ID) or not meta.get(L.META_UNIT):
            return [self.p("not-our-template", sheet=L.SHEET_META, cell="A1",
                           reason=f"“{L.SHEET_META}”中缺少模板标识（template_id、unit）")]
        if L.SHEET_ENTRY not in book.sheet_names:
            return [self.p("not-our-template", reason=f"没有“{L.SHEET_ENTRY}”工作表")]
        self.result.template_id = meta.get(L.META_TEMPLATE_ID, "")
        return []

    def check_schema(self) -> list[Problem]:
        found = self.meta.get(L.META_SCHEMA_VERSION, "")
        if found not in self.ctx.accepted_schemas:
            # still name the unit when _meta does (a known one): it then counts as 有错误退回, not 未报送
            self.result.unit = self.ctx.index.canonical(self.meta.get(L.META_UNIT, "")) or ""
            return [self.p("schema-version", sheet=L.SHEET_META, cell=self.meta_cell(L.META_SCHEMA_VERSION),
                           found=found or "（空）", accepted="、".join(self.ctx.accepted_schemas))]
        return []

    def check_unit(self) -> list[Problem]:
        raw = self.meta.get(L.META_UNIT, "")
        unit = self.ctx.index.canonical(raw)
        if unit is None:
            out = [self.p("unknown-unit", sheet=L.SHEET_META, cell=self.meta_cell(L.META_UNIT), name=raw)]
            self.result.unit = ""  # not a unit of the register: listed apart, never as a unit's return
            for p in out:
                p.unit = ""
            return out
        self.result.unit = unit
        return []

    def check_period(self) -> list[Problem]:
        found = self.meta.get(L.META_PERIOD, "")
        self.result.period = found
        if not same_period(found, self.ctx.period):
            return [self.p("wrong-period", sheet=L.SHEET_META, cell=self.meta_cell(L.META_PERIOD),
                           found=found or "（空）", expected=self.ctx.period)]
        return []

    # --- the 填报 sheet --------------------------------------------------------------------------------
    def read_entry_sheet(self) -> _Sheet:
        grid = self.book.rows(L.SHEET_ENTRY)
        wanted = {_norm(c.label): c.key for c in L.COLUMNS}
        required = {_norm(x) for x in L.REQUIRED_LABELS}
        best: tuple[int, dict[str, int]] | None = None
        for r, row in enumerate(grid[:15]):
            cols = {}
            for c, v in enumerate(row):
                key = wanted.get(_norm(cell_text(v)))
                if key and key not in cols:
                    cols[key] = c
            found = {_norm(L.COLUMNS[L.COLUMN_INDEX[k]].label) for k in cols}
            if best is None or len(found & required) > len(best[1]):
                best = (r, cols)
            if required <= found:
                return _Sheet(grid, r, cols, self.book.formulas(L.SHEET_ENTRY))
        cols = best[1] if best else {}
        missing = [x for x in L.REQUIRED_LABELS if wanted[_norm(x)] not in cols]
        row = (best[0] if best and best[1] else L.HEADER_ROW - 1) + 1
        self.stop_if([self.p("header-changed", sheet=L.SHEET_ENTRY, cell=f"A{row}", labels="、".join(missing),
                             where=L.SHEET_ENTRY)])
        raise _Stop  # pragma: no cover - stop_if raised

    def stop_if_blocks(self, sheet: _Sheet) -> dict[str, list[int]]:
        """Rows of each task id (0-based grid rows), after the missing/extra/row-without-task checks."""
        blocks: dict[str, list[int]] = {}
        out: list[Problem] = []
        entry_keys = [c.key for c in L.COLUMNS if c.entry and c.key != "direction"]
        issued = [t for t in (self.meta.get(L.META_TASK_IDS, "") or "").replace("，", ",").split(",") if t.strip()]
        issued = [t.strip() for t in issued]
        mine = {t.id for t in self.ctx.index.tasks.get(self.result.unit, [])}
        if not issued:
            issued = [t.id for t in self.ctx.index.tasks.get(self.result.unit, [])]
        issued_set = set(issued)
        for r in range(sheet.header_row + 1, len(sheet.grid)):
            tid = cell_text(sheet.value(r, "task_id")).strip()
            if tid:
                blocks.setdefault(tid, []).append(r)
            elif any(cell_text(sheet.value(r, k)).strip() for k in entry_keys):
                out.append(self.p("row-without-task", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "task_id"), row=r + 1))
        spans = self.meta_spans()
        positions = {tid: first for tid, (first, _) in spans.items()}
        for r, found, expected in _changed_ids(blocks, spans):
            # one id changed inside another task's block: the block is that task's, the cell was edited
            out.append(self.p("locked-cell-changed", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "task_id"),
                              label=L.LABELS["task_id"], expected=expected, found=found))
            blocks[found].remove(r)
            if not blocks[found]:
                del blocks[found]
            blocks[expected] = sorted(blocks.get(expected, []) + [r])
        for tid in issued:
            if tid not in blocks:
                first = positions.get(tid, sheet.header_row + 2)
                out.append(self.p("missing-task", sheet=L.SHEET_ENTRY, cell=L.cell_ref("task_id", first)
                                  if "task_id" in sheet.cols else f"A{first}", task_id=tid))
        for tid, rows in blocks.items():
            if tid not in issued_set or tid not in self.ctx.index.tasks_by_id or (mine and tid not in mine):
                out.append(self.p("extra-task", sheet=L.SHEET_ENTRY, cell=sheet.ref(rows[0], "task_id"), task_id=tid))
        # report in sheet order
        self.stop_if(out)
        return blocks

    def meta_spans(self) -> dict[str, tuple[int, int]]:
        """The issued template's task blocks from `_meta` task_rows: task id → (first, last) 1-based rows;
        empty when the value is missing or malformed (rows are then known from the sheet alone)."""
        try:
            return {tid: (first, last) for tid, first, last in L.parse_task_rows(self.meta.get(L.META_TASK_ROWS, ""))}
        except ValueError:
            return {}

    def check_locked(self, sheet: _Sheet, blocks: dict[str, list[int]]) -> list[Problem]:
        out = []
        unit = self.result.unit
        for tid, rows in blocks.items():
            task = self.ctx.index.tasks_by_id[tid]
            if "task_text" in sheet.cols:
                issued = excel_text(task.text)  # what the template's cell could hold (32,767 characters)
                texts = [(r, cell_text(sheet.value(r, "task_text"))) for r in rows]
                filled = [(r, t) for r, t in texts if t.strip()]
                r0, found = filled[0] if filled else (rows[0], "")
                if found != issued and _norm(found) != _norm(issued):
                    out.append(self.p("locked-cell-changed", sheet=L.SHEET_ENTRY, cell=sheet.ref(r0, "task_text"),
                                      label=L.LABELS["task_text"], expected=issued, found=found or "（空）"))
                for r, t in filled[1:]:
                    if t != issued and _norm(t) != _norm(issued):
                        out.append(self.p("locked-cell-changed", sheet=L.SHEET_ENTRY,
                                          cell=sheet.ref(r, "task_text"), label=L.LABELS["task_text"],
                                          expected=issued, found=t))
            if "role" in sheet.cols:
                expected = self.ctx.index.role(unit, tid)
                for r in rows:
                    found = cell_text(sheet.value(r, "role")).strip()
                    if found and found != expected:
                        out.append(self.p("locked-cell-changed", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "role"),
                                          label=L.LABELS["role"], expected=expected, found=found))
        return out

    def check_formulas(self, sheet: _Sheet, blocks: dict[str, list[int]]) -> list[Problem]:
        if sheet.formulas is None or "rate" not in sheet.cols:
            return []  # .xls: the format does not tell formulas apart; values are still checked
        out = []
        for rows in blocks.values():
            for r in rows:
                f = sheet.formulas.get((r, sheet.cols["rate"]))
                expected = _expected_formulas(sheet, r)
                ok = f is not None and (f.text in expected or _norm_formula(f.text) in expected)
                if not ok:
                    found = ("=" + f.text) if f is not None else (cell_text(sheet.value(r, "rate")) or "（空）")
                    out.append(self.p("formula-changed", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "rate"), found=found))
        return out

    def check_merged(self, sheet: _Sheet, blocks: dict[str, list[int]]) -> list[Problem]:
        """Merges over entry cells hide every covered cell's value: only the template's own merges (one
        task-level column over one task block, locked columns within a block) are expected."""
        ranges = self.book.merged_ranges(L.SHEET_ENTRY)
        if not ranges:
            return []
        from xlsxwriter.utility import xl_rowcol_to_cell

        row_task = {r: tid for tid, rows in blocks.items() for r in rows}
        entry_cols = {sheet.cols[c.key]: c for c in L.COLUMNS if c.entry and c.key in sheet.cols}
        # the template's own merges: one task-level or locked column over exactly one issued block
        own_cols = {i for i, c in entry_cols.items() if c.task_level} | {
            sheet.cols[c.key] for c in L.COLUMNS if not c.entry and c.key in sheet.cols}
        own = {(first - 1, last - 1) for first, last in self.meta_spans().values()}
        out = []
        for r1, c1, r2, c2 in ranges:
            if r2 <= sheet.header_row or (r1 == r2 and c1 == c2):
                continue
            if c1 == c2 and c1 in own_cols and (r1, r2) in own:
                continue  # as issued, whatever the ids in it now say (an edited id is checked above)
            crosses = len({row_task.get(r) for r in range(max(r1, sheet.header_row + 1), r2 + 1)}) > 1
            touched = [entry_cols[c] for c in range(c1, c2 + 1) if c in entry_cols]
            narrative = c1 == c2 and bool(touched) and touched[0].task_level
            if crosses or (touched and not narrative):
                a, b = xl_rowcol_to_cell(r1, c1), xl_rowcol_to_cell(r2, c2)
                out.append(self.p("merged-cells", sheet=L.SHEET_ENTRY, cell=a, range=f"{a}:{b}"))
        return out

    # --- values ---------------------------------------------------------------------------------------
    def read_values(self, sheet: _Sheet, blocks: dict[str, list[int]]) -> list[Problem]:
        out: list[Problem] = []
        unit = self.result.unit
        rows_out: list[ProgressRow] = []
        sheet.percent = self.book.percent_cells(L.SHEET_ENTRY, [sheet.cols[k] for k in ("target", "current")
                                                                if k in sheet.cols])
        # A row whose entry cells are all empty and hold no formula is skipped below without a problem
        # (every text reads as "", every value as blank): most pre-made rows are, so they are told apart
        # here before any per-cell work.
        grid, formulas = sheet.grid, sheet.formulas
        text_cols = [sheet.cols[k] for k in _ROW_TEXT_KEYS if k in sheet.cols]
        value_cols = [sheet.cols[k] for k in ("target", "current", "self_rate") if k in sheet.cols]

        def blank(r: int) -> bool:
            if r >= len(grid):
                return not formulas or not any((r, c) in formulas for c in text_cols)
            row = grid[r]
            n = len(row)
            for c in value_cols:
                if c < n and row[c] is not None and row[c] != "":
                    return False
            for c in text_cols:
                if c < n and row[c] is not None and row[c] != "":
                    return False
                if formulas and (r, c) in formulas:
                    return False
            return True

        for tid, rows in blocks.items():
            task = self.ctx.index.tasks_by_id[tid]
            role = self.ctx.index.role(unit, tid)
            task_rows: list[ProgressRow] = []
            item, item_no, item_from_indicator = "", 0, False
            reported = False  # a 细化项目 typed, or a value reported, in this block
            narrative = {"highlights": [], "problems": []}
            for r in rows:
                if blank(r):
                    continue
                rc = _RowCheck(self, sheet, r, out)
                texts = {k: rc.text(k) for k in ("item", "indicator", "measure_unit")}
                for k in ("highlights", "problems"):
                    t = rc.text(k)
                    if t:
                        narrative[k].append(t)
                raw = {k: sheet.value(r, k) for k in ("target", "current", "self_rate")}
                # 指标方向 is pre-filled on every row, so it alone does not make a row filled
                if not any(texts.values()) and not any(cell_text(v).strip() for v in raw.values()):
                    continue  # a blank spare row (or one with only narrative)
                untouched = not (texts["item"] or cell_text(raw["current"]).strip()
                                 or cell_text(raw["self_rate"]).strip())
                if untouched and not texts["item"] and (not item or item_from_indicator) \
                        and (texts["indicator"] or not (cell_text(raw["target"]).strip() or texts["measure_unit"])):
                    # a pre-filled proposal nobody reported on: template content, not a return (a target
                    # without an indicator is not one: it goes on to be reported, never silently dropped)
                    continue
                if texts["item"]:
                    item, item_no, item_from_indicator = texts["item"], item_no + 1, False
                    reported = True
                elif not item or item_from_indicator:
                    if not texts["indicator"]:
                        out.append(self.p("indicator-without-item", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "item"),
                                          indicator=cell_text(raw["target"] or raw["current"]) or "（空）"))
                        continue
                    # a pre-filled proposal row (indicator, no 细化项目): the indicator names its own item
                    item, item_no, item_from_indicator = texts["indicator"], item_no + 1, True
                if any(cell_text(v).strip() for v in (raw["current"], raw["self_rate"])):
                    reported = True
                direction = rc.direction()
                direction_blank = not value_text(cell_text(sheet.value(r, "direction")))
                target = rc.number("target", texts["measure_unit"])
                current, pending_text = rc.current(texts["measure_unit"])
                target, current, texts["measure_unit"] = rc.percents(target, current, texts["measure_unit"])
                self_rate = rc.self_rate()
                if not cell_text(sheet.value(r, "direction")).strip() and target is None and current is None \
                        and not pending_text and self_rate is not None:
                    direction = DIRECTION_QUALITATIVE  # a 细化项目 rated by itself
                if direction_blank and direction != DIRECTION_QUALITATIVE and (target is not None or current is not None):
                    rc.add("default-direction", "direction")  # read as 越高越好: said, never silent
                if not untouched:  # a row without current/self-rate has nothing to relate yet
                    rc.relations(task, texts["indicator"], direction, target, current, self_rate, pending_text)
                task_rows.append(ProgressRow(
                    task_id=tid, unit=unit, role=role, item=item, indicator=texts["indicator"],
                    measure_unit=texts["measure_unit"], target=target, current=current, direction=direction,
                    self_rate=self_rate, pending=bool(pending_text), current_text=pending_text,
                    item_no=item_no, provenance=Provenance(self.source.path, self.source.sha256, L.SHEET_ENTRY, r + 1)))
            highlights = "\n".join(narrative["highlights"])
            problems_text = "\n".join(narrative["problems"])
            if not task_rows and (highlights or problems_text):
                task_rows.append(ProgressRow(task_id=tid, unit=unit, role=role, item="", item_no=0,
                                             provenance=Provenance(self.source.path, self.source.sha256,
                                                                   L.SHEET_ENTRY, rows[0] + 1)))
            if task_rows:
                task_rows[0].highlights = highlights
                task_rows[0].problems = problems_text
            if role == ROLE_LEAD and not reported:
                out.append(self.p("missing-item", sheet=L.SHEET_ENTRY, cell=sheet.ref(rows[0], "item"), task_id=tid))
            rows_out.extend(task_rows)
        self.result.rows = rows_out
        if not rows_out and not any(p.level == LEVEL_ERROR for p in out):
            # accepted, but the unit said nothing at all (an unfilled template): shown, never silent
            out.append(self.p("empty-return", sheet=L.SHEET_ENTRY,
                              cell=sheet.ref(sheet.header_row + 1, "item")))
        return out


def _changed_ids(blocks: dict[str, list[int]], spans: dict[str, tuple[int, int]]) -> list[tuple[int, str, str]]:
    """(row, id found, id expected) of task-id cells changed to another issued task's id inside a block.

    When the id rows are exactly the issued blocks of `_meta` task_rows (no row added or deleted), each
    row's block is known from there. Otherwise (rows inserted by copying, spare rows deleted): a task's
    rows normally form one run in sheet order; a run of a task apart from its main run (the one over the
    task's `_meta` block, else the longest) whose neighbours above and below both belong to one other task
    is that other task's row with an edited 任务编号 (B80 "3.39" → "4.3"); at a block's edge, the neighbour
    whose issued block holds the rows is the one expected. An id that was never issued stays extra-task."""
    seq = sorted((r, tid) for tid, rows in blocks.items() for r in rows)
    owner = {r - 1: tid for tid, (first, last) in spans.items() for r in range(first, last + 1)}
    if owner and len(owner) == len(seq) and all(r in owner for r, _ in seq):
        # no row added or deleted: every id row is where the template put it, so its block is known
        return [(r, tid, owner[r]) for r, tid in seq if tid != owner[r] and tid in spans]
    runs: dict[str, list[list[int]]] = {}  # tid → runs of seq indices
    for i, (_, tid) in enumerate(seq):
        group = runs.setdefault(tid, [])
        if group and group[-1][-1] == i - 1:
            group[-1].append(i)
        else:
            group.append([i])
    out = []
    for tid, group in runs.items():
        if len(group) < 2:
            continue
        span = spans.get(tid)

        def weight(run: list[int]) -> tuple[int, int]:
            rows = [seq[i][0] + 1 for i in run]
            over = sum(span[0] <= r <= span[1] for r in rows) if span else 0
            return over, len(run)

        main = max(group, key=weight)
        for run in group:
            if run is main:
                continue
            above = seq[run[0] - 1][1] if run[0] > 0 else None
            below = seq[run[-1] + 1][1] if run[-1] + 1 < len(seq) else None
            if above is not None and above == below and above != tid:
                out.extend((seq[i][0], tid, above) for i in run)
                continue
            # at a block's edge: the neighbour whose issued block (in _meta) holds these rows
            owners = {_span_owner(spans, seq[i][0] + 1) for i in run}
            if len(owners) == 1:
                owner = owners.pop()
                if owner is not None and owner != tid and owner in (above, below):
                    out.extend((seq[i][0], tid, owner) for i in run)
    return sorted(out)


def _span_owner(spans: dict[str, tuple[int, int]], row: int) -> str | None:
    return next((tid for tid, (first, last) in spans.items() if first <= row <= last), None)


_ROW_TEXT_KEYS = ("item", "indicator", "measure_unit", "highlights", "problems")

# A number as text: digits with an optional decimal part and exponent ("1e5", "2.5E-3"); thousands
# separators only in groups of three ("1,234,567", never "1,23"); full-width digits are folded by NFKC first.
_NUM = r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_PLAIN = re.compile(rf"^({_NUM})$")
_PERCENT = re.compile(rf"^({_NUM})\s*%$")
_APPROX = re.compile(rf"^(约|大约|约为|近|接近|将近|超过|超|逾|达|不少于|不低于|不到|不足|预计)?\s*({_NUM})\s*([^\d\s]{{0,8}}?)\s*"
                     rf"(左右|以上|以下|以内|余|多|上下)?$")
_WITH_UNIT = re.compile(rf"^({_NUM})\s*([^\d\s,.，。、].{{0,11}})$")  # "1,23" is a typo, not a unit
_SCALE_WORDS = ("万亿", "百万", "千万", "亿", "万", "千", "百")


def _to_float(s: str) -> float:
    return float(s.replace(",", ""))


# Characters nobody sees in a cell (zero-width space/joiners, word joiner, BOM, soft hyphen), common in
# text pasted from web pages and chat apps; NBSP and the ideographic space are folded to spaces by NFKC.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff]")


def value_text(raw: str) -> str:
    """A value cell's text as it is parsed: NFKC (full-width digits, NBSP), invisible characters removed,
    outer spaces stripped."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", raw)).strip()


def is_pending(raw: str) -> bool:
    """A 当前值 that says it is not known yet: it contains a pending marker ("待年底核算", "0（待年底核算）")."""
    key = _norm(value_text(raw))
    return any(m in key for m in _PENDING)


class _RowCheck:
    """The value checks of one entry row; problems go to `out`."""

    def __init__(self, fc: _FileCheck, sheet: _Sheet, r: int, out: list[Problem]):
        self.fc, self.sheet, self.r, self.out = fc, sheet, r, out

    def add(self, code: str, key: str, **params) -> None:
        self.out.append(self.fc.p(code, sheet=L.SHEET_ENTRY, cell=self.sheet.ref(self.r, key),
                                  label=L.LABELS[key], **params))

    def raw(self, key: str):
        """The cell value, or a formula's cached result (reported: a formula is no entry)."""
        v = self.sheet.value(self.r, key)
        formulas = self.sheet.formulas
        if formulas and key in self.sheet.cols:
            f = formulas.get((self.r, self.sheet.cols[key]))
            if f is not None:
                if not f.has_value:
                    self.add("formula-without-value", key, formula="=" + f.text)
                    return None
                self.add("formula-in-entry", key, value=cell_text(v))
        return v

    def text(self, key: str) -> str:
        v = self.raw(key)
        if v is None or v == "":
            return ""
        s = v.isoformat() if isinstance(v, (dt.date, dt.datetime, dt.time)) else cell_text(v)
        s, changed = clean_text(s)
        if changed:
            self.add("control-characters", key)
        s = s.strip()
        if len(s) > L.TEXT_LIMITS[key]:
            self.add("text-too-long", key, length=len(s), limit=L.TEXT_LIMITS[key])
        return s

    def direction(self) -> str:
        v = value_text(cell_text(self.raw("direction")))
        if not v:
            return DIRECTION_HIGHER
        code = DIRECTION_BY_LABEL.get(_norm(v))
        if code is None:
            self.add("bad-direction", "direction", value=v)
            return DIRECTION_HIGHER
        return code

    def number(self, key: str, measure_unit: str, *, allow_pending: bool = False) -> float | None:
        v = self.raw(key)
        if v is None or (isinstance(v, str) and not value_text(v)):
            return None
        if isinstance(v, bool) or isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
            self.add("not-a-number", key, value=cell_text(v) if not hasattr(v, "isoformat") else v.isoformat())
            return None
        if isinstance(v, (int, float)):
            if not math.isfinite(v):  # a hand-made file can store NaN/INF; no spreadsheet value means that
                self.add("not-a-number", key, value=cell_text(v))
                return None
            return float(v)
        return self.parse_text_number(key, str(v), measure_unit)

    def parse_text_number(self, key: str, raw: str, measure_unit: str) -> float | None:
        s = value_text(raw)
        shown = raw.strip()
        m = _PLAIN.match(s) or (_PERCENT.match(s) if _norm(measure_unit) in ("%", "百分比") else None)
        if m:
            x = _to_float(m.group(1))
            if not math.isfinite(x):  # 400 digits of text overflow a float
                self.add("not-a-number", key, value=shown)
                return None
            self.add("number-as-text", key, value=shown, number=x)
            return x
        m = _APPROX.match(s)
        if m and (m.group(1) or m.group(4)):
            self.add("approximate-number", key, value=shown, number=m.group(2))
            return None
        m = _WITH_UNIT.match(s)
        if m:
            self.add("number-with-unit", key, value=shown, number=m.group(1),
                     mu=_suggest_unit(m.group(2).strip(), measure_unit))
            return None
        self.add("not-a-number", key, value=shown)
        return None

    def current(self, measure_unit: str) -> tuple[float | None, str]:
        v = self.sheet.value(self.r, "current")
        if isinstance(v, str) and is_pending(v):
            # "0（待年底核算）" too: the figure is a placeholder; the whole text is kept as typed
            text = value_text(v) if _INVISIBLE.search(v) else v.strip()
            self.add("pending-value", "current", value=text)
            return None, text
        return self.number("current", measure_unit), ""

    def self_rate(self) -> float | None:
        v = self.raw("self_rate")
        if v is None or (isinstance(v, str) and not value_text(v)):
            return None
        shown = cell_text(v).strip()
        if isinstance(v, str):
            s = value_text(v)
            m = _PERCENT.match(s)
            if m:
                x = _to_float(m.group(1)) / 100
                if not 0 <= x <= 1:
                    self.add("percent-out-of-range", "self_rate", value=shown)
                    return None
                self.add("number-as-text", "self_rate", value=shown, number=f"{x:.4g}（{m.group(1)}%）")
                return x
            m = _PLAIN.match(s)
            if not m:
                m2 = _APPROX.match(s)
                code = "approximate-number" if m2 and (m2.group(1) or m2.group(4)) else "not-a-number"
                self.add(code, "self_rate", value=shown, number="85%")
                return None
            x = _to_float(m.group(1))
            self.add("number-as-text", "self_rate", value=shown, number=x)
        elif isinstance(v, bool) or not isinstance(v, (int, float)):
            self.add("not-a-number", "self_rate", value=shown)
            return None
        else:
            x = float(v)
        if not math.isfinite(x):
            self.add("not-a-number", "self_rate", value=shown)
            return None
        if x < 0 or x > 100:
            self.add("percent-out-of-range", "self_rate", value=shown)
            return None
        if x > 1:
            self.add("ambiguous-percent", "self_rate", value=shown, percent=f"{x:g}%")
            return x / 100
        return x

    def percents(self, target, current, measure_unit: str) -> tuple[float | None, float | None, str]:
        """Percent-formatted numbers as percent points, and target/current on scales 100× apart caught."""
        values = {"target": target, "current": current}
        formatted: set[str] = set()
        mu = measure_unit
        for key, x in values.items():
            if x is None or (self.r, self.sheet.cols.get(key)) not in self.sheet.percent:
                continue
            v = self.sheet.value(self.r, key)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                continue  # text ("3.5%", "3.5") in a percent-formatted cell was read as typed
            points = float(f"{x * 100:.12g}")  # 0.035 → 3.5, not 3.5000000000000004
            shown = f"{points:g}%"
            if _norm(mu) not in _PERCENT_UNITS and _norm(mu) != "":
                self.add("percent-format-unit", key, shown=shown, mu=mu, number=f"{points:g}")
                values[key] = None
                continue
            mu = mu or "%"
            self.add("percent-format", key, shown=shown, number=f"{points:g}", mu=mu)
            values[key] = points
            formatted.add(key)
        t, c = values["target"], values["current"]
        if _norm(mu) in _PERCENT_UNITS and t and c and math.isfinite(t) and math.isfinite(c):
            small, big = sorted(("target", "current"), key=lambda k: abs(values[k]))
            ratio = abs(values[big] / values[small])
            # 20×–: two readings of one percentage (0.035 and 3.2 differ 91×); a real 3.5 vs 0.3 is not caught
            odd = None
            if len(formatted) == 1 and ratio >= 20:
                odd = next(iter(formatted))  # a percent format on one side only: that side is the odd one
            elif not formatted and ratio >= 20 and abs(values[small]) <= 1 < abs(values[big]):
                odd = small
            if odd is not None:
                other = "current" if odd == "target" else "target"
                fixed = values[odd] * 100 if odd == small else values[odd] / 100
                example = {odd: f"{float(f'{fixed:.12g}'):g}", other: f"{values[other]:g}"}
                self.add("percent-scale-mismatch", odd, target=f"{t:g}", current=f"{c:g}", mu=mu,
                         ratio=f"{ratio:.0f}", example_target=example["target"],
                         example_current=example["current"])
        return values["target"], values["current"], mu

    def relations(self, task: Task, indicator: str, direction: str, target, current, self_rate,
                  pending_text: str) -> None:
        if direction == DIRECTION_QUALITATIVE:
            if self_rate is None and not self._bad("self_rate"):
                self.add("missing-self-rate", "self_rate")
            return
        if current is not None and target is None and not self._bad("target"):
            self.add("current-without-target", "current", current=current)
        if current is not None and target == 0:
            self.add("zero-target", "target")
        if current is not None and target not in (None, 0) and abs(current) >= 100 * abs(target):
            self.add("current-100x-target", "current", current=current, target=target,
                     ratio=f"{abs(current / target):.0f}")
        if target is not None and indicator:
            issued = self.fc.ctx.proposals(task).get(_norm(indicator))
            if issued is not None and abs(issued - target) > 1e-9 * max(1.0, abs(issued)):
                self.add("target-changed", "target", issued=issued, found=target)

    def _bad(self, key: str) -> bool:
        ref = self.sheet.ref(self.r, key)
        return any(p.cell == ref and p.level == LEVEL_ERROR for p in self.out[-6:])


_PENDING = {_norm(m) for m in L.PENDING_MARKERS}
_PERCENT_UNITS = {"%", "百分比", "个百分点", "百分点"}


def _suggest_unit(suffix: str, measure_unit: str) -> str:
    """计量单位 to suggest for "2000万": the row's own unit when it fits, else the scale word + 元."""
    mu = measure_unit.strip()
    if suffix in _SCALE_WORDS:
        if mu.startswith(suffix):
            return mu
        if mu:
            return suffix + mu
        return suffix + "元"
    return suffix


# --- formulas -----------------------------------------------------------------------------------------

def _norm_formula(text: str) -> str:
    parts = re.split(r'("[^"]*")', (text or "").lstrip("="))
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"\s+", "", parts[i]).replace("$", "").upper()
    return "".join(parts)


_ROW_TOKEN = "\x00ROW\x00"


_EXPECTED_CACHE: dict[tuple, frozenset[str]] = {}


def _expected_formulas(sheet: _Sheet, r: int) -> frozenset[str]:
    """The 完成率 formulas a template may hold on grid row r (rates.py is the only source). They depend only
    on the columns and the row, so they are kept across files (bounded: hostile sheets vary both)."""
    key = (tuple(sheet.cols.get(k, 0) for k in ("target", "current", "self_rate", "direction")), r)
    found = _EXPECTED_CACHE.get(key)
    if found is None:
        found = frozenset(_expected_formulas_uncached(sheet, r))
        if len(_EXPECTED_CACHE) < 200_000:
            _EXPECTED_CACHE[key] = found
    return found


def _expected_formulas_uncached(sheet: _Sheet, r: int) -> set[str]:
    patterns = sheet.__dict__.get("_formula_patterns")
    if patterns is None:
        from xlsxwriter.utility import xl_col_to_name

        def ref(key):
            return f"{xl_col_to_name(sheet.cols.get(key, 0))}{_ROW_TOKEN}"

        patterns = set()
        for pending_as_zero in (False, True):
            base = indicator_formula(ref("target"), ref("current"), ref("self_rate"), direction_ref=ref("direction"),
                                     pending_as_zero=pending_as_zero)
            patterns.add(_norm_formula(base))
            patterns.add(_norm_formula(shown_formula(base, ref("current"), pending_as_zero=pending_as_zero)))
        sheet.__dict__["_formula_patterns"] = patterns
    row = str(r + 1)
    return {p.replace(_ROW_TOKEN.upper(), row) for p in patterns}


def check_file(source: Source, ctx: Context) -> FileResult:
    """Validate one returned file; its rows are kept only when it has no error."""
    return _FileCheck(source, ctx).run()
