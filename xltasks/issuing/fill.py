"""Fill a template the way a bureau does: open it in a spreadsheet program (openpyxl), type, save.

Used by the collect tests, the demo, the benchmark and the bundled example to make returned files.
openpyxl keeps the formulas, validations, protection, merged cells and the hidden _meta sheet; it
drops cached formula values, as a real round trip through some programs does (Excel recalculates on open).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core import layout, rates
from ..core.errors import UsageError
from ..core.fileio import atomic_path


@dataclass
class Entry:
    task_id: str
    item: str  # 细化项目 ("" continues the item above)
    indicator: str = ""
    measure_unit: str = ""
    target: float | str | None = None
    current: float | str | None = None  # a number or what a bureau types ("2000万", "待年底核算")
    direction: str | None = None  # a label of rates.DIRECTION_LABELS; None keeps what the template has
    self_rate: float | str | None = None  # a fraction (0.8 = 80%)
    highlights: str = ""  # written on the block's first row (first entry of the task only)
    problems: str = ""


def _blocks(wb) -> dict[str, tuple[int, int]]:
    """task id → (first, last) entry rows, from _meta (falling back to the 任务编号 column)."""
    if layout.SHEET_META in wb.sheetnames:
        for key, value, *_ in wb[layout.SHEET_META].iter_rows(values_only=True):
            if key == layout.META_TASK_ROWS and value:
                return {tid: (first, last) for tid, first, last in layout.parse_task_rows(str(value))}
    ws = wb[layout.SHEET_ENTRY]
    out: dict[str, tuple[int, int]] = {}
    col = layout.COLUMN_INDEX["task_id"] + 1
    for row in range(layout.FIRST_ENTRY_ROW, ws.max_row + 1):
        tid = ws.cell(row, col).value
        if tid not in (None, ""):
            tid = str(tid)
            first, _ = out.get(tid, (row, row))
            out[tid] = (first, row)
    return out


def _direction_label(direction: str | None) -> str | None:
    if direction is None:
        return None
    if direction in rates.DIRECTION_LABELS:  # an internal code is accepted too
        return rates.DIRECTION_LABELS[direction]
    return direction  # any other text is typed as is (collect reports it)


def fill_template(template_path, out_path, entries: list[Entry], *, clear_unused: bool = True) -> None:
    """Write `entries` into the template's task blocks in order and save to out_path.

    Each task's entries fill its block's rows from the top; rows of such a block that get no entry are
    cleared when `clear_unused` (the bureau replaced the proposed/previous lines with its own). Tasks
    without entries stay as generated. Raises ValueError for an unknown task id or a task with more
    entries than its block has rows. The template itself is never modified.
    """
    import openpyxl

    template_path, out_path = Path(template_path), Path(out_path)
    if template_path.resolve() == out_path.resolve():
        raise UsageError("输出文件不能与模板文件相同（模板文件不会被修改）")
    wb = openpyxl.load_workbook(template_path)
    ws = wb[layout.SHEET_ENTRY]
    blocks = _blocks(wb)
    by_task: dict[str, list[Entry]] = {}
    for e in entries:
        if e.task_id not in blocks:
            raise UsageError(f"任务“{e.task_id}”不在模板 {template_path.name} 中")
        by_task.setdefault(e.task_id, []).append(e)

    c = {key: i + 1 for key, i in layout.COLUMN_INDEX.items()}  # 1-based for openpyxl
    for task_id, task_entries in by_task.items():
        first, last = blocks[task_id]
        size = last - first + 1
        if len(task_entries) > size:
            raise UsageError(f"任务“{task_id}”有 {len(task_entries)} 行内容，但模板 {template_path.name} 中"
                             f"该任务只有 {size} 行")
        for i in range(size):
            row = first + i
            if i >= len(task_entries):
                if clear_unused:
                    for key in ("item", "indicator", "measure_unit", "target", "current", "self_rate"):
                        ws.cell(row, c[key]).value = None
                continue
            e = task_entries[i]
            ws.cell(row, c["item"]).value = e.item or None
            ws.cell(row, c["indicator"]).value = e.indicator or None
            ws.cell(row, c["measure_unit"]).value = e.measure_unit or None
            ws.cell(row, c["target"]).value = None if e.target == "" else e.target
            ws.cell(row, c["current"]).value = None if e.current == "" else e.current
            label = _direction_label(e.direction)
            if label is not None:
                ws.cell(row, c["direction"]).value = label
            ws.cell(row, c["self_rate"]).value = None if e.self_rate == "" else e.self_rate
        head = task_entries[0]
        if head.highlights:
            ws.cell(first, c["highlights"]).value = head.highlights
        if head.problems:
            ws.cell(first, c["problems"]).value = head.problems

    with atomic_path(out_path) as tmp:
        wb.save(tmp)
