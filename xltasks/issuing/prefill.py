"""What a template's task block is pre-filled with: the lines the unit reported for the task last period
(`templates --previous`), else the indicators proposed from the task's own text (targets.py)."""
from __future__ import annotations

from dataclasses import dataclass

from ..core import layout, rates
from ..core.models import DIRECTION_HIGHER, Progress, ProgressRow
from .targets import Proposal


@dataclass
class PrefillLine:
    """One pre-filled entry row of a task block."""

    item: str = ""
    indicator: str = ""
    measure_unit: str = ""
    target: float | None = None
    direction: str = DIRECTION_HIGHER
    note: str = ""
    kind: str = ""  # "proposed" / "previous" / ""


def previous_by_unit_task(previous: Progress | None, directory) -> dict[tuple[str, str], list[ProgressRow]]:
    """Last period's rows by (unit, task id), the unit named as the directory names it today."""
    out: dict[tuple[str, str], list[ProgressRow]] = {}
    if previous is None:
        return out
    for row in previous.rows:
        unit = row.unit
        if directory is not None:
            resolved = directory.resolve(unit)
            unit = resolved[0] if len(resolved) == 1 else unit
        out.setdefault((unit, row.task_id), []).append(row)
    for rows in out.values():
        rows.sort(key=lambda r: r.item_no)  # stable: keeps the order of lines within an item
    return out


def _fmt_number(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def lines_from_previous(rows: list[ProgressRow]) -> list[PrefillLine]:
    lines = []
    last_item = None
    for r in rows:
        # A new 细化项目 starts when its ordinal changes (texts may repeat or be blank); its first line
        # must carry a text, since a blank 细化项目 means "continues the one above".
        key = (r.item_no, r.item) if r.item_no else r.item
        is_new_item = key != last_item
        if r.current is not None:
            value = f"{_fmt_number(r.current)}{r.measure_unit}"
        elif r.current_text:
            value = r.current_text
        elif r.self_rate is not None:
            value = f"自评{r.self_rate * 100:g}%"
        else:
            value = "未填"
        lines.append(PrefillLine(item=(r.item or r.indicator) if is_new_item else "", indicator=r.indicator,
                           measure_unit=r.measure_unit, target=r.target,
                           direction=r.direction if r.direction in rates.DIRECTION_LABELS else DIRECTION_HIGHER,
                           note=layout.NOTE_PREVIOUS.format(value=value), kind="previous"))
        last_item = key
    return lines


def lines_from_proposals(proposals: list[Proposal]) -> list[PrefillLine]:
    return [PrefillLine(indicator=p.name[:layout.MAX_INDICATOR_LEN], measure_unit=p.measure_unit, target=p.target,
                  direction=p.direction, note=layout.NOTE_PROPOSED, kind="proposed") for p in proposals]
