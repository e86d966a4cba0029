"""The units directory (单位名录, units.xlsx): who receives a template, under which name, and how to reach them.

Columns: 单位名称 (the canonical name a template is issued to), 别名 (other names printed in documents),
所属集合 (the collectives a unit is a member of, e.g. 各区、县(市)政府(管委会)), 联系人, 联系电话, 电子邮箱.
Several aliases or collectives in one cell are separated by "；", ";" or a line break (never "、", which
occurs inside collective names).

`resolve(name)` turns a name printed in the register into the canonical recipients:
an alias or a "name(former/second name)" form → the unit; a collective → each member, in directory order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .fileio import atomic_write_with
from .grids import GridLimits
from .models import ROLE_LEAD, UNIT_KIND_COLLECTIVE, UNIT_KIND_COMMITTEE, UNIT_KIND_DISTRICT, Register
from .textkeys import squash as normalise  # matching key of unit names: NFKC, no spaces
from .xlsx import fmt, new_workbook, write_table

SHEET = "单位名录"
# units.xlsx is measured before calamine reads it (grids.py): a province has ~1,000 units and a dozen columns.
LIMITS = GridLimits(100_000, 100)
COL_NAME = "单位名称"
COL_ALIASES = "别名"
COL_COLLECTIVES = "所属集合"
COL_CONTACT = "联系人"
COL_PHONE = "联系电话"
COL_EMAIL = "电子邮箱"
COLUMNS = ((COL_NAME, 28), (COL_ALIASES, 40), (COL_COLLECTIVES, 36), (COL_CONTACT, 10), (COL_PHONE, 16),
           (COL_EMAIL, 26))
_LIST_SPLIT = re.compile(r"[；;\n]+")
_TRAILING_PAREN = re.compile(r"^(?P<base>.+?)\((?P<inner>[^()]*)\)$")


def _split_list(value) -> list[str]:
    return [p.strip() for p in _LIST_SPLIT.split(str(value or "")) if p.strip()]


@dataclass
class DirectoryEntry:
    """One unit of the directory: its name, aliases, collectives and contacts."""

    name: str
    aliases: list[str] = field(default_factory=list)
    collectives: list[str] = field(default_factory=list)
    contact: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Directory:
    """The units directory (units.xlsx): who is who, and who belongs to which collective."""

    entries: list[DirectoryEntry] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        self._by_key: dict[str, DirectoryEntry] = {}
        self._members: dict[str, list[str]] = {}
        for e in self.entries:
            for n in [e.name, *e.aliases]:
                self._by_key.setdefault(normalise(n), e)
            for c in e.collectives:
                self._members.setdefault(normalise(c), []).append(e.name)

    def entry(self, name: str) -> DirectoryEntry | None:
        """The entry a name denotes (canonical name or alias), or None."""
        key = normalise(name)
        e = self._by_key.get(key)
        if e is None:
            # "市商务局(市粮食和物资储备局)": a unit printed with its second name in brackets.
            m = _TRAILING_PAREN.match(key)
            if m:
                e = self._by_key.get(m.group("base")) or self._by_key.get(m.group("inner"))
        return e

    def is_collective(self, name: str) -> bool:
        return normalise(name) in self._members

    def members(self, name: str) -> list[str]:
        return list(self._members.get(normalise(name), []))

    def knows(self, name: str) -> bool:
        return self.entry(name) is not None or self.is_collective(name)

    def resolve(self, name: str) -> list[str]:
        """Canonical recipients of a name printed in the register; an unknown name stands for itself."""
        e = self.entry(name)
        if e is not None:
            return [e.name]
        if self.is_collective(name):
            return self.members(name)
        return [name.strip()]


def load_directory(path: str | Path) -> Directory:
    """Read units.xlsx; a missing column, an empty name or a name claimed by two units is an error."""
    from .grids import open_grids, openpyxl_like

    path = Path(path)
    if not path.exists():
        raise InputError("单位名录文件不存在", file=str(path))
    wb = open_grids(path, LIMITS, unreadable="无法读取单位名录")
    try:
        title = SHEET if SHEET in wb.sheet_names else wb.sheet_names[0]
        try:
            grid = wb.rows(title)
        except Exception as exc:  # noqa: BLE001 - any unreadable sheet is one clear error
            raise InputError(f"无法读取单位名录: {exc}", file=str(path)) from None
        rows = iter([openpyxl_like(v) for v in row] for row in grid)
        header_row = 0
        cols: dict[str, int] = {}
        for header_row, values in enumerate(rows, start=1):
            labels = [normalise(str(v)) if v is not None else "" for v in values]
            if COL_NAME in labels:
                cols = {label: i for i, label in enumerate(labels) if label}
                break
            if header_row >= 10:
                break
        if COL_NAME not in cols:
            raise InputError(f"单位名录缺少“{COL_NAME}”列（应在前 10 行中有表头）", file=str(path), where=title)

        def get(values, label):
            i = cols.get(label)
            v = values[i] if i is not None and i < len(values) else None
            return "" if v is None else str(v).strip()

        entries: list[DirectoryEntry] = []
        owner: dict[str, tuple[str, int]] = {}
        for rowno, values in enumerate(rows, start=header_row + 1):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            name = get(values, COL_NAME)
            if not name:
                raise InputError("单位名称为空（该行有其他内容）", file=str(path), where=f"{title}!A{rowno}")
            e = DirectoryEntry(name=name, aliases=_split_list(get(values, COL_ALIASES)),
                               collectives=_split_list(get(values, COL_COLLECTIVES)),
                               contact=get(values, COL_CONTACT), phone=get(values, COL_PHONE),
                               email=get(values, COL_EMAIL))
            for n in [e.name, *e.aliases]:
                key = normalise(n)
                if key in owner and owner[key][0] != e.name:
                    other, other_row = owner[key]
                    raise InputError(f"名称“{n}”同时属于“{other}”（第 {other_row} 行）和“{e.name}”，请只保留一处",
                                       file=str(path), where=f"{title}!第{rowno}行")
                owner[key] = (e.name, rowno)
            entries.append(e)
    finally:
        wb.close()
    collectives = {normalise(c) for e in entries for c in e.collectives}
    clash = [e.name for e in entries if normalise(e.name) in collectives]
    if clash:
        raise InputError(f"“{clash[0]}”既是单位名称又是集合名称", file=str(path))
    return Directory(entries, source=str(path))


def _collective_members(collective: str, register: Register) -> list[str]:
    """A first guess at a collective's members, to be checked by the office: districts/counties/committees."""
    known = next((u.members for u in register.units if u.name == collective and u.members), None)
    if known:
        return list(known)
    c = normalise(collective)
    if not c.startswith("各"):
        return []
    out = []
    for u in register.units:
        n = normalise(u.name)
        if u.kind == UNIT_KIND_DISTRICT:
            is_district = bool(re.search(r"区(政府|人民政府)?$", n))
            if (is_district and "区" in c) or (not is_district and "县" in c):
                out.append(u.name)
        elif u.kind == UNIT_KIND_COMMITTEE and "管委会" in c:
            out.append(u.name)
    return out


