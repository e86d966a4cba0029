"""The task register (任务台账) on disk: OUT.xlsx for people, OUT.json for machines, read back from either.

OUT.xlsx sheets: 任务 (one row per task, every Task field, units one per line since names contain 、),
单位 (one row per distinct unit), 来源 (source files with sha256 and counts, then every warning).
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import InputError, XltasksError
from .grids import GridLimits
from .fileio import atomic_path, atomic_write_text
from .models import Register, SourceInfo, Task, Unit, Warning_
from .units import classify_paren
from .xlsx import fmt, header_format, lines_needed, new_workbook, set_a3_landscape, write_text

SHEET_TASKS = "任务"
SHEET_UNITS = "单位"
SHEET_SOURCES = "来源"

# (Task field, header label, width, hidden). Labels are what load_register looks for.
TASK_COLUMNS: tuple[tuple[str, str, float, bool], ...] = (
    ("id", "任务编号", 9, False),
    ("section", "部分", 22, False),
    ("group", "领导分组", 18, False),
    ("leader", "牵头领导", 10, False),
    ("no", "序号", 6, False),
    ("starred", "带*", 5, False),
    ("text", "任务内容", 60, False),
    ("units", "责任单位", 26, False),
    ("lead_unit", "牵头单位", 18, False),
    ("supporting_only", "仅配合", 7, False),
    ("province_lead", "省牵头单位", 14, False),
    ("subitems", "子项", 36, False),
    ("source_line", "原文行号", 8, False),
    ("units_raw", "单位原文", 30, False),
    ("unit_tiers", "单位分层(JSON)", 12, True),
    ("deadline", "完成时限", 14, False),
    ("deadline_date", "完成日期", 11, False),
    ("leaders", "责任领导", 12, False),
    ("lead_units", "牵头单位(全部)", 18, False),
    ("co_units", "配合单位", 26, False),
)
# Columns added after the first release (issue 13): a register.xlsx written before them still loads.
OPTIONAL_LABELS = ("完成时限", "完成日期", "责任领导", "牵头单位(全部)", "配合单位")
_LIST_KEYS = ("units", "subitems", "leaders", "lead_units", "co_units")
UNIT_COLUMNS = (("单位名称", 34), ("类型", 10), ("任务数", 8), ("牵头任务数", 10), ("括号说明", 30),
                ("成员", 20))
SOURCE_COLUMNS = (("文件", 48), ("SHA-256", 66), ("版式", 12), ("任务数", 8), ("部分数", 8), ("分组数", 8))
WARNING_HEADER = ("提示来源", "行号", "提示内容")
_YES = "是"
# A hand-edited register.xlsx is measured before calamine reads it (xltasks.core.sheetsize): a stray value far
# away would make its dense grid huge. Every Excel row may hold a task, but the sheets have few columns.
MAX_ROWS = 1_048_576
MAX_COLS = 40
LIMITS = GridLimits(MAX_ROWS, MAX_COLS)


def output_paths(out_path: str | Path) -> tuple[Path, Path]:
    """OUT.xlsx and OUT.json side by side, whether OUT was given as .xlsx, .json or without suffix."""
    p = Path(out_path)
    base = p.with_suffix("") if p.suffix.lower() in (".xlsx", ".json") else p
    return base.with_name(base.name + ".xlsx"), base.with_name(base.name + ".json")


def write_register(register: Register, out_path: str | Path) -> tuple[Path, Path]:
    """Write OUT.xlsx and OUT.json atomically. Returns their paths."""
    xlsx_path, json_path = output_paths(out_path)
    with atomic_path(xlsx_path) as tmp:
        _write_xlsx(register, tmp)
    atomic_write_text(json_path, json.dumps(register.to_json_dict(), ensure_ascii=False, indent=1))
    return xlsx_path, json_path


def _cell_value(task: Task, key: str):
    v = getattr(task, key)
    if key in _LIST_KEYS:
        return "\n".join(v)
    if v is None:
        return ""
    if key == "unit_tiers":
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return _YES if v else ""
    return v


def _write_xlsx(reg: Register, path: Path) -> None:
    wb = new_workbook(path)
    head = header_format(wb, align="center")
    wrap = fmt(wb, text_wrap=True, valign="top", border=1)
    center = fmt(wb, valign="top", align="center", border=1)

    ws = wb.add_worksheet(SHEET_TASKS)
    for c, (key, label, width, hidden) in enumerate(TASK_COLUMNS):
        ws.set_column(c, c, width, None, {"hidden": True} if hidden else {})
        ws.write_string(0, c, label, head)
    ws.set_row(0, 30)
    for r, t in enumerate(reg.tasks, start=1):
        lines = 1
        for c, (key, _label, width, hidden) in enumerate(TASK_COLUMNS):
            v = _cell_value(t, key)
            if key == "source_line":
                ws.write_number(r, c, int(v or 0), center)
                continue
            style = center if key in ("id", "no", "starred", "supporting_only") else wrap
            write_text(ws, r, c, v, style)
            if not hidden and isinstance(v, str) and v:
                lines = max(lines, lines_needed(v, width))
        ws.set_row(r, min(409, 15 * lines + 3))
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(1, len(reg.tasks)), len(TASK_COLUMNS) - 1)
    set_a3_landscape(ws, repeat_rows=(0, 0))

    wu = wb.add_worksheet(SHEET_UNITS)
    for c, (label, width) in enumerate(UNIT_COLUMNS):
        wu.set_column(c, c, width)
        wu.write_string(0, c, label, head)
    for r, u in enumerate(reg.units, start=1):
        info = classify_paren(u.name)
        write_text(wu, r, 0, u.name, wrap)
        write_text(wu, r, 1, u.kind, center)
        wu.write_number(r, 2, u.tasks, center)
        wu.write_number(r, 3, u.lead_tasks, center)
        write_text(wu, r, 4, info.describe() if info else "", wrap)
        write_text(wu, r, 5, "\n".join(u.members), wrap)
    wu.freeze_panes(1, 1)
    wu.autofilter(0, 0, max(1, len(reg.units)), len(UNIT_COLUMNS) - 1)
    set_a3_landscape(wu, repeat_rows=(0, 0))

    wsrc = wb.add_worksheet(SHEET_SOURCES)
    for c, (label, width) in enumerate(SOURCE_COLUMNS):
        wsrc.set_column(c, c, width)
        wsrc.write_string(0, c, label, head)
    r = 1
    for s in reg.sources:
        write_text(wsrc, r, 0, s.path, wrap)
        write_text(wsrc, r, 1, s.sha256, wrap)
        write_text(wsrc, r, 2, s.layout, center)
        for c, v in ((3, s.tasks), (4, s.sections), (5, s.groups)):
            wsrc.write_number(r, c, v, center)
        r += 1
    r += 1
    for c, label in enumerate(WARNING_HEADER):
        wsrc.write_string(r, c, label, head)
    wsrc.write_string(r, 3, f"共 {len(reg.warnings)} 条")
    for w in reg.warnings:
        r += 1
        write_text(wsrc, r, 0, w.source, wrap)
        if w.line:
            wsrc.write_number(r, 1, w.line, center)
        else:
            wsrc.write_blank(r, 1, None, center)
        write_text(wsrc, r, 2, w.message, wrap)
        wsrc.set_row(r, min(409, 15 * lines_needed(w.message, SOURCE_COLUMNS[1][1]) + 3))
    wsrc.freeze_panes(1, 0)
    set_a3_landscape(wsrc)
    wb.close()


# ---------------------------------------------------------------------------------------------
# Reading back

def load_register(path: str | Path) -> Register:
    """Read a register from its .json or .xlsx. Anything else is an InputError naming the file."""
    p = Path(path)
    if not p.is_file():
        raise InputError("找不到任务台账文件", file=str(path))
    suffix = p.suffix.lower()
    if suffix == ".json":
        return _load_json(p)
    if suffix in (".xlsx", ".xlsm"):
        return _load_xlsx(p)
    raise InputError("不是任务台账(需要 xltasks import 生成的 .xlsx 或 .json)", file=str(path))


def _load_json(p: Path) -> Register:
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"不是有效的 JSON: {exc}", file=str(p)) from None
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise InputError("不是任务台账: JSON 中没有 tasks 列表", file=str(p))
    bad = _lone_surrogate(data)
    if bad:  # "\ud800" is valid JSON but no text: no workbook or file name could hold it
        raise InputError("含有无效的字符（孤立的 UTF-16 代理项，如 \\ud800），请删除后重试", file=str(p), where=bad)
    try:
        reg = Register.from_json_dict(data)
    except TypeError as exc:
        raise InputError(f"任务台账 JSON 字段不完整: {exc}", file=str(p)) from None
    for i, t in enumerate(reg.tasks):
        if not isinstance(t.units, list) or not t.id:
            raise InputError("任务缺少编号或单位列表", file=str(p), where=f"tasks[{i}]")
    return reg


def _lone_surrogate(value, where: str = "") -> str:
    """Where in the JSON value a string holds a lone surrogate ("tasks[3].text"), or ""."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where or "（顶层）"
        return ""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _lone_surrogate(key, where) if isinstance(key, str) else ""
        found = found or _lone_surrogate(item, f"{where}[{key}]" if isinstance(key, int) else
                                         f"{where}.{key}" if where else str(key))
        if found:
            return found
    return ""


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _load_xlsx(p: Path) -> Register:
    from .grids import open_grids

    try:
        with open_grids(p, LIMITS, unreadable="无法读取工作簿") as wb:
            names = wb.sheet_names
            if SHEET_TASKS not in names:
                raise InputError(f"不是任务台账: 没有“{SHEET_TASKS}”工作表", file=str(p))
            rows = wb.rows(SHEET_TASKS)
            src_rows = wb.rows(SHEET_SOURCES) if SHEET_SOURCES in names else []
            unit_rows = wb.rows(SHEET_UNITS) if SHEET_UNITS in names else []
    except XltasksError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for broken files
        raise InputError(f"无法读取工作簿: {exc}", file=str(p)) from None
    if not rows:
        raise InputError(f"不是任务台账: “{SHEET_TASKS}”工作表是空的", file=str(p))
    header = [_s(v).strip() for v in rows[0]]
    col = {label: header.index(label) for _k, label, _w, _h in TASK_COLUMNS if label in header}
    missing = [label for _k, label, _w, _h in TASK_COLUMNS if label not in col and label not in OPTIONAL_LABELS]
    if missing:
        raise InputError(f"不是任务台账: “{SHEET_TASKS}”表缺少列 {'、'.join(missing)}", file=str(p),
                           where=f"{SHEET_TASKS}!1")
    tasks = []
    for r, row in enumerate(rows[1:], start=2):
        vals = {key: (_s(row[col[label]]) if label in col and col[label] < len(row) else "")
                for key, label, _w, _h in TASK_COLUMNS}
        if not any(vals.values()):
            continue
        try:
            tiers = json.loads(vals["unit_tiers"]) if vals["unit_tiers"] else []
            line = int(float(vals["source_line"] or 0))
        except (ValueError, json.JSONDecodeError):
            raise InputError("单位分层或行号无法读取", file=str(p), where=f"{SHEET_TASKS}!{r}") from None
        if not vals["id"]:
            raise InputError("任务缺少编号", file=str(p), where=f"{SHEET_TASKS}!A{r}")
        tasks.append(Task(
            id=vals["id"], section=vals["section"], group=vals["group"], leader=vals["leader"], no=vals["no"],
            text=vals["text"], units=[u for u in vals["units"].split("\n") if u],
            lead_unit=vals["lead_unit"], starred=vals["starred"] in (_YES, "TRUE", "1", "True", "*"),
            supporting_only=vals["supporting_only"] in (_YES, "TRUE", "1", "True"),
            province_lead=vals["province_lead"],
            subitems=[x for x in vals["subitems"].split("\n") if x], source_line=line,
            units_raw=vals["units_raw"], unit_tiers=tiers, deadline=vals["deadline"],
            deadline_date=vals["deadline_date"] or None,
            **{k: [x for x in vals[k].split("\n") if x] for k in ("leaders", "lead_units", "co_units")}))
    sources, warnings = [], []
    in_warnings = False
    for row in src_rows[1:]:
        cells = [_s(v) for v in row] + [""] * 6
        if cells[0] == WARNING_HEADER[0]:
            in_warnings = True
            continue
        if not any(cells):
            continue
        if in_warnings:
            warnings.append(Warning_(message=cells[2], source=cells[0], line=int(float(cells[1] or 0))))
        else:
            sources.append(SourceInfo(path=cells[0], sha256=cells[1], layout=cells[2],
                                      tasks=int(float(cells[3] or 0)), sections=int(float(cells[4] or 0)),
                                      groups=int(float(cells[5] or 0))))
    units = []
    for row in unit_rows[1:]:
        cells = [_s(v) for v in row] + [""] * 6
        if cells[0]:
            units.append(Unit(name=cells[0], kind=cells[1], tasks=int(float(cells[2] or 0)),
                              lead_tasks=int(float(cells[3] or 0)),
                              members=[m for m in cells[5].split("\n") if m]))
    if not units:
        from ..importers.build import build_units

        units = build_units(tasks)
    return Register(source="; ".join(s.path for s in sources), layout="+".join(dict.fromkeys(s.layout for s in sources)),
                    tasks=tasks, units=units, warnings=warnings, sources=sources)


def register_digest(register: Register) -> str:
    """A fingerprint of what the templates were issued from: each task's id, text and units (in order) and
    the unit names. It is the same for register.xlsx and register.json of one register and for a rebuilt
    file with the same content (a file's own sha256 is not), and differs when any task text changes."""
    import hashlib
    import json

    content = {"tasks": [[t.id, t.text, list(t.units), t.lead_unit] for t in register.tasks],
               "units": sorted(u.name for u in register.units)}
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()
