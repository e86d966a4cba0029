"""One period's round inside a workspace: import, receive, issue (templates), collect, compile.

Each function takes the Workspace and a period name, finds every path itself (options still override), calls
the stage's own library function, and records in the database what happened:

- `import_sources(ws, sources)`: the documents are copied into source/ and imported into the register.
- `record_file(ws, period, source, received_at=None)`: a return received (a path or the bytes of an upload)
  is copied into PERIOD/returns/ and its receipt time kept; a return put there by hand counts as received
  when `collect` first sees it.
- `issue(ws, period)`: templates for the units, **rolled over** — pre-filled from each unit's latest accepted
  return of an earlier period — and without the tasks closed (销号) in an earlier period.
- `collect(ws, period)`: collect PERIOD/returns/, mark **late returns** (逾期报送: received after the
  period's deadline; accepted all the same), write merged.xlsx and the reports, record each unit's status.
- `compile_period(ws, period)`: the 汇编 with the trend (上期完成率, 趋势), 已销号 and 逾期报送; the task and
  unit rates are stored for later periods' trend and for the 通报.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.errors import XltasksError
from ..core.fileio import atomic_path, safe_filename, sha256_bytes, sha256_file
from ..core.models import Progress
from .db import transaction


# --- import --------------------------------------------------------------------------------------------

def import_sources(ws, sources, *, layout: str = "auto", out: str | Path | None = None):
    """Copy the documents into source/ (unless already there) and import them into the register.
    Returns (register, xlsx path, json path)."""
    from ..core.register_io import write_register
    from ..importers import import_paths

    kept = []
    for src in map(Path, sources):
        if not src.is_file():
            raise XltasksError("找不到要导入的文件", file=str(src))
        kept.append(_keep_copy(src, ws.source_dir))
    register = import_paths(kept, layout=layout)
    xlsx_path, json_path = write_register(register, out or ws.register_path)
    return register, xlsx_path, json_path


def _keep_copy(src: Path, folder: Path) -> Path:
    """src itself when it is in `folder`, else a copy there (a name already taken by other content gets (2))."""
    folder.mkdir(parents=True, exist_ok=True)
    if src.resolve().parent == folder.resolve():
        return src
    dest = _free_name(folder, src.name, sha256_file(src))
    if not dest.exists():
        with atomic_path(dest) as tmp:
            shutil.copyfile(src, tmp)
    return dest


def _free_name(folder: Path, name: str, sha: str) -> Path:
    """folder/name, or folder/name (2)… when another file already has that name; the same content reuses it."""
    base = Path(safe_filename(name))
    candidate, n = folder / base.name, 1
    while candidate.exists() and sha256_file(candidate) != sha:
        n += 1
        candidate = folder / f"{base.stem}({n}){base.suffix}"
    return candidate


# --- receiving returns ---------------------------------------------------------------------------------

def record_file(ws, period: str, source: str | Path | bytes, *, name: str = "",
                received_at: dt.datetime | None = None) -> Path:
    """Keep a received return in PERIOD/returns/ and the time it was received (default: now).

    The same content received again for the period keeps its first receipt (and file). Returns the path."""
    from .workspace import now_iso

    p = ws.period(period)
    if isinstance(source, (bytes, bytearray)):
        if not name:
            raise XltasksError("收到的文件须有文件名")
        data = bytes(source)
        src_path = None
    else:
        src_path = Path(source)
        if not src_path.is_file():
            raise XltasksError("找不到收到的文件", file=str(src_path))
        data = src_path.read_bytes()
        name = name or src_path.name
    sha = sha256_bytes(data)
    row = ws.db.execute("SELECT path FROM receipts WHERE period=? AND sha256=? ORDER BY id LIMIT 1",
                        (p.name, sha)).fetchone()
    if row and (ws.root / row[0]).is_file():
        return ws.root / row[0]
    folder = ws.returns_dir(p.name)
    folder.mkdir(parents=True, exist_ok=True)
    if src_path is not None and src_path.resolve().parent == folder.resolve():
        dest = src_path  # already where returns go: only its receipt is new
    else:
        dest = _free_name(folder, name, sha)
        if not dest.exists():
            with atomic_path(dest) as tmp:
                tmp.write_bytes(data)
    when = (received_at.astimezone().isoformat(timespec="seconds") if received_at else now_iso())
    with transaction(ws.db):
        ws.db.execute("INSERT INTO receipts (period, path, sha256, received_at, original) VALUES (?,?,?,?,?)",
                      (p.name, ws.relative(dest), sha, when, name))
    return dest


# --- issuing -------------------------------------------------------------------------------------------

@dataclass
class IssueResult:
    period: str
    run: object  # issuing.templates.TemplateRun
    prefilled_units: list[str] = field(default_factory=list)  # rolled over from an earlier period
    closed_left_out: list[str] = field(default_factory=list)  # task ids closed in an earlier period


def rollover_progress(ws, period: str) -> Progress | None:
    """Each unit's rows from its latest accepted return of a period before `period` (None when none)."""
    from ..core.progress_io import read_progress

    rows, units = [], []
    for earlier in reversed(ws.config.earlier(period)):
        merged = ws.merged_path(earlier.name)
        if not merged.is_file():
            continue
        progress = read_progress(merged)
        fresh = [u for u in progress.reported_units if u not in units]
        rows.extend(r for r in progress.rows if r.unit in fresh)
        units.extend(fresh)
    if not units:
        return None
    return Progress(period=period, rows=rows, reported_units=units)


