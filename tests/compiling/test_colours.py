"""The 汇编's colours: each highlight condition's Excel formula (as the conditional formats use it) against
its Python side, RuleSet.matches(), checked by LibreOffice."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.recalc import compare_with_libreoffice
from xltasks.compiling.colours import condition_formula
from xltasks.compiling.rules import CONDITIONS, rules_from_dict
from xltasks.core import rates
from xltasks.core.xlsx import new_workbook, write_text

Q3 = dt.date(2021, 9, 30)

RATES = [None, "待核算", 0.2, 0.6, 0.7, 0.75, 0.78, 0.9, 1.0, 1.5]


@pytest.mark.libreoffice
def test_condition_formulas_agree_with_python(soffice, tmp_path):
    """Each condition's Excel formula, written into cells with RuleSet.matches() as cached value."""
    rules = rules_from_dict({"progress": {"on_time_band": 0.05, "lag_margin": 0.1, "deadline_near_days": 30}})
    path = tmp_path / "conditions.xlsx"
    wb = new_workbook(path)
    for sheet, as_of, deadline in (("临近", dt.date(2021, 12, 15), "12-31"), ("逾期", Q3, "06-30"),
                                   ("三季度", Q3, "12-31")):
        rules.deadline = deadline
        expected = rules.expected(as_of)
        ws = wb.add_worksheet(sheet)
        # the cells compile's formulas refer to: as-of $G$2, 序时进度 $J$2, deadline $L$2
        ws.write_datetime(1, 6, dt.datetime.combine(as_of, dt.time()))
        ws.write_number(1, 9, expected)
        ws.write_datetime(1, 11, dt.datetime.combine(rules.deadline_date(as_of), dt.time()))
        row = 3
        for rate in RATES:
            for reported in (True, False):
                r1 = row + 1
                if isinstance(rate, str):
                    write_text(ws, row, 2, rate)
                elif rate is not None:
                    ws.write_number(row, 2, rate)
                py_rate = rate if isinstance(rate, float) else None
                ws.write_number(row, 14, 1 if reported else 0)
                status = rates.classify(py_rate, expected, reported=reported, on_time_band=rules.on_time_band)
                ws.write_formula(row, 13, "=" + rates.status_formula(f"C{r1}", "$J$2", f"O{r1}",
                                                                     on_time_band=rules.on_time_band), None, status)
                for c, when in enumerate(CONDITIONS, start=16):
                    task_f = condition_formula(when, rules, f"$C{r1}", f"$N{r1}", f"$O{r1}")
                    ws.write_formula(row, c, "=" + task_f, None,
                                     rules.matches(when, py_rate, expected, as_of, reported=reported))
                    if when == "not_reported" or not reported:
                        continue
                    item_f = condition_formula(when, rules, f"$C{r1}", None, None)
                    ws.write_formula(row, c + 20, "=" + item_f, None,
                                     rules.matches(when, py_rate, expected, as_of, reported=True))
                row += 1
    wb.close()
    n, problems = compare_with_libreoffice(path, tmp_path / "lo")
    assert n > 300
    assert problems == []
