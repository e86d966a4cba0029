"""The 汇编's 完成时限 column, written only where the register has deadlines (issue 13).

It sits right of the hidden helper columns, so every other column keeps its letter and a register without
deadlines (the bundled example) gives the same 汇编 as before. Each task shows its 完成时限 as printed; a
task past that date and under 100% on the as-of date reads "…（逾期）" (a live formula, rates.overdue_formula)
and takes the colour of the rule set's `overdue` rule — or of its `behind` (滞后) rule when it has none.
"""
from __future__ import annotations

import datetime as dt

from ..core import rates
from ..core.cells import cell_ref, column_letter
from ..core.models import Register, Task
from .rules import RuleSet

DEADLINE_COLUMNS = 2  # 完成时限 (shown) and 完成日期 (hidden): what comes after them starts further right
HEADER = "完成时限"
DATE_HEADER = "完成日期"
WIDTH = 14


def has_deadlines(register: Register) -> bool:
    return any(t.deadline for t in register.tasks)


def task_deadline(task: Task) -> dt.date | None:
    try:
        return dt.date.fromisoformat(task.deadline_date) if task.deadline_date else None
    except ValueError:
        return None


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class DeadlineColumn:
    """Writes the column for one 汇编 sheet: header, one merged cell per task, the colour rule."""

    def __init__(self, col: int, head_rows: tuple[int, int], as_of_ref: str):
        self.col, self.date_col = col, col + 1
        self.head_rows = head_rows
        self.as_of_ref = as_of_ref

    def header(self, ws, head_format, helper_format) -> None:
        ws.set_column(self.col, self.col, WIDTH)
        ws.set_column(self.date_col, self.date_col, 10, None, {"hidden": True})
        ws.merge_range(self.head_rows[0], self.col, self.head_rows[1], self.col, HEADER, head_format)
        ws.write_string(self.head_rows[1], self.date_col, DATE_HEADER, helper_format)

    def task(self, ws, put, cell_format, task: Task, start: int, end: int, rate, rate_col: int,
             as_of: dt.date) -> bool:
        """Write the task's cell; True when it is overdue on `as_of`."""
        date = task_deadline(task)
        if date is not None:
            ws.write_datetime(start, self.date_col, dt.datetime.combine(date, dt.time()))
        late = rates.overdue(rate, as_of, date)
        text = task.deadline
        marked = f"{text}（{rates.OVERDUE_MARK}）"
        formula = None
        if date is not None:
            test = rates.overdue_formula(cell_ref(start, rate_col), self.as_of_ref,
                                         cell_ref(start, self.date_col))
            formula = f"IF({test},{_quoted(marked)},{_quoted(text)})"
        put(ws, start, self.col, end, marked if late else text, cell_format, formula=formula)
        return late

    def colour(self, ws, wb, rules: RuleSet, first: int, last: int, rate_col: int) -> None:
        rule = next((h for h in rules.highlights if h.when == "overdue"), None) or \
            next((h for h in rules.highlights if h.when == "behind"), None)
        if rule is None:
            return
        row1 = first + 1
        test = rates.overdue_formula(f"${column_letter(rate_col)}{row1}", self.as_of_ref,
                                     f"${column_letter(self.date_col)}{row1}")
        ws.conditional_format(first, self.col, last, self.col,
                              {"type": "formula", "criteria": "=" + test,
                               "format": wb.add_format(rule.format_props())})
