"""Per-unit fill-in workbooks (`xltasks templates`): one .xlsx per responsible unit with exactly its tasks.

Each workbook has a 填报说明 sheet (rendered from templates/填报说明.txt.j2), the 填报 sheet laid out as
`xltasks.core.layout` says (collect reads it back by the same facts), and a hidden `_meta` sheet that
identifies a returned file by its content. Written with xlsxwriter so that the 完成率 formulas carry
cached values computed by `xltasks.core.rates` (Excel, WPS and LibreOffice all show numbers on open).
Beside them: 分发清单.xlsx and one notice per unit (templates/下发通知.txt.j2, plain text for Notepad/WPS).
This module plans the run (who gets which task, file names, meta) and writes the files; one workbook is
template_book.py, what its task blocks are pre-filled with prefill.py.
"""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from .. import __version__
from ..core import layout, parallel
from ..core.directory import collective_warnings, plan_recipients
from ..core.errors import InputError, OutputError, UsageError
from ..core.fileio import atomic_write_notice, atomic_write_with, safe_filename
from ..core.models import ROLE_LEAD, ROLE_SUPPORT, Progress, Register
from ..core.register_io import register_digest
from ..core.results import IssuedTemplate, TemplateRun
from ..core.texts import render
from ..core.xlsx import new_workbook, write_table
from .prefill import PrefillLine, lines_from_previous, lines_from_proposals, previous_by_unit_task
from .targets import propose_indicators
from .template_book import DIRECTION_DESCRIPTIONS, write_workbook

DISTRIBUTION_LIST = layout.DISTRIBUTION_LIST


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
    previous_lines = previous_by_unit_task(previous, directory)
    proposals: dict[str, list[PrefillLine]] = {}
    deadline_text = deadline.isoformat() if deadline else ""
    generated_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    run = TemplateRun(warnings=warnings, distribution_list=out_dir / DISTRIBUTION_LIST)
    used_names: set[str] = set()
    env_directions = DIRECTION_DESCRIPTIONS
    jobs: list[tuple[Path, dict]] = []  # workbooks to write: (path, template_book.write_workbook arguments)
    notices: list[tuple[Path, str]] = []  # written after the workbooks they announce

    for unit, roles in plan.items():
        unit_tasks = [(tasks_by_id[tid], role) for tid, role in roles.items()]
        blocks_lines: list[list[PrefillLine]] = []
        rows: list[int] = []
        blocks: list[tuple[str, int, int]] = []
        r = layout.FIRST_ENTRY_ROW
        for task, _ in unit_tasks:
            prev = previous_lines.get((unit, task.id))
            if prev:
                lines = lines_from_previous(prev)
            else:
                if task.id not in proposals:
                    proposals[task.id] = lines_from_proposals(propose_indicators(task.text))
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
    atomic_write_with(path, lambda tmp: write_workbook(tmp, **kwargs))


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
