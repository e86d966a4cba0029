"""Layout `table`: a grid of cells (xlsx/xls/csv, a Word or PDF table, a pasted table) under a header.

Title rows above the header are normal; the header may take two rows (importers.header). Columns in any
order and any subset: 序号, 板块, 工作任务, 责任领导, 牵头单位, 配合单位, 责任单位, 完成时限, 备注.
Inside the table: section rows (一、…) or a 板块 column, leader-group rows ((一)…牵头…), notes (备注…),
a repeated header (page break), rows continuing the task above (no 序号, no units). A cell may hold
several lines (units one per line, "(…)" continuing the previous unit, "省牵头单位：…" a label line).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..core.errors import NotADecomposition
from ..core.models import Register
from ..core.units import cn_to_int, parse_cell_lines
from ..core.textkeys import squash
from .build import UNPLACED, Builder
from .fields import (KIND_CO, KIND_DEADLINE, KIND_LEAD, KIND_LEADER, KIND_UNITS, LABEL_LINE, Roles,
                     roles_from_fields, split_labelled, unwrap)
from .header import (HEADER_SEARCH_ROWS, ROLE_CO, ROLE_DEADLINE, ROLE_LEAD, ROLE_LEADER, ROLE_NO, ROLE_SECTION,
                     ROLE_TEXT, ROLE_UNITS, UNIT_ROLES, column_role, column_roles, find_header)
from .sheets import MAX_GRID_COLUMNS, MAX_GRID_ROWS, read_workbook
from .text import CN_NUM, clean, leader_from_group, nfkc

__all__ = ["parse_rows", "read_grid", "column_role", "column_roles", "find_header", "cell_text",
           "MAX_GRID_COLUMNS", "MAX_GRID_ROWS", "HEADER_SEARCH_ROWS"]

SECTION = re.compile(r"^[" + CN_NUM + r"]+\s*[、.．]\s*\S")
GROUP = re.compile(r"^[(（][" + CN_NUM + r"]+[)）]\s*\S")
ATTACHMENT = re.compile(r"^附件\s*\d+")
NUMBER = re.compile(r"^(\d{1,4})(?:\.0)?\s*([*＊]?)$")
NOTE = re.compile(r"^(备注|注)\s*[:：]")


def cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.date, dt.datetime)):
        return f"{v.year}年{v.month}月{v.day}日"  # a 完成时限 typed as a date
    return clean(str(v).replace("\r\n", "\n").replace("\r", "\n"))


def _split_leaders(value: str) -> str:
    names = [x for x in re.split(r"[\n、,，;；/\s]+", value) if x]
    return "、".join(names)


def cell_roles(cells: dict[str, str], people: frozenset[str]) -> Roles:
    """The unit, leader and deadline cells of one row → roles. A label line inside a cell ("省牵头单位：…",
    "牵头单位：A" / "配合单位：B") names its own role; the other lines take their column's."""
    roles = Roles()
    if cells.get(ROLE_LEADER):
        roles_from_fields([(KIND_LEADER, cells[ROLE_LEADER].replace("\n", "、"))], roles, people)
    if cells.get(ROLE_DEADLINE):
        roles.deadline = cells[ROLE_DEADLINE].replace("\n", "")
    for role in UNIT_ROLES:
        plain: list[str] = []
        for line in (cells.get(role) or "").split("\n"):
            if LABEL_LINE.match(line):
                roles_from_fields(split_labelled(unwrap(line))[1], roles, people)
            else:
                plain.append(line)
        if any(x.strip() for x in plain):
            kind = {ROLE_LEAD: KIND_LEAD, ROLE_CO: KIND_CO}.get(role, KIND_UNITS)
            roles.add_list(kind, parse_cell_lines(plain), people)
    if roles.co and not (roles.lead or roles.units):
        roles.supporting_only = True  # only 配合单位 printed: the lead is not listed
    printed = [(r, cells[r]) for r in UNIT_ROLES if cells.get(r)]
    labels = {ROLE_LEAD: "牵头单位", ROLE_CO: "配合单位", ROLE_UNITS: "责任单位"}
    roles.raw = printed[0][1] if len(printed) == 1 and printed[0][0] != ROLE_CO else "\n".join(
        f"{labels[r]}:{v}" for r, v in printed)
    return roles


