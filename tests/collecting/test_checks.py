"""Each check of collect on its own, on a Subject built by hand (an EntrySheet from a plain grid, _meta as a
dict), and the structural order derived from the check tuple."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.builders import PERIOD, make_register
from xltasks.collecting import checks
from xltasks.collecting.checks import identity, tasks
from xltasks.collecting.checks.base import Subject, check
from xltasks.collecting.checks.formulas import completion_formulas, expected_formulas, normalize_formula
from xltasks.collecting.checks.rows import entry_rows
from xltasks.collecting.intake import Source
from xltasks.collecting.sheet import EntrySheet, find_header
from xltasks.collecting.sheet_xml import Formula
from xltasks.collecting.validate import Context
from xltasks.core import layout as L
from xltasks.core import problems
from xltasks.core.rates import indicator_formula, shown_formula

UNIT = "市发改委"  # issued 1.1 (lead, rows 4-9) and 1.2 (support, rows 10-15)
TEXTS = {t.id: t.text for t in make_register().tasks}


def entry_grid(rows: dict[int, dict[str, object]], n: int = 15) -> list[list]:
    """A 填报 grid as calamine gives it: title, info, header, then rows 4..n of the two issued blocks."""
    width = len(L.COLUMNS)
    grid = [[""] * width for _ in range(n)]
    grid[0][0] = "标题"
    grid[L.HEADER_ROW - 1] = [c.label for c in L.COLUMNS]
    for r in range(L.FIRST_ENTRY_ROW, n + 1):
        tid = "1.1" if r <= 9 else "1.2"
        values = {"task_id": tid, "task_text": TEXTS[tid], "role": "牵头" if tid == "1.1" else "配合",
                  "direction": "越高越好", **rows.get(r, {})}
        for key, v in values.items():
            grid[r - 1][L.COLUMN_INDEX[key]] = v
    return grid


def rate_formulas(n: int = 15) -> dict:
    def ref(key, r):
        return f"{L.col_letter(key)}{r}"

    out = {}
    for r in range(L.FIRST_ENTRY_ROW, n + 1):
        base = indicator_formula(ref("target", r), ref("current", r), ref("self_rate", r),
                                 direction_ref=ref("direction", r))
        out[(r - 1, L.COLUMN_INDEX["rate"])] = Formula(shown_formula(base, ref("current", r)), True)
    return out


def subject(grid=None, formulas=None, meta=None, percent=frozenset()) -> Subject:
    ctx = Context(make_register(), PERIOD)
    s = Subject(Source("r.xlsx", "/r.xlsx", b"", 0.0), ctx)
    s.meta = {L.META_UNIT: UNIT, L.META_PERIOD: PERIOD, L.META_TASK_IDS: "1.1,1.2",
              L.META_TASK_ROWS: "1.1:4-9;1.2:10-15", L.META_SCHEMA_VERSION: L.SCHEMA_VERSION, **(meta or {})}
    s.unit = UNIT
    if grid is not None:
        header = find_header(grid)
        s.sheet = EntrySheet(grid, header.row, header.cols, formulas if formulas is not None else rate_formulas(),
                             percent)
    return s


def places(problems_) -> list[tuple[str, str]]:
    return [(p.code, p.cell) for p in problems_]


def test_structural_order_is_the_order_of_the_check_tuple():
    derived = []
    for c in checks.STRUCTURAL_CHECKS:
        derived += [code for code in c.codes if code not in derived]
    assert problems.STRUCTURAL_ORDER == checks.STRUCTURAL_ORDER == tuple(derived)
    assert problems.STRUCTURAL_ORDER == (
        "not-a-workbook", "encrypted", "bad-password", "too-large", "xml-dtd", "not-our-template", "schema-version",
        "register-mismatch",
        "unknown-unit", "wrong-period", "header-changed", "missing-task", "extra-task", "row-without-task",
        "locked-cell-changed", "task-id-number", "rows-reordered", "formula-changed")


def test_every_code_belongs_to_a_check_and_checks_declare_only_known_codes():
    declared = {code for c in checks.STRUCTURAL_CHECKS + checks.VALUE_CHECKS for code in c.codes}
    after_merge = {"duplicate-superseded", "older-return-used", "newest-times-disagree"}  # given by merge.py across files
    assert declared | after_merge == set(problems.CODES)
    with pytest.raises(ValueError):
        check("no-such-code")


def test_identity_checks_read_meta_only():
    s = subject(meta={L.META_UNIT: "市不存在局"})
    assert places(identity.known_unit(s)) == [("unknown-unit", "A1")] and s.unit == ""
    s = subject(meta={L.META_UNIT: " 市发改委 "})
    assert identity.known_unit(s) == [] and s.unit == UNIT
    s = subject(meta={L.META_PERIOD: "2021Q2"})
    s.meta_rows = {L.META_PERIOD: 4}
    assert places(identity.same_period_as_collected(s)) == [("wrong-period", "B4")] and not s.identified
    s = subject(meta={L.META_PERIOD: "2021q3"})
    assert identity.same_period_as_collected(s) == [] and s.identified
    s = subject(meta={L.META_SCHEMA_VERSION: "1"})
    s.unit = ""
    (p,) = identity.schema_version(s)
    assert p.code == "schema-version" and s.unit == UNIT  # named, so the unit shows as 有错误退回


def test_header_search():
    grid = entry_grid({})
    assert find_header(grid).row == L.HEADER_ROW - 1 and not find_header(grid).missing
    grid[L.HEADER_ROW - 1][L.COLUMN_INDEX["target"]] = "目标"
    found = find_header(grid)
    assert found.missing == ("目标值",) and found.row == L.HEADER_ROW - 1
    moved = [[""] * len(L.COLUMNS)] + entry_grid({})  # a row inserted above the header
    assert find_header(moved).row == L.HEADER_ROW and not find_header(moved).missing


def test_entry_sheet_is_immutable():
    s = subject(entry_grid({}))
    with pytest.raises(AttributeError):
        s.sheet.header_row = 0  # type: ignore[misc]
    assert s.sheet.ref(3, "target") == "I4" and s.sheet.value(3, "task_id") == "1.1"
    assert s.sheet.value(99, "task_id") == "" and s.sheet.formula(3, "rate") is not None


def test_task_blocks():
    s = subject(entry_grid({}))
    assert tasks.task_blocks(s) == [] and s.blocks == {"1.1": list(range(3, 9)), "1.2": list(range(9, 15))}
    grid = entry_grid({})
    for r in range(9, 15):
        grid[r][L.COLUMN_INDEX["task_id"]] = ""
    grid[12][L.COLUMN_INDEX["item"]] = "写在了没有编号的行"
    grid[4][L.COLUMN_INDEX["task_id"]] = "9.9"
    s = subject(grid)
    assert places(tasks.task_blocks(s)) == [("row-without-task", "B13"), ("missing-task", "B10"),
                                            ("extra-task", "B5")]


def test_an_id_changed_inside_another_block_is_a_locked_cell():
    grid = entry_grid({})
    grid[4][L.COLUMN_INDEX["task_id"]] = "1.2"  # B5, inside 1.1's block
    s = subject(grid)
    (p,) = tasks.task_blocks(s)
    assert (p.code, p.cell) == ("locked-cell-changed", "B5") and 4 in s.blocks["1.1"]


def test_locked_cells():
    grid = entry_grid({5: {"task_text": "改过的任务"}, 11: {"role": "牵头"}})
    s = subject(grid)
    tasks.task_blocks(s)
    assert places(tasks.locked_cells(s)) == [("locked-cell-changed", "C5"), ("locked-cell-changed", "E11")]


def test_completion_formulas():
    s = subject(entry_grid({}))
    tasks.task_blocks(s)
    assert completion_formulas(s) == []
    formulas = rate_formulas()
    formulas[(5, L.COLUMN_INDEX["rate"])] = Formula("J6/I5", True)
    del formulas[(6, L.COLUMN_INDEX["rate"])]
    s = subject(entry_grid({}), formulas)
    tasks.task_blocks(s)
    assert places(completion_formulas(s)) == [("formula-changed", "M6"), ("formula-changed", "M7")]
    no_formulas = subject(entry_grid({}), formulas=None)
    object.__setattr__(no_formulas.sheet, "formulas", None)  # .xls: formulas unknown, not checked
    tasks.task_blocks(no_formulas)
    assert completion_formulas(no_formulas) == []
    written = rate_formulas()[(3, L.COLUMN_INDEX["rate"])].text
    assert normalize_formula(written) in expected_formulas(s.sheet.cols, 3)
    assert normalize_formula("=$j4 / $i4") == "J4/I4"


def test_entry_rows_read_values_and_report_every_cell():
    grid = entry_grid({
        4: {"item": "地铁建设", "indicator": "新增地铁运营里程", "measure_unit": "公里", "target": 75, "current": 60,
            "highlights": "三号线开通"},
        5: {"indicator": "投资额", "measure_unit": "元", "target": "2000万", "current": "约85"},
        6: {"indicator": "就业", "measure_unit": "万人", "target": 20, "current": "0（待年底核算）"},
        10: {"item": "配合数据归集", "direction": "定性", "self_rate": 90},
    })
    s = subject(grid)
    tasks.task_blocks(s)
    found = entry_rows(s)
    assert places(found) == [("number-with-unit", "I5"), ("approximate-number", "J5"), ("pending-value", "J6"),
                             ("ambiguous-percent", "L10")]
    assert [(r.task_id, r.item, r.indicator, r.target, r.current, r.pending) for r in s.rows] == [
        ("1.1", "地铁建设", "新增地铁运营里程", 75.0, 60.0, False),
        ("1.1", "地铁建设", "投资额", None, None, False),
        ("1.1", "地铁建设", "就业", 20.0, None, True),
        ("1.2", "配合数据归集", "", None, None, False)]
    assert s.rows[0].highlights == "三号线开通" and s.rows[3].self_rate == 0.9
    assert s.rows[2].current_text == "0（待年底核算）"


def test_percent_formatted_cells_come_from_the_sheet():
    grid = entry_grid({4: {"item": "就业", "indicator": "失业率", "measure_unit": "", "target": 0.035, "current": 3.2,
                           "direction": "不超过"}})
    s = subject(grid, percent=frozenset({(3, L.COLUMN_INDEX["target"])}))
    tasks.task_blocks(s)
    assert places(entry_rows(s)) == [("percent-format", "I4")]
    assert (s.rows[0].target, s.rows[0].measure_unit) == (3.5, "%")


def test_an_unfilled_lead_task_and_an_empty_return():
    s = subject(entry_grid({}))
    tasks.task_blocks(s)
    assert places(entry_rows(s)) == [("missing-item", "F4")]
    support_only = subject(entry_grid({}))
    support_only.blocks = {"1.2": list(range(9, 15))}  # a return of supporting tasks only, nothing filled
    assert places(entry_rows(support_only)) == [("empty-return", "F4")] and support_only.rows == []


def test_checks_emit_only_the_codes_they_declare(tmp_path):
    """Run over the hostile corpus (every structural and value failure it plants): whatever a check
    returns is among its declared codes."""
    from tests.make_corpus import CASES, Kit

    kit = Kit(tmp_path / "kit")
    ctx = Context(kit.register, PERIOD)
    from xltasks.collecting.intake import walk

    seen = set()
    for case in CASES:
        folder = tmp_path / case.name
        folder.mkdir()
        case.make(kit, folder)
        for source in walk([folder]):
            s = Subject(source, ctx)
            try:
                for c in checks.STRUCTURAL_CHECKS + checks.VALUE_CHECKS:
                    found = c(s)
                    assert {p.code for p in found} <= set(c.codes), (case.name, c.name, found)
                    seen |= {p.code for p in found}
                    if any(p.level == "错误" for p in found) and c in checks.STRUCTURAL_CHECKS:
                        break
            except Exception:  # noqa: BLE001 - a refused read ends the file, as in run_checks
                pass
            finally:
                if s.book is not None:
                    s.book.close()
    assert len(seen) >= 20, seen


def _old_style_cell_problems(sheet, code):
    """The per-cell reading the cell checks replaced with one pass (kept here as the oracle): every entry cell
    in sheet order, its error value by EntrySheet.error, its bidi characters by BIDI.findall."""
    from xltasks.collecting.checks.cells import BIDI, ENTRY_KEYS

    out = []
    for r in range(sheet.first_row, len(sheet.grid)):
        for k in (k for k in ENTRY_KEYS if k in sheet.cols):
            v = sheet.value(r, k)
            if code == "error-value" and sheet.error(r, k):
                out.append((sheet.ref(r, k), sheet.error(r, k)))
            if code == "bidi-control" and isinstance(v, str) and BIDI.search(v):
                out.append((sheet.ref(r, k), "、".join(sorted({f"U+{ord(ch):04X}" for ch in BIDI.findall(v)}))))
    return out


def _sheet_with(grid, errors=None):
    s = subject()
    header = find_header(grid)
    s.sheet = EntrySheet(grid, header.row, header.cols, rate_formulas(), frozenset(), errors or {})
    return s


def test_error_values_in_sheet_order_stored_and_typed():
    from xltasks.collecting.checks.cells import error_values

    col = L.COLUMN_INDEX
    grid = entry_grid({4: {"item": "#1 项目"}, 5: {"target": " #n/a "}, 6: {"current": 3.5, "target": "#VALUE!"},
                       9: {"problems": "#错误"}})
    grid[5].append("#REF!")  # beyond the table's last column: not an entry cell
    errors = {(7, col["problems"]): "#NUM!",  # O8, after row 6's cells although stored first
              (5, col["current"]): "#DIV/0!",  # stored beside the typed "#VALUE!" of the same row, before it
              (5, col["target"]): "#N/A",  # stored and typed in one cell: the stored one is reported
              (3, col["indicator"]): "#NAME?",
              (2, col["current"]): "#REF!",  # the header row
              (4, col["task_id"]): "#REF!",  # not an entry column
              (40, col["current"]): "#REF!"}  # below the grid
    s = _sheet_with(grid, errors)
    found = [(p.cell, re.search(r"是错误值 (.+?)(?:（[^）]*）)?，", p.message)[1]) for p in error_values(s)]
    assert found == [("G4", "#NAME?"), ("I5", "#n/a"), ("I6", "#N/A"), ("J6", "#DIV/0!"), ("O8", "#NUM!"),
                     ("O9", "#错误")]
    assert found == _old_style_cell_problems(s.sheet, "error-value")
    assert all(p.code == "error-value" and p.sheet == L.SHEET_ENTRY for p in error_values(s))


def test_bidi_controls_in_sheet_order_whatever_the_cell_type():
    from xltasks.collecting.checks.cells import bidi_controls

    grid = entry_grid({4: {"current": 12.0, "highlights": "亮点\u200f"}, 7: {"item": "地铁\u2067建设\u2069",
                       "target": "\u202e001"}, 15: {"problems": "末行\u061c"}})
    s = _sheet_with(grid)
    found = [(p.cell, re.search(r"（(U\+[^）]*)）", p.message)[1]) for p in bidi_controls(s)]
    assert found == [("N4", "U+200F"), ("F7", "U+2067、U+2069"), ("I7", "U+202E"), ("O15", "U+061C")]
    assert found == _old_style_cell_problems(s.sheet, "bidi-control")
    assert bidi_controls(_sheet_with(entry_grid({4: {"item": "没有控制字符", "target": 3}}))) == []
