"""Property: whatever a bureau types into the entry cells, collect never crashes and every value is either
merged (exactly as typed, or as a warning at its cell says) or reported at its cell; a rejected file
always carries an error. Random numbers, text, unicode, huge/tiny floats, dates, blanks, formula-like text."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import PERIOD, make_register
from tests.make_corpus import INJECTIONS
from xltasks.core import layout
from xltasks.issuing.fill import Entry, fill_template
from xltasks.collecting.intake import Source
from xltasks.core.models import LEVEL_ERROR
from xltasks.issuing.templates import make_templates
from xltasks.collecting.validate import Context, check_file
from xltasks.core.xlsx import clean_text

UNIT = "市住建局"
ROW = layout.FIRST_ENTRY_ROW + 1  # the second row of task 1.4's block: a blank 细化项目 continues row 4's
FIRST_ITEM = "保障房"
TEXT_KEYS = ("item", "indicator", "measure_unit")
NUMBER_KEYS = ("target", "current", "self_rate")


@pytest.fixture(scope="session")
def base(tmp_path_factory) -> tuple[object, Path]:
    reg = make_register()
    d = tmp_path_factory.mktemp("prop")
    run = make_templates(reg, d / "tpl", PERIOD)
    tpl = next(t.path for t in run.issued if t.unit == UNIT)
    path = d / "base.xlsx"
    fill_template(tpl, path, [Entry("1.4", FIRST_ITEM, "新建保障性住房", "套", 5000, 4200)])
    return reg, path


_chars = st.characters(blacklist_categories=("Cc", "Cs"))  # control characters: the corpus covers them
_text = st.one_of(st.text(_chars, max_size=40), st.sampled_from(
    INJECTIONS + ("=1+1", "2000万", "约85%", "85%", "待年底核算", " 12 ", "1,234.5", "１２", "-0", "1e5", "  ")))
_number = st.one_of(
    st.integers(-10**20, 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e-300, max_value=1e-300),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=1, max_value=100),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
_cell = st.tuples(st.one_of(st.none(), _text, _number), st.booleans())  # (value, typed as a formula)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not clean_text(v)[0].strip())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({k: _cell for k in TEXT_KEYS + NUMBER_KEYS}))
def test_every_value_is_merged_or_reported(base, tmp_path, values):
    reg, base_path = base
    wb = openpyxl.load_workbook(base_path)
    ws = wb[layout.SHEET_ENTRY]
    typed = {}
    for key, (v, as_formula) in values.items():
        if key in TEXT_KEYS and v is not None and not isinstance(v, str):
            v = str(v)  # text columns get text
        c = ws.cell(ROW, layout.COLUMN_INDEX[key] + 1)
        c.value = v
        if isinstance(v, str) and not (as_formula and v.startswith("=")):
            c.data_type = "s"  # typed into a text cell: stays text
        typed[key] = v
    path = tmp_path / "r.xlsx"
    wb.save(path)

    res = check_file(Source(str(path), str(path), path.read_bytes(), 0.0), Context(reg, PERIOD))

    errors = [p for p in res.problems if p.level == LEVEL_ERROR]
    assert res.status == ("accepted" if not errors else "rejected")
    assert all(p.message and p.suggestion for p in res.problems)
    at = {p.cell for p in res.problems}
    row = next((r for r in res.rows if r.provenance.row == ROW), None)
    for key, v in typed.items():
        if _blank(v):
            continue
        ref = layout.cell_ref(key, ROW)
        if ref in at:
            continue  # reported at its cell
        assert res.status == "accepted" or errors, (key, v)
        if res.status != "accepted":
            continue  # the whole file goes back with its errors listed: nothing merged, nothing silent
        assert row is not None, (key, v, res.problems)
        got = getattr(row, key)
        if key in TEXT_KEYS:
            assert got == clean_text(v)[0].strip(), (key, v, got)
        else:
            assert isinstance(v, (int, float)) and not isinstance(v, bool), (key, v, got)
            assert got is not None and math.isclose(got, float(v), rel_tol=1e-12, abs_tol=0), (key, v, got)
    if row is not None and _blank(typed["item"]) and res.status == "accepted":
        assert row.item in (FIRST_ITEM, row.indicator)
