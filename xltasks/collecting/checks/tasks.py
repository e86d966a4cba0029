"""The 填报 sheet's shape: its header, the task blocks issued to the unit, and the locked cells in them."""
from __future__ import annotations

from ...core import layout as L
from ...core.textkeys import squash as _norm
from ...core.xlsx import excel_text
from ..sheet import find_header, read_entry_sheet
from ..workbook import cell_text
from .base import Subject, check

# entry columns whose content makes a row count as filled (指标方向 is pre-filled on every row)
_FILLED_KEYS = tuple(c.key for c in L.COLUMNS if c.entry and c.key != "direction")


@check("header-changed")
def entry_header(subject: Subject):
    grid = subject.book.rows(L.SHEET_ENTRY)
    header = find_header(grid)
    if header.missing:
        return [subject.problem("header-changed", sheet=L.SHEET_ENTRY, cell=f"A{header.row + 1}",
                                labels="、".join(header.missing), where=L.SHEET_ENTRY)]
    subject.sheet = read_entry_sheet(subject.book, header, grid)
    return []


def meta_spans(meta: dict[str, str]) -> dict[str, tuple[int, int]]:
    """The issued template's task blocks from `_meta` task_rows: task id → (first, last) 1-based rows;
    empty when the value is missing or malformed (rows are then known from the sheet alone)."""
    try:
        return {tid: (first, last) for tid, first, last in L.parse_task_rows(meta.get(L.META_TASK_ROWS, ""))}
    except ValueError:
        return {}


def issued_ids(subject: Subject) -> list[str]:
    """The task ids the template was issued with (_meta task_ids), else the register's for the unit."""
    issued = [t.strip() for t in (subject.meta.get(L.META_TASK_IDS, "") or "").replace("，", ",").split(",")
              if t.strip()]
    return issued or [t.id for t in subject.ctx.index.tasks.get(subject.unit, [])]


@check("missing-task", "extra-task", "row-without-task", "locked-cell-changed", "task-id-number", "rows-reordered")
def task_blocks(subject: Subject):
    """Rows of each task id (0-based grid rows): no issued task missing, no other task, no filled row
    without a task id, no id changed to another issued task's."""
    sheet = subject.sheet
    index = subject.ctx.index
    blocks: dict[str, list[int]] = {}
    out = []
    issued = issued_ids(subject)
    mine = {t.id for t in index.tasks.get(subject.unit, [])}
    issued_set = set(issued)
    spans = meta_spans(subject.meta)
    keys = row_keys(sheet)
    for r in range(sheet.first_row, len(sheet.grid)):
        v = sheet.value(r, "task_id")
        tid = (v if type(v) is str else cell_text(v)).strip()
        as_number = "" if type(v) is str else _id_as_number(v, tid, issued_set, spans, keys.get(r))
        if as_number:  # "1.10" turned into the number 1.1 (a re-typed or converted column): said, read as issued
            out.append(subject.problem("task-id-number", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "task_id"),
                                       found=tid, expected=as_number))
            tid = as_number
        if tid:
            blocks.setdefault(tid, []).append(r)
        elif any(cell_text(v).strip() for v in sheet.row_values(r, _FILLED_KEYS).values()):
            out.append(subject.problem("row-without-task", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "task_id"),
                                       row=r + 1))
    if keys:  # rows carry their issued place: a sort (of a block or the whole table) changes nothing read
        changed = keyed_changed_ids(blocks, spans, keys)
        moved = first_moved_row(keys)
        if moved is not None:
            out.append(subject.problem("rows-reordered", sheet=L.SHEET_ENTRY, cell=sheet.ref(moved, "task_id")))
    else:
        changed = changed_ids(blocks, spans)
    for r, found, expected in changed:
        # one id changed inside another task's block: the block is that task's, the cell was edited
        out.append(subject.problem("locked-cell-changed", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "task_id"),
                                   label=L.LABELS["task_id"], expected=expected, found=found))
        blocks[found].remove(r)
        if not blocks[found]:
            del blocks[found]
        blocks[expected] = sorted(blocks.get(expected, []) + [r])
    for tid in issued:
        if tid not in blocks:
            first = spans[tid][0] if tid in spans else sheet.header_row + 2
            out.append(subject.problem("missing-task", sheet=L.SHEET_ENTRY, cell=L.cell_ref("task_id", first)
                                       if "task_id" in sheet.cols else f"A{first}", task_id=tid))
    for tid, rows in blocks.items():
        if tid not in issued_set or tid not in index.tasks_by_id or (mine and tid not in mine):
            out.append(subject.problem("extra-task", sheet=L.SHEET_ENTRY, cell=sheet.ref(rows[0], "task_id"),
                                       task_id=tid))
    if keys:  # each block in its issued order: a blank 细化项目 continues the one it was under
        blocks = {tid: sorted(rows, key=lambda r: (keys.get(r, 0.0), r)) for tid, rows in blocks.items()}
    subject.blocks = blocks
    return out


