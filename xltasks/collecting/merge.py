"""Merge: validated files → the progress register (Progress), unit statuses, and the run's summary.

`collect(dirs, register, period, …) -> CollectResult` is the Python API of `xltasks collect`:
walk (intake) → check each file (validate) → pick one return per unit → Progress → ledger.

Duplicates: all identified files of one unit and period compete, ordered by the time the office received
them (the ledger's first-seen time, else the file's modification time), then the workbook's own saved time,
then the path (newest.py: one rule for .xlsx, .xls and .ods alike; the superseded file's message says which
time decided, and a deciding file whose workbook was saved before a superseded one's is flagged).
The newest file decides the unit's status (the unit's latest word is what the office acts on); the newest
ACCEPTED file gives the rows. So when the newest file was rejected but an older one is clean, the newer
stays rejected with its problems (the unit is 有错误退回 and `xltasks remind` sends a 退回修改通知 for it),
and the older clean file's rows are merged meanwhile, with an `older-return-used` warning on the newer
file naming it: a bad re-send (or a copy of another unit's file with its _meta edited) never wipes out data
that was already good. Every other file of the unit is `superseded`: listed with a warning, its own
problems dropped from the run (it is no longer the unit's return), nothing deleted. Files that are not fully identified (wrong period, schema version, …) are rejected and
never compete with identified ones; but when their _meta names a unit of the register and that unit has no
identified file, the newest of them decides it: the unit is 有错误退回, not 未报送, so `xltasks remind` sends a
退回修改通知 (what to fix) rather than a 催报通知. A file that names no known unit (not a workbook, not our
template, unknown unit) cannot speak for any unit and stays out of the unit statuses.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import newest
from .intake import sources_of
from .unread import Unread, scan
from ..core.models import ROLE_LEAD, Progress, Register
from ..core.fileio import source_name
from ..core.parallel import jobs, map_in_pool
from ..core.problems import problem
from ..core.results import CollectResult, FileResult, UnitStatus
from ..core.statuses import FileStatus, SubmissionStatus
from .validate import Context, UnitIndex, check_file


_newest_key = newest.newest_key


def pick_returns(files: list[FileResult]) -> dict[str, FileResult]:
    """The deciding (newest) file of each unit; see `pick_data` for the file whose rows are merged."""
    return {unit: decider for unit, (decider, _) in pick_data(files).items()}


def pick_data(files: list[FileResult]) -> dict[str, tuple[FileResult, FileResult | None]]:
    """unit → (deciding file, file whose rows are merged or None); marks the rest superseded and warns on a
    rejected newest file whose older accepted sibling is used meanwhile (see module doc)."""
    by_unit: dict[str, list[FileResult]] = {}
    for f in files:
        if f.identified and f.unit:
            by_unit.setdefault(f.unit, []).append(f)
    out: dict[str, tuple[FileResult, FileResult | None]] = {}
    for unit, group in by_unit.items():
        group.sort(key=_newest_key)
        decider = group[-1]
        data = next((f for f in reversed(group) if f.status == FileStatus.ACCEPTED), None)
        out[unit] = (decider, data)
        if data is not None and data is not decider:
            decider.problems.append(problem("older-return-used", file=decider.path, unit=unit,
                                            older=source_name(data.path)))
        later_saved = newest.disagreement(decider, group[:-1])
        if later_saved is not None:
            decider.problems.append(problem(
                "newest-times-disagree", file=decider.path, unit=unit, other=source_name(later_saved.path),
                received=newest.shown_time(newest.received(decider)),
                other_received=newest.shown_time(newest.received(later_saved)),
                saved=newest.shown_time(decider.saved_at), other_saved=newest.shown_time(later_saved.saved_at)))
        for f in group:
            if f is decider or f is data:
                continue
            f.status = FileStatus.SUPERSEDED
            f.rows = []
            f.superseded_by = decider.path
            f.problems = [problem("duplicate-superseded", file=f.path, unit=unit, newer=source_name(decider.path),
                                  basis=newest.decided_by(decider, f))]
    return out


def build_progress(period: str, picks: dict[str, tuple[FileResult, FileResult | None]] | dict[str, FileResult],
                   index: UnitIndex) -> Progress:
    """The rows of each unit's data file (`pick_data`) → Progress, in register order of units then sheet
    order; a unit whose rows are merged is a reported unit."""
    rows = []
    reported = []
    for unit in index.units():
        pick = picks.get(unit)
        f = pick[1] if isinstance(pick, tuple) else pick
        if f is not None and f.status == FileStatus.ACCEPTED:
            reported.append(unit)
            rows.extend(f.rows)
    return Progress(period=period, rows=rows, reported_units=reported)


def unit_statuses(index: UnitIndex, files: list[FileResult],
                  picks: dict[str, tuple[FileResult, FileResult | None]] | dict[str, FileResult]) -> list[UnitStatus]:
    out = []
    count: dict[str, int] = {}
    # newest rejected-before-identification file naming each unit (see module doc)
    named: dict[str, FileResult] = {}
    for f in files:
        if f.unit:
            count[f.unit] = count.get(f.unit, 0) + 1
            if not f.identified and f.status == FileStatus.REJECTED and (
                    f.unit not in named or _newest_key(f) > _newest_key(named[f.unit])):
                named[f.unit] = f
    for unit in index.units():
        tasks = index.tasks[unit]
        lead = sum(index.role(unit, t.id) == ROLE_LEAD for t in tasks)
        pick = picks.get(unit)
        decider, data = pick if isinstance(pick, tuple) else (pick, pick)
        if data is not None and data.status != FileStatus.ACCEPTED:
            data = None
        f = decider or named.get(unit)
        if f is None:
            status = SubmissionStatus.MISSING
        elif f.status == FileStatus.ACCEPTED:
            status = SubmissionStatus.REPORTED
        else:
            status = SubmissionStatus.REJECTED
        out.append(UnitStatus(unit=unit, kind=index.kind.get(unit, ""), tasks=len(tasks), lead_tasks=lead,
                              status=status, files=count.get(unit, 0),
                              errors=f.errors if f else 0, warnings=f.warnings if f else 0,
                              rows=len(data.rows) if data else 0, file=f.path if f else "",
                              data_file=data.path if data else ""))
    return out


# Files are checked independently of each other: from this many on (a province sends 1,000) they are
# checked by a pool of processes (xltasks.core.parallel), results kept in path order.
PARALLEL_MIN_FILES = 64


def check_path(p: Path, ctx: Context) -> list[FileResult]:
    """The checks collect runs on one file on disk (an archive gives one FileResult per workbook in it);
    the web page's instant result for an upload is this very call."""
    return [x for x in check_path_all(p, ctx) if isinstance(x, FileResult)]


