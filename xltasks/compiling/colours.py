"""The colours of the 汇编: a rule set's highlight conditions as Excel conditional-format formulas (the Excel
side of RuleSet.matches), on the task, 细化项目 or indicator rate columns the rule set colours."""
from __future__ import annotations

from ..core import rates
from ..core.cells import column_letter
from ..core.layout import (AS_OF_REF, COL_ITEM_RATE, COL_RATE, COL_REPORTED, COL_STATUS, COL_TASK, COL_TASK_RATE,
                           DEADLINE_REF, EXPECTED_REF)
from .formats import Formats
from .rules import STATUSES_OF, TASK_ONLY, RuleSet


def condition_formula(when: str, rules: RuleSet, rate_ref: str, status_ref: str | None,
                      reported_ref: str | None) -> str:
    """Excel side of RuleSet.matches(); task cells test the status helper, other cells their own rate."""
    band = rules.on_time_band
    status = status_ref or rates.classify_formula(rate_ref, EXPECTED_REF, on_time_band=band)
    if when in STATUSES_OF:
        tests = [f'{status}="{s}"' for s in STATUSES_OF[when]]
        return tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"
    reported = f"{reported_ref}=1," if reported_ref else ""
    if when == "lagging":
        return f"AND({reported}{rates.below_margin_formula(rate_ref, EXPECTED_REF, rules.lag_margin)})"
    open_rate = f"ISNUMBER({rate_ref}),{rates.compared_formula(rate_ref, inside_and=True)}<1"
    if when == "deadline_near":
        return (f"AND({reported}{open_rate},{DEADLINE_REF}-{AS_OF_REF}>=0,"
                f"{DEADLINE_REF}-{AS_OF_REF}<={rules.deadline_near_days})")
    if when == "overdue":
        return f"AND({reported}{open_rate},{AS_OF_REF}>{DEADLINE_REF})"
    raise ValueError(when)


def conditional_formats(ws, f: Formats, rules: RuleSet, first: int, last: int) -> None:
    """The rule set's colours on data rows first..last (0-based), first matching rule wins."""
    if not rules.highlights:
        return
    formats = [f.wb.add_format(h.format_props()) for h in rules.highlights]
    row1 = first + 1
    targets = []
    if "task" in rules.apply_to:
        targets.append(("task", (first, COL_TASK, last, COL_TASK_RATE), f"${column_letter(COL_TASK_RATE)}{row1}",
                        f"${column_letter(COL_STATUS)}{row1}", f"${column_letter(COL_REPORTED)}{row1}"))
    if "item" in rules.apply_to:
        targets.append(("item", (first, COL_ITEM_RATE, last, COL_ITEM_RATE),
                        f"${column_letter(COL_ITEM_RATE)}{row1}", None, None))
    if "indicator" in rules.apply_to:
        targets.append(("indicator", (first, COL_RATE, last, COL_RATE),
                        f"${column_letter(COL_RATE)}{row1}", None, None))
    for level, rng, rate_ref, status_ref, reported_ref in targets:
        for h, cf in zip(rules.highlights, formats):
            if level != "task" and h.when in TASK_ONLY:
                continue
            ws.conditional_format(*rng, {"type": "formula", "stop_if_true": True, "format": cf,
                                         "criteria": "=" + condition_formula(h.when, rules, rate_ref, status_ref,
                                                                              reported_ref)})