def _id_as_number(value, text: str, issued: set[str], spans: dict[str, tuple[int, int]], key: float | None) -> str:
    """The issued id a numeric 任务编号 cell stands for ("1.10" stored as 1.1), "" when it is not that case: the
    row's issued place (行号) names the block, and that block's id has the same numeric value."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or text in issued or key is None:
        return ""
    owner = next((tid for tid, (first, last) in spans.items() if first <= int(key) <= last), "")
    try:
        return owner if owner and float(owner) == float(value) else ""
    except ValueError:
        return ""


def row_keys(sheet) -> dict[int, float]:
    """Grid row → its issued place (the hidden 行号 column); a row without one (inserted by the unit) follows
    the row above it. Empty when the sheet has no such column (templates issued before it)."""
    if "row_key" not in sheet.cols:
        return {}
    out: dict[int, float] = {}
    last, found = 0.0, False
    for r in range(sheet.first_row, len(sheet.grid)):
        v = sheet.value(r, "row_key")
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1 and float(v).is_integer():
            last, found = float(v), True
        else:
            last += 1e-4  # after the keyed row above, before the next issued row
        out[r] = last
    return out if found else {}


def first_moved_row(keys: dict[int, float]) -> int | None:
    """The first row (in sheet order) whose issued place is before the one of a row above it: the rows were
    sorted or moved. Copies of a row (the same key just below it) are not moves."""
    highest = 0.0
    for r in sorted(keys):
        if keys[r] < highest:
            return r
        highest = max(highest, keys[r])
    return None


def keyed_changed_ids(blocks: dict[str, list[int]], spans: dict[str, tuple[int, int]],
                      keys: dict[int, float]) -> list[tuple[int, str, str]]:
    """changed_ids() when rows carry their issued place: a row's block is the issued block holding that place."""
    owner = {row: tid for tid, (first, last) in spans.items() for row in range(first, last + 1)}
    out = []
    for tid, rows in blocks.items():
        for r in rows:
            expected = owner.get(int(keys.get(r, 0)))
            if expected is not None and expected != tid and tid in spans:
                out.append((r, tid, expected))
    return sorted(out)


@check("locked-cell-changed")
def locked_cells(subject: Subject):
    """The locked 任务 text and 责任类型 of each block are as issued."""
    sheet, index, unit = subject.sheet, subject.ctx.index, subject.unit
    out = []
    for tid, rows in subject.blocks.items():
        task = index.tasks_by_id[tid]
        if "task_text" in sheet.cols:
            issued = excel_text(task.text)  # what the template's cell could hold (32,767 characters)
            texts = [(r, cell_text(sheet.value(r, "task_text"))) for r in rows]
            filled = [(r, t) for r, t in texts if t.strip()]
            r0, found = filled[0] if filled else (rows[0], "")
            if found != issued and _norm(found) != _norm(issued):
                out.append(subject.problem("locked-cell-changed", sheet=L.SHEET_ENTRY, cell=sheet.ref(r0, "task_text"),
                                           label=L.LABELS["task_text"], expected=issued, found=found or "（空）"))
            for r, t in filled[1:]:
                if t != issued and _norm(t) != _norm(issued):
                    out.append(subject.problem("locked-cell-changed", sheet=L.SHEET_ENTRY,
                                               cell=sheet.ref(r, "task_text"), label=L.LABELS["task_text"],
                                               expected=issued, found=t))
        if "role" in sheet.cols:
            expected = index.role(unit, tid)
            for r in rows:
                found = cell_text(sheet.value(r, "role")).strip()
                if found and found != expected:
                    out.append(subject.problem("locked-cell-changed", sheet=L.SHEET_ENTRY, cell=sheet.ref(r, "role"),
                                               label=L.LABELS["role"], expected=expected, found=found))
    return out


def changed_ids(blocks: dict[str, list[int]], spans: dict[str, tuple[int, int]]) -> list[tuple[int, str, str]]:
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
