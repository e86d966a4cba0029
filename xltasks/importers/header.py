"""A decomposition table's header: which column holds what, over one row or two.

Columns are recognised by their header words in any order and any subset: 序号 / 板块 / 工作任务 (重点工作,
目标任务, 项目名称) / 责任领导 (分管领导, 牵头领导) / 牵头单位 / 配合单位 (协办单位) / 责任单位 /
完成时限 (时间节点) / 备注. A two-row header (责任单位 merged over 牵头单位 | 配合单位, the other header
cells merged down) is read as one: the lower row names the columns it has words for.
"""
from __future__ import annotations

import re
from typing import Sequence

from ..core.textkeys import squash

ROLE_NO = "no"
ROLE_TEXT = "text"
ROLE_LEADER = "leader"
ROLE_LEAD = "lead"
ROLE_CO = "support"
ROLE_UNITS = "units"
ROLE_DEADLINE = "deadline"
ROLE_SECTION = "section"
ROLE_NOTE = "note"
UNIT_ROLES = (ROLE_LEAD, ROLE_UNITS, ROLE_CO)  # the order units are listed in

HEADER_SEARCH_ROWS = 15

# Checked in this order (牵头领导 before 牵头单位, 配合单位 before 单位, 完成时限 before 任务).
_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    (ROLE_NO, re.compile(r"^(序号.*|编号|序|任务编号|任务序号|NO\.?)$", re.I)),
    (ROLE_LEADER, re.compile(r"(牵头|责任|分管|联系|主要)?(市|区|县)?领导")),
    (ROLE_DEADLINE, re.compile(r"完成时限|时限|时间节点|完成时间|完成期限|进度安排|时间要求|截止时间")),
    (ROLE_NOTE, re.compile(r"^(备注|说明|备考)$")),
    (ROLE_SECTION, re.compile(r"^(板块|工作板块|类别|领域|重点领域|分类|类型|专项|部分|篇章|方面)$")),
    (ROLE_CO, re.compile(r"(配合|协办|协同|参与|协助)(单位|部门)")),
    (ROLE_LEAD, re.compile(r"牵头(责任)?(单位|部门)|主办(单位|部门)|汇总单位|主责(单位|部门)")),
    (ROLE_UNITS, re.compile(r"单位|部门")),
    (ROLE_TEXT, re.compile(r"重点工作|工作任务|任务|工作内容|主要内容|目标任务|重点任务|民生实事|事项|项目名称|项目")),
)
# A lower header cell that only names the role under a merged 责任单位: "牵头" | "配合".
_SHORT_ROLE = {"牵头": "牵头单位", "主办": "牵头单位", "主责": "牵头单位", "配合": "配合单位", "协办": "配合单位",
               "参与": "配合单位", "责任": "责任单位"}
_NUMBERED = re.compile(r"^[(（]?[一二三四五六七八九十\d]+[)）、.．]")  # a section or group row, not a header
_NUMBER = re.compile(r"^\d{1,4}(\.0)?\s*[*＊]?$")


def header_text(value: str | None) -> str:
    return re.sub(r"[(（].*?[)）]", "", squash(value))  # "重点工作任务(杭州市2项配合工作)"


def column_role(value: str | None) -> str | None:
    """The role of one header cell, None if it has none."""
    s = header_text(value)
    s = _SHORT_ROLE.get(s, s)
    for role, pat in _COLUMN_PATTERNS:
        if s and pat.search(s):
            return role
    return None


def column_roles(row: Sequence[str]) -> dict[str, int]:
    """Map column role → index for a header row (first match per role)."""
    roles: dict[str, int] = {}
    for i, value in enumerate(row):
        s = header_text(value)
        if not s or len(s) > 20:  # a title above the table is no header cell
            continue
        role = column_role(s)
        if role and role not in roles:
            roles[role] = i
    return roles


def is_header(roles: dict[str, int]) -> bool:
    return ROLE_TEXT in roles and bool({ROLE_NO, ROLE_LEADER, *UNIT_ROLES} & roles.keys())


def two_row_labels(top: Sequence[str], sub: Sequence[str]) -> list[str] | None:
    """The labels of a header over two rows, or None when `sub` is no second header row."""
    width = max(len(top), len(sub))
    top = list(top) + [""] * (width - len(top))
    sub = list(sub) + [""] * (width - len(sub))
    if not any(sub) or any(_NUMBER.match(squash(c)) for c in sub if c):
        return None
    new_words = False
    labels: list[str] = []
    for t, s in zip(top, sub):
        if not s or squash(s) == squash(t):
            labels.append(t)  # merged down (xlsx leaves the lower cell empty, Word repeats it)
            continue
        child = _SHORT_ROLE.get(squash(s), s)
        if column_role(child) is None or len(squash(s)) > 12 or _NUMBERED.match(squash(s)):
            return None  # a cell without header words: the first task row, not a header
        labels.append(child)
        new_words = True
    return labels if new_words else None


def find_header(rows: Sequence[Sequence[str]]) -> tuple[int, int, dict[str, int], list[str]] | None:
    """(first header row, header rows (1 or 2), role → column, labels) of the first table header."""
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if r + 1 < len(rows) and len(column_roles(row)) >= 2:  # a title row above is no upper header
            labels = two_row_labels(row, rows[r + 1])
            if labels is not None:
                roles = column_roles(labels)
                if is_header(roles):
                    return r, 2, roles, labels
        roles = column_roles(row)
        if is_header(roles):
            return r, 1, roles, list(row)
    return None