def issue(ws, period: str, *, out_dir: str | Path | None = None, units: list[str] | None = None,
          previous: Progress | None = None, deadline: dt.date | None = None, rows_per_task: int | None = None,
          register_path: str | Path | None = None, directory=None, contact: str | None = None) -> IssueResult:
    from ..core import layout
    from ..core.register_io import load_register, register_digest
    from ..issuing.templates import make_templates
    from .closures import closures

    p = ws.period(period)
    register_path = Path(register_path) if register_path else ws.register_path
    register = load_register(register_path) if register_path != ws.register_path else ws.load_register()
    closed = closures(ws, before=p.name)
    open_tasks = [t for t in register.tasks if t.id not in closed]
    left_out = [t.id for t in register.tasks if t.id in closed]
    if not open_tasks:
        raise XltasksError(f"任务台账中的 {len(register.tasks)} 项任务均已销号，{p.name} 无需下发模板")
    if previous is None:
        previous = rollover_progress(ws, p.name)
    out = Path(out_dir) if out_dir else ws.templates_dir(p.name)
    run = make_templates(replace(register, tasks=open_tasks), out, p.name, deadline=deadline or p.deadline,
                         directory=directory if directory is not None else ws.load_directory(), units=units,
                         previous=previous, rows_per_task=rows_per_task or layout.DEFAULT_ROWS_PER_TASK,
                         register_sha256=sha256_file(register_path),
                         register_fingerprint=register_digest(register),  # the whole register, as collect loads it
                         contact=ws.config.contact if contact is None else contact,
                         register_file=str(register_path))
    prefilled = sorted({i.unit for i in run.issued} & set(previous.reported_units)) if previous else []
    from .workspace import now_iso

    with transaction(ws.db):
        cur = ws.db.execute(
            "INSERT INTO issue_runs (period, at, templates, assignments, prefilled, closed_left_out) "
            "VALUES (?,?,?,?,?,?)", (p.name, now_iso(), len(run.issued), sum(len(i.task_ids) for i in run.issued),
                                     len(prefilled), len(left_out)))
        ws.db.executemany("INSERT INTO issued (run_id, unit, path, sha256, tasks) VALUES (?,?,?,?,?)",
                          [(cur.lastrowid, i.unit, ws.relative(i.path), sha256_file(i.path), len(i.task_ids))
                           for i in run.issued])
    return IssueResult(period=p.name, run=run, prefilled_units=prefilled, closed_left_out=left_out)


# --- collecting ----------------------------------------------------------------------------------------

def received_times(ws, period: str, files) -> dict[str, str]:
    """FileResult.key → when it was received: its receipt (record_file), else when collect first saw it."""
    out = {}
    for f in files:
        row = ws.db.execute("SELECT MIN(received_at) FROM receipts WHERE period=? AND sha256=?",
                            (period, f.sha256)).fetchone()
        if not row[0]:
            row = ws.db.execute("SELECT MIN(first_seen) FROM files WHERE sha256=?", (f.sha256,)).fetchone()
        out[f.key] = row[0] or ""
    return out


def is_late(received_at: str, deadline: dt.date) -> bool:
    """Received after the deadline day (in the receiving office's local time)."""
    if not received_at:
        return False
    return dt.datetime.fromisoformat(received_at).date() > deadline