def _spanning(b: Builder, first: str, printed: str, line: int) -> None:
    """A row spanning the table: section, leader group, note or something unknown."""
    if NOTE.match(first):
        b.warn(f"备注(不是任务): {printed}", line)
    elif GROUP.match(first) or (SECTION.match(first) and "牵头" in first):
        b.group(printed, leader_from_group(printed))
    elif SECTION.match(first) or ATTACHMENT.match(first):
        b.section(printed)
    else:
        b.warn(f"{UNPLACED}任何任务的行: {printed}", line)


def parse_rows(rows: list[list[str | None]], source: str, *, layout: str = "table",
               row_numbers: list[int] | None = None) -> Register:
    """Parse a grid of cells. `row_numbers[i]` is the 1-based source line/row of rows[i] (default i+1)."""
    grid = [[cell_text(v) for v in row] for row in rows]
    found = find_header(grid)
    if found is None:
        raise NotADecomposition(
            f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头(需要“重点工作/任务”列及“序号”“责任单位”或“牵头领导”列)",
            file=source)
    h, n_header, roles, _labels = found
    header_keys = [[squash(c) for c in grid[k]] for k in range(h, h + n_header)]
    b = Builder(source=source, layout=layout)
    numbers = row_numbers or list(range(1, len(grid) + 1))
    width = max(roles.values()) + 1
    section_cell = ""

    def get(row: list[str], role: str) -> str:
        i = roles.get(role)
        return row[i] if i is not None and i < len(row) else ""

    for r in range(h + n_header, len(grid)):
        row = grid[r] + [""] * (width - len(grid[r]))
        line = numbers[r]
        values = [c for c in row if c]
        if not values or all(set(c) <= set("-:|— ") for c in values):
            continue  # empty, or a markdown separator row
        if [squash(c) for c in grid[r]] in header_keys:
            continue  # header repeated after a page break
        no_cell, text = get(row, ROLE_NO), get(row, ROLE_TEXT)
        distinct = list(dict.fromkeys(values))
        m_no = NUMBER.match(nfkc(no_cell))
        cells = {role: get(row, role) for role in (*UNIT_ROLES, ROLE_LEADER, ROLE_DEADLINE)}
        if (not m_no and not no_cell and text and b.drafts and ROLE_NO in roles and not any(cells.values())
                and not (SECTION.match(nfkc(text)) or GROUP.match(nfkc(text)) or NOTE.match(nfkc(text)))):
            # a row that continues the task above (a sub-item, or a text split at a page break)
            prev = b.drafts[-1].task
            prev.text += text
            b.warn(f"没有序号和单位的行已接续到任务 {prev.no or prev.text[:10]}: {text[:30]}", line)
            continue
        if len(distinct) == 1 and not m_no:
            _spanning(b, nfkc(distinct[0]), distinct[0], line)
            continue
        if not text:
            b.warn(f"没有任务内容的行: {' | '.join(values)}", line)
            continue
        section = get(row, ROLE_SECTION)
        if section and section != section_cell:
            section_cell = section
            b.section(section)
        if m_no:
            no, starred = m_no.group(1), bool(m_no.group(2))
        else:
            num = cn_to_int(no_cell.rstrip("、.．"))
            no, starred = (str(num), False) if num is not None else ("", False)
            if no_cell and num is None:
                b.warn(f"序号“{no_cell}”不是数字, 按顺序编号", line)
        task_roles = cell_roles(cells, frozenset(b.people))
        leader_cell = cells[ROLE_LEADER]
        b.add(no=no, starred=starred, text=text, roles=task_roles, line=line,
              leader=_split_leaders(leader_cell) if leader_cell else None)
    if not b.drafts:
        raise NotADecomposition("表头之下没有任何任务行", file=source)
    return b.finish("\n".join("\t".join(r) for r in grid))


def read_grid(path: str | Path) -> list[list[str]]:
    """The first sheet to read (a visible one with a table header), or a csv's rows."""
    wb = read_workbook(path)
    return wb.sheets[0].rows if wb.sheets else []
