"""Layout `table`: a grid of cells (xlsx/xls/csv, or a Word table) with a header row near the top.

Title rows above the header are normal. Columns are recognised by header name in any order:
序号, 重点工作(任务), 牵头领导/责任领导, 责任单位/牵头单位, 配合单位 (and close variants).
Inside the table: section rows (一、…), leader-group rows ((一)…牵头…), notes (备注…), a repeated header
(page break). A cell may hold several lines (units one per line, "(…)" continuing the previous unit).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Sequence

from ..core.errors import NotADecomposition, XltasksError
from ..core.fileio import decode_text
from ..core.models import Register
from ..core.sheetsize import check_xlsx
from ..core.units import cn_to_int, parse_cell_lines, squash
from .build import Builder
from .text import CN_NUM, clean, leader_from_group, nfkc

HEADER_SEARCH_ROWS = 15

# Column roles, checked in this order (配合单位 before 单位, 牵头领导 before 牵头单位). The one list of header
# words: Word tables and PDFs (importers.document) are read with it too.
_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("no", re.compile(r"^(序号.*|编号|序|任务编号|任务序号|NO\.?)$", re.I)),
    ("leader", re.compile(r"(牵头|责任|分管|联系|主要)?(市|区|县)?领导")),
    ("support", re.compile(r"(配合|协办|协同|参与|协助)(单位|部门)")),
    ("units", re.compile(r"单位|部门")),  # 责任/牵头/主办/承办/实施单位, 责任部门, 单位
    ("text", re.compile(r"重点工作|工作任务|任务|工作内容|主要内容|目标任务|重点任务|民生实事|事项")),
)
SECTION = re.compile(r"^[" + CN_NUM + r"]+\s*[、.．]\s*\S")
GROUP = re.compile(r"^[(（][" + CN_NUM + r"]+[)）]\s*\S")
ATTACHMENT = re.compile(r"^附件\s*\d+")
NUMBER = re.compile(r"^(\d{1,4})(?:\.0)?\s*([*＊]?)$")
NOTE = re.compile(r"^(备注|注)\s*[:：]")


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return clean(str(v).replace("\r\n", "\n").replace("\r", "\n"))


def _header_text(value: str | None) -> str:
    return re.sub(r"[(（].*?[)）]", "", squash(value))  # "重点工作任务(杭州市2项配合工作)"


def column_role(value: str | None) -> str | None:
    """The role of one header cell ("no", "leader", "support", "units", "text"), None if it has none."""
    s = _header_text(value)
    for role, pat in _COLUMN_PATTERNS:
        if s and pat.search(s):
            return role
    return None


def column_roles(row: Sequence[str]) -> dict[str, int]:
    """Map column role → index for a header row (first match per role)."""
    roles: dict[str, int] = {}
    for i, value in enumerate(row):
        s = _header_text(value)
        if not s or len(s) > 20:  # a title above the table is no header cell
            continue
        for role, pat in _COLUMN_PATTERNS:
            if pat.search(s) and role not in roles:
                roles[role] = i
                break
    return roles


def find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        roles = column_roles(row)
        if "text" in roles and ({"no", "units", "leader"} & roles.keys()):
            return r, roles
    return None


def _split_leaders(value: str) -> str:
    names = [x for x in re.split(r"[\n、,，;；/\s]+", value) if x]
    return "、".join(names)


def parse_rows(rows: list[list[str | None]], source: str, *, layout: str = "table",
               row_numbers: list[int] | None = None) -> Register:
    """Parse a grid of cells. `row_numbers[i]` is the 1-based source line/row of rows[i] (default i+1)."""
    grid = [[_cell(v) for v in row] for row in rows]
    found = find_header(grid)
    if found is None:
        raise NotADecomposition(
            f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头(需要“重点工作/任务”列及“序号”“责任单位”或“牵头领导”列)",
            file=source)
    h, roles = found
    header_key = [squash(c) for c in grid[h]]
    b = Builder(source=source, layout=layout)
    numbers = row_numbers or list(range(1, len(grid) + 1))
    width = max(roles.values()) + 1

    def get(row: list[str], role: str) -> str:
        i = roles.get(role)
        return row[i] if i is not None and i < len(row) else ""

    for r in range(h + 1, len(grid)):
        row = grid[r] + [""] * (width - len(grid[r]))
        line = numbers[r]
        values = [c for c in row if c]
        if not values:
            continue
        if [squash(c) for c in grid[r]] == header_key:
            continue  # header repeated after a page break
        no_cell, text = get(row, "no"), get(row, "text")
        distinct = list(dict.fromkeys(values))
        first = nfkc(distinct[0])
        m_no = NUMBER.match(nfkc(no_cell))
        if len(distinct) == 1 and not m_no:
            # a row spanning the table: section, leader group, note or something unknown
            if NOTE.match(first):
                b.warn(f"备注(不是任务): {distinct[0]}", line)
            elif GROUP.match(first) or (SECTION.match(first) and "牵头" in first):
                b.group(distinct[0], leader_from_group(distinct[0]))
            elif SECTION.match(first) or ATTACHMENT.match(first):
                b.section(distinct[0])
            else:
                b.warn(f"无法归入任何任务的行: {distinct[0]}", line)
            continue
        if not text:
            b.warn(f"没有任务内容的行: {' | '.join(values)}", line)
            continue
        if m_no:
            no, starred = m_no.group(1), bool(m_no.group(2))
        else:
            num = cn_to_int(no_cell.rstrip("、.．"))
            no, starred = (str(num), False) if num is not None else ("", False)
            if no_cell and num is None:
                b.warn(f"序号“{no_cell}”不是数字, 按顺序编号", line)
        units = parse_cell_lines(get(row, "units").split("\n"))
        support_cell = get(row, "support")
        if support_cell:
            support = parse_cell_lines(support_cell.split("\n"))
            lead_raw = units.raw
            if not units.units:
                support.supporting_only = True
            for t in support.tiers:
                units.tiers.append(t)
            units.units += [u for u in support.units if u not in units.units]
            units.supporting_only = units.supporting_only or support.supporting_only
            units.raw = lead_raw + ("\n" if lead_raw else "") + "配合单位:" + support.raw
        leader_cell = get(row, "leader")
        b.add(no=no, starred=starred, text=text, units=units, line=line,
              leader=_split_leaders(leader_cell) if leader_cell else None)
    if not b.drafts:
        raise NotADecomposition("表头之下没有任何任务行", file=source)
    return b.finish("\n".join("\t".join(r) for r in grid))


# ---------------------------------------------------------------------------------------------
# Reading grids from files

def read_grid(path: str | Path) -> list[list[str]]:
    """The first sheet with a recognisable header (xlsx/xls/xlsm/ods via python-calamine), or a csv."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        text, _ = decode_text(p.read_bytes())
        sample = text[:4096]
        delim = "\t" if suffix == ".tsv" or sample.count("\t") > sample.count(",") else ","
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delim)]
    from python_calamine import CalamineWorkbook

    from .reasons import reason

    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(p, max_rows=MAX_GRID_ROWS, max_cols=MAX_GRID_COLUMNS,
                   max_cells=MAX_GRID_ROWS * MAX_GRID_COLUMNS)
    try:
        wb = CalamineWorkbook.from_path(str(p))
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for broken files
        raise XltasksError(f"无法打开表格文件: {reason(exc)}", file=str(path)) from None
    first: list[list[str]] | None = None
    for name in wb.sheet_names:
        try:
            data = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001
            continue
        grid = [[_cell(v) for v in row] for row in data]
        if first is None:
            first = grid
        if find_header(grid):
            return grid
    return first or []



# ---------------------------------------------------------------------------------------------
# A far-away cell (XFD1048576, ZZ20000) makes calamine allocate the whole grid up to it: hundreds of GB,
# an abort rather than an exception. read_grid measures each sheet first (xltasks.core.sheetsize).

MAX_GRID_COLUMNS = 100
MAX_GRID_ROWS = 100_000