def collect(ws, period: str, *, dirs=None, output: str | Path | None = None, report: str | Path | None = None,
            json_path: str | Path | None = None, csv_path: str | Path | None = None,
            register_path: str | Path | None = None, directory=None, password: str | None = None,
            progress=None):
    """Collect the period's returns; returns the CollectResult with each UnitStatus' `received_at` and `late`."""
    from ..collecting.merge import collect as collect_returns
    from ..core.statuses import SubmissionStatus
    from ..collecting.report import write_json, write_xlsx
    from ..core.progress_io import write_progress
    from ..core.register_io import load_register
    from .workspace import now_iso

    p = ws.period(period)
    register_path = Path(register_path) if register_path else ws.register_path
    register = load_register(register_path) if register_path != ws.register_path else ws.load_register()
    directory = directory if directory is not None else ws.load_directory()
    dirs = [Path(d) for d in (dirs or [ws.returns_dir(p.name)])]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True) if d == ws.returns_dir(p.name) else None
    default_report, default_json = ws.report_paths(p.name)
    output = Path(output) if output else ws.merged_path(p.name)
    report = Path(report) if report else default_report
    json_path = Path(json_path) if json_path else default_json
    outputs = [x for x in (output, report, json_path, csv_path) if x]
    exclude = [*outputs, ws.db_path, register_path]
    result = collect_returns(dirs, register, p.name, directory=directory, exclude=exclude, ledger=ws.db_path,
                             progress=progress, password=password)
    result.deadline = p.deadline
    times = received_times(ws, p.name, result.files)
    by_path = {f.path: f for f in result.files}
    for u in result.units:
        f = by_path.get(u.data_file) if u.status == SubmissionStatus.REPORTED else by_path.get(u.file)
        if f is not None:
            u.received_at = times.get(f.key, "")
            u.late = u.status == SubmissionStatus.REPORTED and is_late(u.received_at, p.deadline)
    write_progress(result.progress, output)
    if csv_path:
        write_progress(result.progress, csv_path)
    write_xlsx(result, report)
    write_json(result, json_path)
    stats = result.stats()
    with transaction(ws.db):
        cur = ws.db.execute("INSERT INTO collect_runs (period, at, files, accepted, rejected, superseded) "
                            "VALUES (?,?,?,?,?,?)", (p.name, now_iso(), stats["files"], stats["accepted"],
                                                     stats["rejected"], stats["superseded"]))
        ws.db.executemany(
            "INSERT INTO unit_rounds (run_id, period, unit, status, file, received_at, late) VALUES (?,?,?,?,?,?,?)",
            [(cur.lastrowid, p.name, u.unit, u.status, ws.relative(u.file) if u.file else "", u.received_at,
              int(u.late)) for u in result.units])
    return result


def unit_rounds(ws, period: str) -> list[dict]:
    """Each unit's status in the period's latest collect run ([] before the first)."""
    row = ws.db.execute("SELECT MAX(id) FROM collect_runs WHERE period=?", (period,)).fetchone()
    if not row[0]:
        return []
    cols = ("unit", "status", "file", "received_at", "late")
    return [dict(zip(cols, r)) for r in ws.db.execute(
        f"SELECT {', '.join(cols)} FROM unit_rounds WHERE run_id=? ORDER BY rowid", (row[0],))]


def late_units(ws, period: str) -> list[str]:
    return [u["unit"] for u in unit_rounds(ws, period) if u["late"]]


# --- compiling -----------------------------------------------------------------------------------------

def compile_period(ws, period: str, *, output: str | Path | None = None, merged: str | Path | None = None,
                   register_path: str | Path | None = None, rules: str | None = None, title: str | None = None,
                   as_of: dt.date | None = None):
    """The period's 汇编 (see module doc) as of the period's date, or `as_of`; returns the CompileResult."""
    from ..compiling.rules import load_rules
    from ..compiling.writer import compile_workbook
    from ..core.progress_io import read_progress
    from ..core.register_io import load_register
    from .trend import history_for, store_rates

    p = ws.period(period)
    register_path = Path(register_path) if register_path else ws.register_path
    register = load_register(register_path) if register_path != ws.register_path else ws.load_register()
    merged = Path(merged) if merged else ws.merged_path(p.name)
    if not merged.is_file():
        raise XltasksError(f"{p.name} 还没有汇总结果：请先收集报送表（xltasks collect {p.name}）", file=str(merged))
    progress = read_progress(merged)
    output = Path(output) if output else ws.compilation_path(p.name)
    rule_set = load_rules(rules or _rules_ref(ws))
    result = compile_workbook(register, progress, output, as_of=as_of or p.as_of, rules=rule_set, title=title,
                              register_file=str(register_path), progress_file=str(merged),
                              history=history_for(ws, p.name, progress))
    if output.resolve() == ws.compilation_path(p.name).resolve():
        store_rates(ws, p.name, result, progress, output)
    return result


def _rules_ref(ws) -> str:
    """A rule set named in xltasks.toml: a built-in name, or a .toml file relative to the workspace."""
    ref = ws.config.rules or "default"
    return str(ws.root / ref) if ref.lower().endswith(".toml") else ref
