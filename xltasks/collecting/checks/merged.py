"""Merged cells over the entry area: a merge hides every covered cell's value but its first."""
from __future__ import annotations

from ...core import layout as L
from ...core.cells import cell_ref
from .base import Subject, check
from .tasks import meta_spans


@check("merged-cells")
def entry_merges(subject: Subject):
    """Only the template's own merges (one task-level column over one task block, locked columns within a
    block) are expected."""
    sheet, blocks = subject.sheet, subject.blocks
    ranges = subject.book.merged_ranges(L.SHEET_ENTRY)
    if not ranges:
        return []
    row_task = {r: tid for tid, rows in blocks.items() for r in rows}
    entry_cols = {sheet.cols[c.key]: c for c in L.COLUMNS if c.entry and c.key in sheet.cols}
    # the template's own merges: one task-level or locked column over exactly one issued block
    own_cols = {i for i, c in entry_cols.items() if c.task_level} | {
        sheet.cols[c.key] for c in L.COLUMNS if not c.entry and c.key in sheet.cols}
    own = {(first - 1, last - 1) for first, last in meta_spans(subject.meta).values()}
    out = []
    for r1, c1, r2, c2 in ranges:
        if r2 <= sheet.header_row or (r1 == r2 and c1 == c2):
            continue
        if c1 == c2 and c1 in own_cols and (r1, r2) in own:
            continue  # as issued, whatever the ids in it now say (an edited id is checked above)
        crosses = len({row_task.get(r) for r in range(max(r1, sheet.first_row), r2 + 1)}) > 1
        touched = [entry_cols[c] for c in range(c1, c2 + 1) if c in entry_cols]
        narrative = c1 == c2 and bool(touched) and touched[0].task_level
        if crosses or (touched and not narrative):
            a, b = cell_ref(r1, c1), cell_ref(r2, c2)
            out.append(subject.problem("merged-cells", sheet=L.SHEET_ENTRY, cell=a, range=f"{a}:{b}"))
    return out
