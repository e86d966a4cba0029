"""Uploads: store a returned file, check it the way `xltasks collect` does, and keep the period's merge fresh.

One uploaded file goes: bytes → `<period>/.incoming/<random>/<safe name>` (a dot folder, which collect never
reads) → `collecting.merge.check_path` (the very checks of collect, for the instant result) → received into
the period's returns folder by the workspace (`Workspace.record_file`: written atomically under a new name,
the receipt time kept for 逾期报送; read-only afterwards) → recorded in the database → the period's merge
(the workspace's collect over the whole returns folder) is requested from one background worker, which
coalesces bursts. The stored name is built here (time, a cleaned stem, a hash prefix), never taken as a path
from the browser, and is checked to sit directly in the returns folder.

A file sent through a unit's link that names ANOTHER unit is refused: it is kept apart (`.refused/`, for the
office to look at) and never reaches the returns folder, so a unit cannot replace another unit's return. A
file that names no unit at all (not a workbook, a zip bomb, …) is kept apart too: it cannot speak for any
unit and would only clutter the report; its problems are shown to whoever sent it.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..collecting.intake import ARCHIVE_EXTS, WORKBOOK_EXTS
from ..collecting.validate import Context, UnitIndex
from ..core.results import FileResult
from ..core.statuses import FileStatus, UploadStatus
from ..core.fileio import safe_filename, sha256_bytes
from .adapter import Site
from .store import Store, now_text

log = logging.getLogger("xltasks.web")

ALLOWED_EXTS = WORKBOOK_EXTS + ARCHIVE_EXTS
INCOMING_DIR = ".incoming"
REFUSED_DIR = ".refused"
STEM_CHARS = 60

VIA_UNIT = "unit"
VIA_OFFICE = "office"


@dataclass
class Received:
    """What became of one uploaded file (shown at once on the page)."""

    upload_id: int
    original_name: str
    stored_name: str
    status: UploadStatus
    reason: str = ""  # why refused (Chinese), when it was
    results: list[FileResult] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p["level"] == "错误" for p in self.problems)


def shown_name(name: str) -> str:
    """The last part of a browser-sent file name, whichever separator it used (C:\\x\\a.xlsx, ../a.xlsx)."""
    name = "".join(c for c in (name or "") if ord(c) >= 32 and c != "\x7f")  # no NUL, CR, LF in a header
    return PureWindowsPath(PurePosixPath(name).name).name.strip() or "未命名"


def stored_name(original: str, sha256: str, when: dt.datetime) -> str:
    stem, ext = os.path.splitext(shown_name(original))
    stem = safe_filename(stem.strip(". "), max_len=STEM_CHARS, max_bytes=STEM_CHARS * 3).lstrip(".") or "报送表"
    return f"{when:%Y%m%d-%H%M%S-%f}_{stem}_{sha256[:8]}{ext.lower()}"


def _problem_dicts(results: list[FileResult]) -> list[dict]:
    out = []
    for f in results:
        member = f.path.split("::", 1)[1] if "::" in f.path else ""
        for p in f.problems:
            out.append({"code": p.code, "level": p.level, "sheet": p.sheet, "cell": p.cell, "message": p.message,
                        "suggestion": p.suggestion, "member": member})
    return out


class Intake:
    """Receives the uploads of one workspace (thread-safe; one instance per app)."""

    def __init__(self, site: Site, store: Store):
        self.site = site
        self.store = store
        self.merger = Merger(site)
        self._contexts: dict[str, tuple[object, Context]] = {}
        self._lock = threading.Lock()

    def context(self, period: str) -> Context:
        """collect's check context for the period, rebuilt when the register changes."""
        register = self.site.register()
        with self._lock:
            cached = self._contexts.get(period)
            if cached is None or cached[0] is not register:
                cached = (register, Context(register=register, period=period, index=UnitIndex(register)))
                self._contexts[period] = cached
            return cached[1]

    def receive(self, period: str, original: str, data: bytes, *, unit: str | None) -> Received:
        """Store, check and record one uploaded file; `unit` is the unit whose link was used (None: office)."""
        name = shown_name(original)
        ext = os.path.splitext(name)[1].lower()
        via = VIA_UNIT if unit else VIA_OFFICE
        if ext not in ALLOWED_EXTS:
            return self._refused(period, unit, via, name, data,
                                 f"只接受 Excel/WPS 工作簿（{' '.join(WORKBOOK_EXTS)}）或 .zip 压缩包，"
                                 f"“{name}”不是这类文件")
        if not data:
            return self._refused(period, unit, via, name, data, f"“{name}”是空文件（0 字节），请重新选择文件")
        when = dt.datetime.now()
        sha = sha256_bytes(data)
        final_name = stored_name(name, sha, when)
        incoming = self.site.period_dir(period) / INCOMING_DIR / secrets.token_hex(8)
        incoming.mkdir(parents=True)
        try:
            staged = incoming / final_name
            with open(staged, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.utime(staged, (when.timestamp(), when.timestamp()))
            from ..collecting.merge import check_path

            results = check_path(staged, self.context(period))
            named = {f.unit for f in results if f.unit}
            reason = ""
            if unit and named - {unit}:
                reason = (f"这是“{'、'.join(sorted(named - {unit}))}”的填报表，不是“{unit}”的，未予接收；"
                          f"请上传本单位的填报表")
            elif not named and via == VIA_UNIT:
                reason = "未能认出这是哪个单位的填报表（详见下列问题），未放入报送文件夹"
            if reason:
                placed = _place(staged, self.site.period_dir(period) / REFUSED_DIR)
            else:
                placed = self.site.record(period, data, final_name, when.astimezone())
                if placed.resolve().parent != self.site.returns_dir(period).resolve():
                    raise ValueError(f"a return stored outside the returns folder: {placed}")
                os.chmod(placed, 0o444)
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        accepted = all(f.status == FileStatus.ACCEPTED for f in results) and bool(results)
        status = (UploadStatus.REFUSED if reason
                  else UploadStatus.ACCEPTED if accepted else UploadStatus.REJECTED)
        problems = _problem_dicts(results)
        record_unit = unit or (sorted(named)[0] if len(named) == 1 else "、".join(sorted(named)))
        upload_id = self.store.add_upload(
            period=period, unit=record_unit, via=via, original_name=name,
            stored_path=str(placed.relative_to(self.site.root)), sha256=sha, size=len(data),
            received_at=when.astimezone().isoformat(timespec="seconds"), status=status,
            errors=sum(f.errors for f in results), warnings=sum(f.warnings for f in results),
            rows=sum(len(f.rows) for f in results), problems=problems)
        if not reason:
            self.merger.request(period)
        return Received(upload_id, name, placed.name, status, reason, results, problems)

    def _refused(self, period, unit, via, name, data, reason) -> Received:
        upload_id = self.store.add_upload(
            period=period, unit=unit or "", via=via, original_name=name, stored_path="",
            sha256=sha256_bytes(data), size=len(data), received_at=now_text(), status=UploadStatus.REFUSED,
            errors=1, warnings=0, rows=0, problems=[])
        return Received(upload_id, name, "", UploadStatus.REFUSED, reason)


def _place(staged: Path, folder: Path) -> Path:
    """Link a refused file into `folder` under its own name (or name_2, …): never over another file, never
    outside the folder; the placed file is read-only."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, ext = os.path.splitext(staged.name)
    for k in range(1, 1000):
        target = folder / (staged.name if k == 1 else f"{stem}_{k}{ext}")
        if target.resolve().parent != folder.resolve():
            raise ValueError(f"unsafe stored name {target.name!r}")
        try:
            os.link(staged, target)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: an exclusive copy
            try:
                with open(target, "xb") as out, open(staged, "rb") as src:
                    shutil.copyfileobj(src, out)
            except FileExistsError:
                continue
        os.chmod(target, 0o444)
        return target
    raise FileExistsError(f"no free name for {staged.name}")


def _collect_in_child(root: str, period: str):
    """The workspace's collect of a period, run in the merge process (module level: it is pickled by name)."""
    from .adapter import Site

    return Site(root=Path(root)).collect(period)


class Merger:
    """One background worker that runs the period's collect after uploads; a burst of uploads gives one or
    two runs, not one per file. `wait()` lets a page show the board as of every upload received before.

    The collect itself runs in one long-lived child process (spawned once): it uses the other core instead of
    competing with the pages for this process's GIL, and a return that makes collect run out of memory takes
    down that child, not the server (a new one is started for the next merge)."""

    def __init__(self, site: Site):
        self.site = site
        self._pool = None
        self._cond = threading.Condition()
        self._wanted: dict[str, int] = {}  # period → generation requested
        self._done: dict[str, int] = {}  # period → generation whose merge finished
        self.results: dict[str, object] = {}  # period → last CollectResult
        self.errors: dict[str, str] = {}
        self._thread: threading.Thread | None = None

    def request(self, period: str) -> int:
        with self._cond:
            self._wanted[period] = self._wanted.get(period, 0) + 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="xltasks-merge", daemon=True)
                self._thread.start()
            self._cond.notify_all()
            return self._wanted[period]

    def pending(self, period: str) -> bool:
        with self._cond:
            return self._done.get(period, 0) < self._wanted.get(period, 0)

    def wait(self, period: str, timeout: float = 10.0) -> bool:
        """Wait until every merge requested so far for the period has run; False on timeout."""
        with self._cond:
            target = self._wanted.get(period, 0)
            return self._cond.wait_for(lambda: self._done.get(period, 0) >= target, timeout=timeout)

    def ensure(self, period: str, timeout: float = 10.0):
        """The period's last merge result, running one first when there is none yet."""
        if period not in self.results and not self.pending(period):
            self.request(period)
        self.wait(period, timeout)
        return self.results.get(period)

    def _run(self) -> None:
        while True:
            with self._cond:
                todo = [(p, g) for p, g in self._wanted.items() if self._done.get(p, 0) < g]
                if not todo:
                    self._thread = None
                    return
            for period, generation in todo:
                try:
                    self.results[period] = self._collect(period)
                    self.errors.pop(period, None)
                except Exception as exc:  # noqa: BLE001 - shown on the office's pages, the worker goes on
                    log.exception("merge of %s failed", period)
                    self.errors[period] = str(exc) or type(exc).__name__
                with self._cond:
                    self._done[period] = max(self._done.get(period, 0), generation)
                    self._cond.notify_all()

    def _collect(self, period: str):
        from concurrent.futures.process import BrokenProcessPool

        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        try:
            return self._pool.submit(_collect_in_child, str(self.site.root), period).result()
        except BrokenProcessPool:
            self._pool = None  # the child died (killed, out of memory): the next merge starts a new one
            raise RuntimeError("汇总进程意外退出，下次上传时将重新汇总") from None

    def close(self) -> None:
        """Stop the merge process (the app's shutdown)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