def check_path_all(p: Path, ctx: Context) -> list[FileResult | Unread]:
    """check_path, with the archive members that are not read (unread.py) listed rather than dropped."""
    return [Unread(source.path, source.unread) if source.unread else check_file(source, ctx)
            for source in sources_of(p)]


def _check_paths(paths: list[Path], ctx: Context) -> Iterator[list[FileResult | Unread]]:
    """The FileResults of each path (an archive gives several), in path order."""
    workers = jobs(len(paths), parallel=len(paths) >= PARALLEL_MIN_FILES, items_per_worker=32)
    return map_in_pool(check_path_all, paths, workers, args=(ctx,), max_chunk=16)


def collect(dirs: Iterable[str | Path], register: Register, period: str, *, directory=None,
            exclude: Iterable[str | Path] = (), ledger: str | Path | None = None,
            progress: Callable[[int, int], None] | None = None, password: str | None = None,
            debug: bool = False) -> CollectResult:
    """Collect the returned files under `dirs` for `period` (see module doc).

    `exclude`: paths never read (the run's own outputs when they sit in a returns folder).
    `ledger`: an SQLite path; every file seen is recorded there (ledger.py).
    `progress(done, total)`: called after each file on disk (for a progress bar).
    `password`: opens encrypted returns (decrypted in memory; a file it does not open is `bad-password`).
    `debug`: print the traceback of a file that fails unexpectedly (it is still reported, `xltasks -v`).
    """
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    index = UnitIndex(register, directory)
    ctx = Context(register=register, period=period.strip(), index=index, password=password or None, debug=debug)
    dirs = [str(d) for d in dirs]
    paths, unread = scan(dirs, exclude)
    first_seen: dict[tuple[str, str], str] = {}
    if ledger is not None:
        from .ledger import Ledger

        with Ledger(ledger) as led:  # opened first: a damaged ledger is said before any work
            first_seen = led.first_seen()
    files: list[FileResult] = []
    for i, checked in enumerate(_check_paths(paths, ctx), start=1):
        files.extend(x for x in checked if isinstance(x, FileResult))
        unread.extend(x for x in checked if isinstance(x, Unread))
        if progress is not None:
            progress(i, len(paths))
    newest.set_received(files, first_seen)
    picks = pick_data(files)
    prog = build_progress(ctx.period, picks, index)
    prog.register_digest = ctx.register_digest
    units = unit_statuses(index, files, picks)
    result = CollectResult(period=ctx.period, files=files, progress=prog, units=units, started_at=started,
                           folders=dirs, unread=unread)
    if ledger is not None:
        from .ledger import Ledger

        with Ledger(ledger) as led:
            led.record(files, started)
    return result


def progress_frame(progress: Progress):
    """The merged rows as a pandas DataFrame (columns: ProgressRow fields, provenance as source_*)."""
    import pandas as pd

    from ..core.progress_io import PROGRESS_COLUMNS

    cols = [k for k, _, _ in PROGRESS_COLUMNS]
    return pd.DataFrame([r.to_flat_dict() for r in progress.rows], columns=cols)
