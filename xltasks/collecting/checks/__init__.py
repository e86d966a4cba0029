"""The checks of one returned file, as data: structural checks in run order, then value checks.

Each check is a small function declaring the problem codes it may emit (base.check). The structural
checks run in the order of STRUCTURAL_CHECKS and the file stops at the first that reports an error;
problems.STRUCTURAL_ORDER (and docs/problem-codes.md) are derived from that tuple. The value checks then
all run, and every problem they find is reported together. `run_checks` is the whole sequence.
"""
from __future__ import annotations

import traceback

from ...core.errors import ReturnedFileError
from .base import Check, Subject, check, has_error
from .cells import bidi_controls, error_values, outside_entry
from .formulas import completion_formulas
from .identity import (known_unit, our_template, same_period, same_period_as_collected, same_register,
                       schema_version)
from .merged import entry_merges
from .opening import opens_as_workbook
from .rows import entry_rows
from .sheets import other_sheets
from .tasks import entry_header, locked_cells, task_blocks

STRUCTURAL_CHECKS: tuple[Check, ...] = (
    opens_as_workbook,
    our_template, schema_version, same_register, known_unit, same_period_as_collected,  # by _meta
    entry_header, task_blocks, locked_cells, completion_formulas,  # the 填报 sheet's shape
)
VALUE_CHECKS: tuple[Check, ...] = (entry_merges, error_values, bidi_controls, outside_entry, entry_rows,
                                   other_sheets)


def _codes_in_order(checks: tuple[Check, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for c in checks:
        out.extend(code for code in c.codes if code not in out)
    return tuple(out)


STRUCTURAL_ORDER = _codes_in_order(STRUCTURAL_CHECKS)


def run_checks(subject: Subject) -> list:
    """Every problem of the file: the structural checks up to the first failing one, then the value checks.
    A file that cannot be read is a problem of that file, never a crash."""
    problems = []
    try:
        for c in STRUCTURAL_CHECKS:
            found = c(subject)
            problems.extend(found)
            if has_error(found):
                return problems
        for c in VALUE_CHECKS:
            problems.extend(c(subject))
    except ReturnedFileError as f:  # a sheet refused on reading (a value far outside the template's area)
        problems.append(subject.problem(f.code, sheet=f.sheet, cell=f.cell, reason=f.reason))
    except Exception:  # noqa: BLE001
        if subject.ctx.debug:  # `xltasks -v`: the traceback too, and the run goes on
            traceback.print_exc()
        problems.append(subject.problem("not-a-workbook", reason="内容无法解析（文件可能已损坏，或被其他软件改动了结构）"))
    return problems


__all__ = ["STRUCTURAL_CHECKS", "STRUCTURAL_ORDER", "VALUE_CHECKS", "Check", "Subject", "check", "run_checks",
           "same_period"]