def starting_directory(register: Register) -> Directory:
    """One entry per unit of the register; a name printed with a bracketed second name whose bare form
    also occurs becomes an alias of it; collectives become 所属集合 of the districts they likely cover."""
    units = [u for u in register.units if u.kind != UNIT_KIND_COLLECTIVE]
    names = [u.name for u in units] or sorted({n for t in register.tasks for n in t.units})
    bare = {normalise(n): n for n in names}
    entries: dict[str, DirectoryEntry] = {}
    alias_of: dict[str, str] = {}
    for n in names:
        m = _TRAILING_PAREN.match(normalise(n))
        if m and m.group("base") in bare and bare[m.group("base")] != n:
            alias_of[n] = bare[m.group("base")]
    for n in names:
        if n in alias_of:
            continue
        entries[n] = DirectoryEntry(name=n)
    for alias, canonical in alias_of.items():
        entries[canonical].aliases.append(alias)
    for u in register.units:
        if u.kind == UNIT_KIND_COLLECTIVE:
            for member in _collective_members(u.name, register):
                target = entries.get(alias_of.get(member, member))
                if target is not None and u.name not in target.collectives:
                    target.collectives.append(u.name)
    return Directory(list(entries.values()))


def write_directory(directory: Directory, path: str | Path) -> None:
    def write(tmp: Path) -> None:
        wb = new_workbook(tmp)
        rows = [(e.name, "；".join(e.aliases), "；".join(e.collectives), e.contact, e.phone, e.email)
                for e in directory.entries]
        write_table(wb, SHEET, COLUMNS, rows, wrap_from=0, freeze_cols=1)  # every column wraps
        wrap = fmt(wb, text_wrap=True, valign="top")
        note = wb.add_worksheet("说明")
        note.set_column(0, 0, 100, wrap)
        for r, line in enumerate((
                "单位名称：下发模板所用的规范名称，每个单位一行。",
                "别名：文件中出现的其他写法（如“市商务局(市粮食和物资储备局)”），多个用“；”分隔。",
                "所属集合：该单位所属的集合名称（如“各区、县(市)政府(管委会)”），集合任务将分别下发给每个成员单位；多个用“；”分隔。",
                "联系人、联系电话、电子邮箱：写入分发清单，便于催报。",
                "本名录由任务台账自动生成，请核对别名与集合成员后再使用。")):
            note.write_string(r, 0, line, wrap)
        wb.close()

    atomic_write_with(path, write)


def write_starting_directory(register: Register, path: str | Path) -> Directory:
    """Write a directory to edit (one row per unit of the register) and return it."""
    directory = starting_directory(register)
    write_directory(directory, path)
    return directory


def plan_recipients(register: Register, directory: Directory | None = None
                    ) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Who is issued which task: {recipient: {task_id: role}} in register order, and the collectives
    that stay one recipient (not expanded by the directory). Templates and collect both use this."""
    kinds = {u.name: u.kind for u in register.units}
    plan: dict[str, dict[str, str]] = {}
    unexpanded: list[str] = []
    for task in register.tasks:
        for name in task.units:
            role = task.role_of(name)
            if directory is not None:
                recipients = directory.resolve(name)
                if kinds.get(name) == UNIT_KIND_COLLECTIVE and not directory.is_collective(name) \
                        and directory.entry(name) is None and name not in unexpanded:
                    unexpanded.append(name)
            else:
                recipients = [name]
                if kinds.get(name) == UNIT_KIND_COLLECTIVE and name not in unexpanded:
                    unexpanded.append(name)
            for r in recipients:
                tasks = plan.setdefault(r, {})
                if tasks.get(task.id) != ROLE_LEAD:  # listed twice (alias + name): lead wins
                    tasks[task.id] = role
    return plan, unexpanded


def collective_warnings(unexpanded: list[str], directory: Directory | None = None) -> list[str]:
    if not unexpanded:
        return []
    how = "单位名录中未列出其成员" if directory is not None else "未提供单位名录（--directory）"
    return [f"以下集合作为一个单位单独生成模板（{how}），请确认是否需要分发给各成员单位：" + "、".join(unexpanded)]
