"""Per-unit fill-in workbooks (`xltasks templates`): one .xlsx per responsible unit with exactly its tasks.

Each workbook has a 填报说明 sheet (rendered from templates/填报说明.txt.j2), the 填报 sheet laid out as
`xltasks.core.layout` says (collect reads it back by the same facts), and a hidden `_meta` sheet that
identifies a returned file by its content. Written with xlsxwriter so that the 完成率 formulas carry
cached values computed by `xltasks.core.rates` (Excel, WPS and LibreOffice all show numbers on open).
Beside them: 分发清单.xlsx and one notice per unit (templates/下发通知.txt.j2, plain text for Notepad/WPS).
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..core import layout, parallel, rates
from ..core.errors import InputError, OutputError, UsageError
from ..core.directory import collective_warnings, plan_recipients
from ..core.texts import render
from ..core.fileio import atomic_write_notice, atomic_write_with, safe_filename
from ..core.results import IssuedTemplate, TemplateRun
from ..core.register_io import register_digest
from ..core.models import (DIRECTION_HIGHER, DIRECTION_QUALITATIVE, DIRECTION_UPPER, ROLE_LEAD, ROLE_SUPPORT,
                     Progress, ProgressRow, Register, Task)
from .targets import Proposal, propose_indicators
from ..core.xlsx import (cached_value, fast_formulas, fmt, header_format, lines_needed, new_workbook, set_a3_landscape,
                   write_table, write_text)

DISTRIBUTION_LIST = layout.DISTRIBUTION_LIST
ENTRY_NAME = "xltasks_entry"  # defined name of the 填报 entry area

_C = layout.COLUMN_INDEX
_DIRECTION_DESCRIPTIONS = (
    (rates.DIRECTION_LABELS[DIRECTION_HIGHER], "表示数值越大越好，完成率=当前值÷目标值"),
    (rates.DIRECTION_LABELS[DIRECTION_UPPER], "表示数值不超过目标值即为完成（如失业率控制在3.5%以内），超过时完成率=目标值÷当前值"),
    (rates.DIRECTION_LABELS[DIRECTION_QUALITATIVE], "表示无法量化，完成率取“自评完成率”"),
)


@dataclass
class _Line:
    """One pre-filled entry row of a task block."""

    item: str = ""
    indicator: str = ""
    measure_unit: str = ""
    target: float | None = None
    direction: str = DIRECTION_HIGHER
    note: str = ""
    kind: str = ""  # "proposed" / "previous" / ""




# ---------------------------------------------------------------------------------------------
# Who gets which task: xltasks.core.directory.plan_recipients; what a unit filled in last period
# ---------------------------------------------------------------------------------------------

def _previous_lines(previous: Progress | None, directory) -> dict[tuple[str, str], list[ProgressRow]]:
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


def _lines_from_previous(rows: list[ProgressRow]) -> list[_Line]:
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
        lines.append(_Line(item=(r.item or r.indicator) if is_new_item else "", indicator=r.indicator,
                           measure_unit=r.measure_unit, target=r.target,
                           direction=r.direction if r.direction in rates.DIRECTION_LABELS else DIRECTION_HIGHER,
                           note=layout.NOTE_PREVIOUS.format(value=value), kind="previous"))
        last_item = key
    return lines


def _lines_from_proposals(proposals: list[Proposal]) -> list[_Line]:
    return [_Line(indicator=p.name[:layout.MAX_INDICATOR_LEN], measure_unit=p.measure_unit, target=p.target,
                  direction=p.direction, note=layout.NOTE_PROPOSED, kind="proposed") for p in proposals]


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------

class _Formats:
    def __init__(self, wb):
        border = {"border": 1, "border_color": "#A6A6A6", "valign": "top"}
        grey = {"bg_color": "#F2F2F2", "locked": True}
        white = {"bg_color": "#FFFFFF", "locked": False}
        proposed = {"bg_color": "#FFF2CC", "locked": False}
        self.title = fmt(wb, bold=True, font_size=16, align="center", valign="vcenter")
        self.info = fmt(wb, font_size=10, valign="vcenter")
        self.header = header_format(wb, align="center", locked=True)
        self.locked_text = fmt(wb, text_wrap=True, **border, **grey)
        self.locked_center = fmt(wb, align="center", text_wrap=True, **border, **grey)
        self.note = fmt(wb, text_wrap=True, font_color="#7F7F7F", font_size=9, **border, **grey)
        self.rate = fmt(wb, num_format="0.00%", align="right", **border, **grey)
        self.entry = {
            "": fmt(wb, text_wrap=True, **border, **white),
            "proposed": fmt(wb, text_wrap=True, **border, **proposed),
        }
        self.entry["previous"] = self.entry[""]
        self.entry_center = {"": fmt(wb, align="center", **border, **white),
                             "proposed": fmt(wb, align="center", **border, **proposed)}
        self.entry_center["previous"] = self.entry_center[""]
        self.entry_num = {"": fmt(wb, num_format="General", **border, **white),
                          "proposed": fmt(wb, num_format="General", **border, **proposed)}
        self.entry_num["previous"] = self.entry_num[""]
        self.entry_pct = fmt(wb, num_format="0%", **border, **white)
        self.narrative = fmt(wb, text_wrap=True, **border, **white)
        self.para = fmt(wb, text_wrap=True, valign="top")
        self.h1 = fmt(wb, bold=True, font_size=14, text_wrap=True)
        self.h2 = fmt(wb, bold=True, font_size=12, text_wrap=True)


_HEADING = re.compile(r"[一二三四五六七八九十]+、")


def _write_instructions(wb, f: _Formats, text: str) -> None:
    ws = wb.add_worksheet(layout.SHEET_INSTRUCTIONS)
    width = 70  # fits one A4 portrait page even where the CJK fallback font is wide
    ws.set_column(0, 0, width)
    ws.hide_gridlines(2)
    r = 0
    # The text is plain (templates/填报说明.txt.j2): its first line is the title, "一、…" lines are headings.
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        cell_format = f.para
        if r == 0:
            cell_format = f.h1
        elif _HEADING.match(line):
            cell_format = f.h2
        write_text(ws, r, 0, line, cell_format)
        line_height = 22 if cell_format is f.h1 else 18 if cell_format is f.h2 else 15
        ws.set_row(r, line_height * lines_needed(line, width) + 3)
        r += 1
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _add_validations(ws, first: int, last: int) -> None:
    """Data validation over whole columns of the entry area (one rule per column, not per cell)."""
    def dv(key, options):
        c = _C[key]
        ws.data_validation(first, c, last, c, options)

    def length(key, limit, what):
        dv(key, {"validate": "length", "criteria": "<=", "value": limit, "input_title": what,
                 "input_message": f"不超过 {limit} 个字。", "error_title": "内容过长",
                 "error_message": f"{what}不能超过 {limit} 个字，请精简。", "error_type": "stop"})

    for key, limit in layout.TEXT_LIMITS.items():
        length(key, limit, layout.LABELS[key])
    dv("target", {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                  "input_title": "目标值", "input_message": "只填数字，单位填在“计量单位”列（如 3.5% 填 3.5）。",
                  "error_title": "目标值须为数字", "error_type": "stop",
                  "error_message": "目标值只能填写数字，请勿带单位或文字。"})
    dv("current", {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                   "input_title": "当前值",
                   "input_message": "只填数字，单位与目标值相同。暂无法取得时可填“待年底核算”，不要填 0。",
                   "error_title": "当前值应为数字", "error_type": "warning",
                   "error_message": "当前值应填写数字。若确实暂无数据，可填“待年底核算”并点“是”继续；否则请点“否”改正。"})
    dv("direction", {"validate": "list", "source": list(rates.DIRECTION_LABELS.values()),
                     "input_title": "指标方向",
                     "input_message": "越高越好：越大越好；不超过：不超过目标值即完成；定性：按自评完成率。",
                     "error_title": "指标方向无效", "error_type": "stop",
                     "error_message": "请从下拉列表中选择：越高越好、不超过、定性。"})
    dv("self_rate", {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                     "input_title": "自评完成率",
                     "input_message": "仅定性指标或无量化指标的细化项目填写，填 0%～100%（如 80%）。",
                     "error_title": "自评完成率无效", "error_type": "stop",
                     "error_message": "自评完成率须在 0%～100% 之间，例如 80%。"})


def _write_workbook(path: Path, *, unit: str, period: str, deadline: str, tasks: list[tuple[Task, str]],
                    blocks_lines: list[list[_Line]], rows: list[int], instructions: str, meta: dict) -> None:
    wb = new_workbook(path)
    wb.in_memory = True  # no temporary files per sheet part: a province run writes 1,000 workbooks
    f = _Formats(wb)
    _write_instructions(wb, f, instructions)
    ws = wb.add_worksheet(layout.SHEET_ENTRY)
    fast_formulas(ws)  # saves a quarter of the run time

    columns = layout.entry_columns(any(task.deadline for task, _ in tasks))
    last_col = len(columns) - 1
    n_lead = sum(1 for _, role in tasks if role == ROLE_LEAD)
    ws.merge_range(layout.TITLE_ROW - 1, 0, layout.TITLE_ROW - 1, last_col, "", f.title)
    write_text(ws, layout.TITLE_ROW - 1, 0, f"{layout.period_label(period)} 重点工作推进情况填报表", f.title)
    ws.set_row(layout.TITLE_ROW - 1, 28)
    info = (f"填报单位：{unit}　　任务：{len(tasks)} 项（牵头 {n_lead} 项，配合 {len(tasks) - n_lead} 项）"
            f"　　报送截止：{deadline or '见通知'}　　只填白色单元格，浅黄色为系统建议，可修改")
    ws.merge_range(layout.INFO_ROW - 1, 0, layout.INFO_ROW - 1, last_col, "", f.info)
    write_text(ws, layout.INFO_ROW - 1, 0, info, f.info)
    header = layout.HEADER_ROW - 1
    for c, col in enumerate(columns):
        ws.write_string(header, c, col.label, f.header)
        ws.set_column(c, c, col.width, None, {"hidden": col.key in layout.HIDDEN_COLUMNS})
    ws.set_row(header, 30)

    col = _C
    r = layout.FIRST_ENTRY_ROW - 1  # 0-based
    for seq, ((task, role), lines, n) in enumerate(zip(tasks, blocks_lines, rows), start=1):
        first, last = r, r + n - 1
        # Heights so that the merged task text fits (Excel does not autofit merged cells).
        units_text = "、".join(task.units)
        needed = 15 * max(lines_needed(task.text, layout.COLUMNS[col["task_text"]].width),
                          lines_needed(units_text, layout.COLUMNS[col["units"]].width)) + 4
        height = max(15.0, needed / n)
        for key, value, cell_format in (("seq", seq, f.locked_center), ("task_text", task.text, f.locked_text),
                                        ("units", units_text, f.locked_text),
                                        ("role", role, f.locked_center)):
            if n > 1:
                ws.merge_range(first, col[key], last, col[key], "", cell_format)
            if isinstance(value, int):
                ws.write_number(first, col[key], value, cell_format)
            else:
                write_text(ws, first, col[key], value, cell_format)
        if len(columns) > layout.DEADLINE_INDEX:
            if n > 1:
                ws.merge_range(first, layout.DEADLINE_INDEX, last, layout.DEADLINE_INDEX, "", f.locked_text)
            write_text(ws, first, layout.DEADLINE_INDEX, task.deadline, f.locked_text)
        for key in ("highlights", "problems"):
            if n > 1:
                ws.merge_range(first, col[key], last, col[key], "", f.narrative)
            else:
                ws.write_blank(first, col[key], None, f.narrative)
        for i in range(n):
            row = first + i
            line = lines[i] if i < len(lines) else _Line()
            k = line.kind
            excel_row = row + 1
            ws.set_row(row, height)
            write_text(ws, row, col["task_id"], task.id, f.locked_center)
            write_text(ws, row, col["item"], line.item, f.entry[k if line.item else ""])
            write_text(ws, row, col["indicator"], line.indicator, f.entry[k])
            write_text(ws, row, col["measure_unit"], line.measure_unit, f.entry_center[k])
            if line.target is not None:
                ws.write_number(row, col["target"], line.target, f.entry_num[k])
            else:
                ws.write_blank(row, col["target"], None, f.entry_num[k])
            ws.write_blank(row, col["current"], None, f.entry_num[""])
            ws.write_string(row, col["direction"], rates.DIRECTION_LABELS[line.direction], f.entry_center[k])
            ws.write_blank(row, col["self_rate"], None, f.entry_pct)
            formula = rates.indicator_formula(layout.cell_ref("target", excel_row),
                                              layout.cell_ref("current", excel_row),
                                              layout.cell_ref("self_rate", excel_row),
                                              direction_ref=layout.cell_ref("direction", excel_row))
            cached = rates.indicator_rate(line.direction, line.target, None, None)
            ws.write_formula(row, col["rate"], "=" + formula, f.rate, cached_value(cached))
            write_text(ws, row, col["note"], line.note, f.note)
            ws.write_number(row, col["row_key"], excel_row, f.locked_center)
        r += n
    first_entry = layout.FIRST_ENTRY_ROW - 1
    last_entry = max(r - 1, first_entry)
    _add_validations(ws, first_entry, last_entry)
    ws.freeze_panes(header + 1, col["task_text"] + 1)
    ws.autofilter(header, 0, last_entry, last_col)
    set_a3_landscape(ws, repeat_rows=(header, header))
    ws.protect("", {"format_columns": True, "format_rows": True, "autofilter": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    wb.define_name(ENTRY_NAME, f"='{layout.SHEET_ENTRY}'!$A${first_entry + 1}:${layout.col_letter('note')}"
                               f"${last_entry + 1}")
    ws.activate()

    m = wb.add_worksheet(layout.SHEET_META)
    m.set_column(0, 0, 18)
    m.set_column(1, 1, 60)
    for i, key in enumerate(layout.META_KEYS):
        m.write_string(i, 0, key)
        write_text(m, i, 1, meta.get(key, ""))
    m.very_hidden()  # not offered by Excel's 取消隐藏 dialog: the meta is not for hand-editing
    m.protect("")
    wb.close()


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------

def make_templates(register: Register, out_dir, period: str, *, deadline: dt.date | None = None,
                   directory=None, units: list[str] | None = None, previous: Progress | None = None,
                   rows_per_task: int = layout.DEFAULT_ROWS_PER_TASK, register_sha256: str = "",
                   register_fingerprint: str = "",
                   contact: str = "", register_file: str = "") -> TemplateRun:
    """Write one template per unit (or per unit in `units`), the notices and 分发清单.xlsx into out_dir.

    `contact` (the office's contact line) goes into the instructions and notices ("whom to ask").
    `register_file` (the register's path, as the user gave it) is named in errors about the register.
    """
    register_name = register_file or register.source
    if rows_per_task < 1:
        raise UsageError(f"每项任务的填报行数须至少为 1（现为 {rows_per_task}）")
    period = (period or "").strip()
    if not period:
        raise UsageError("缺少填报期次（如 2021Q3）")
    if not register.tasks:
        raise InputError("任务台账中没有任何任务，无法生成模板", file=register_name)
    out_dir = Path(out_dir)
    # the digest of the register as collect will load it: a caller issuing part of it (closed tasks left out)
    # passes the whole register's
    digest = register_fingerprint or register_digest(register)
    plan, unexpanded = plan_recipients(register, directory)
    if units:
        wanted: list[str] = []
        for name in units:
            for r in (directory.resolve(name) if directory is not None else [name.strip()]):
                if r not in plan:
                    raise InputError(f"单位“{name}”在任务台账中没有任务，无法生成模板", file=register_name)
                if r not in wanted:
                    wanted.append(r)
        plan = {u: plan[u] for u in wanted}
    # only the collectives actually generated this run are worth a warning
    warnings = collective_warnings([u for u in unexpanded if u in plan], directory)
    if not plan:
        raise InputError("任务台账中没有任何责任单位，无法生成模板", file=register_name)
    out_dir.mkdir(parents=True, exist_ok=True)

    tasks_by_id = {t.id: t for t in register.tasks}
    previous_lines = _previous_lines(previous, directory)
    proposals: dict[str, list[_Line]] = {}
    deadline_text = deadline.isoformat() if deadline else ""
    generated_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    run = TemplateRun(warnings=warnings, distribution_list=out_dir / DISTRIBUTION_LIST)
    used_names: set[str] = set()
    env_directions = _DIRECTION_DESCRIPTIONS
    jobs: list[tuple[Path, dict]] = []  # workbooks to write: (path, _write_workbook arguments)
    notices: list[tuple[Path, str]] = []  # written after the workbooks they announce

    for unit, roles in plan.items():
        unit_tasks = [(tasks_by_id[tid], role) for tid, role in roles.items()]
        blocks_lines: list[list[_Line]] = []
        rows: list[int] = []
        blocks: list[tuple[str, int, int]] = []
        r = layout.FIRST_ENTRY_ROW
        for task, _ in unit_tasks:
            prev = previous_lines.get((unit, task.id))
            if prev:
                lines = _lines_from_previous(prev)
            else:
                if task.id not in proposals:
                    proposals[task.id] = _lines_from_proposals(propose_indicators(task.text))
                lines = proposals[task.id]
            n = max(rows_per_task, len(lines) + 2) if lines else rows_per_task
            blocks_lines.append(lines)
            rows.append(n)
            blocks.append((task.id, r, r + n - 1))
            r += n

        base = safe_filename(f"{period}_{unit}")
        name, k = base, 2
        while name.lower() in used_names:
            name, k = f"{base}_{k}", k + 1
        used_names.add(name.lower())
        path = out_dir / f"{name}.xlsx"
        lead_ids = [t.id for t, role in unit_tasks if role == ROLE_LEAD]
        support_ids = [t.id for t, role in unit_tasks if role == ROLE_SUPPORT]
        template_id = uuid.uuid4().hex
        meta = {
            layout.META_TEMPLATE_ID: template_id,
            layout.META_SCHEMA_VERSION: layout.SCHEMA_VERSION,
            layout.META_UNIT: unit,
            layout.META_PERIOD: period,
            layout.META_TASK_IDS: ",".join(t.id for t, _ in unit_tasks),
            layout.META_TASK_ROWS: layout.format_task_rows(blocks),
            layout.META_GENERATED_AT: generated_at,
            layout.META_DEADLINE: deadline_text,
            layout.META_REGISTER_SHA256: register_sha256,
            layout.META_GENERATOR: f"{layout.GENERATOR} {__version__}",
            layout.META_REGISTER_DIGEST: digest,
        }
        recipient = directory.entry(unit) if directory is not None else None
        instructions = render("填报说明.txt.j2", unit=unit, period=period, deadline=deadline_text,
                              n_tasks=len(unit_tasks), n_lead=len(lead_ids), n_support=len(support_ids),
                              sheet_entry=layout.SHEET_ENTRY, note_proposed=layout.NOTE_PROPOSED,
                              has_previous=any(b and b[0].kind == "previous" for b in blocks_lines),
                              pending_markers=layout.PENDING_MARKERS, directions=env_directions,
                              contact=contact)
        jobs.append((path, dict(unit=unit, period=period, deadline=deadline_text, tasks=unit_tasks,
                                blocks_lines=blocks_lines, rows=rows, instructions=instructions, meta=meta)))
        recipient_contact = ""
        if recipient is not None:
            recipient_contact = "，".join(x for x in (recipient.contact, recipient.phone, recipient.email) if x)
        notice_path = out_dir / f"{name}_下发通知.txt"
        notices.append((notice_path, render(
            "下发通知.txt.j2", unit=unit, period=period, deadline=deadline_text, file_name=path.name,
            n_tasks=len(unit_tasks), lead_ids=lead_ids, support_ids=support_ids, contact=contact,
            recipient_contact=recipient_contact)))
        run.issued.append(IssuedTemplate(unit=unit, path=path, task_ids=[t.id for t, _ in unit_tasks],
                                         lead_task_ids=lead_ids, support_task_ids=support_ids,
                                         notice=notice_path, template_id=template_id))

    # Every name is checked before the first file is written: a run stopped half-way would leave notices
    # for workbooks that were never made.
    _check_output_names([p for p, _ in jobs] + [p for p, _ in notices] + [run.distribution_list])
    _write_workbooks(jobs)
    for notice_path, text in notices:
        atomic_write_notice(notice_path, text)
    _write_distribution_list(run, deadline_text, directory)
    return run


MAX_NAME_BYTES = 255  # per file name on Linux and macOS (UTF-8); Windows allows 255 UTF-16 units


def _check_output_names(paths: list[Path]) -> None:
    for p in paths:
        if len(p.name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES or len(p.name) > MAX_NAME_BYTES:
            raise OutputError(f"文件名过长（超过 {MAX_NAME_BYTES} 字节），未写出任何文件", file=str(p))


# A province run writes 1,000 workbooks, each independent of the others: beyond this many task slots
# (about five times a city) they are written by a pool of processes (xltasks.core.parallel).
PARALLEL_MIN_SLOTS = 4000


def _write_one(job: tuple[Path, dict]) -> None:
    path, kwargs = job
    atomic_write_with(path, lambda tmp: _write_workbook(tmp, **kwargs))


def _write_workbooks(jobs: list[tuple[Path, dict]]) -> None:
    slots = sum(len(kw["tasks"]) for _, kw in jobs)
    workers = parallel.jobs(len(jobs), parallel=slots >= PARALLEL_MIN_SLOTS, items_per_worker=16)
    parallel.run_all(_write_one, jobs, workers)


def _write_distribution_list(run: TemplateRun, deadline: str, directory) -> None:
    headers = [("单位", 30), ("文件", 40), ("牵头任务数", 8), ("牵头任务", 40), ("配合任务数", 8), ("配合任务", 40),
               ("截止日期", 12), ("模板编号", 34)]
    if directory is not None:
        headers += [("联系人", 10), ("联系电话", 16), ("电子邮箱", 26)]

    def write(tmp: Path) -> None:
        wb = new_workbook(tmp)
        rows = []
        for it in run.issued:
            values = [it.unit, it.path.name, len(it.lead_task_ids), "、".join(it.lead_task_ids),
                      len(it.support_task_ids), "、".join(it.support_task_ids), deadline, it.template_id]
            if directory is not None:
                e = directory.entry(it.unit)
                values += [e.contact, e.phone, e.email] if e is not None else ["", "", ""]
            rows.append(values)
        write_table(wb, "分发清单", headers, rows, freeze_cols=1, a3=True)
        wb.close()

    atomic_write_with(run.distribution_list, write)
