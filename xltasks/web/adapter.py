"""The one place where the web layer meets the workspace (xltasks.workspace): config, folders, jobs.

Every page and upload handler asks a `Site` for what it needs (the year's periods, the register, a period's
folders, the database path) and calls the workspace's own jobs (issue, record a received file, collect,
compile, write the 通报) — the very functions the command line calls, so the page and `xltasks collect` on the
same workspace agree. The workspace keeps one SQLite connection per Workspace object and SQLite connections
belong to the thread that made them, so a Site keeps one Workspace per thread (the server's worker threads
and the merge worker each get their own).
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import XltasksError
from ..workspace import Workspace
from ..workspace.config import Period

__all__ = ["Period", "Site", "issued_template", "issued_templates", "open_site"]


@dataclass
class Site:
    """A workspace as the web layer sees it."""

    root: Path
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _register_cache: tuple = field(default=(None, None), repr=False)

    @property
    def ws(self) -> Workspace:
        """This thread's Workspace (its own database connection); the config is re-read when it changed."""
        config = self.root / "xltasks.toml"
        stamp = config.stat().st_mtime_ns if config.exists() else None
        ws = getattr(self._local, "ws", None)
        if ws is None or getattr(self._local, "stamp", None) != stamp:
            if ws is not None:
                ws.close()
            ws = self._local.ws = Workspace.open(self.root)
            self._local.stamp = stamp
        return ws

    # --- what the workspace says about itself -------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.ws.config.title

    @property
    def year(self) -> int:
        return self.ws.config.year

    @property
    def office(self) -> str:
        return self.ws.config.office

    @property
    def contact(self) -> str:
        return self.ws.config.contact

    @property
    def periods(self) -> list[Period]:
        return list(self.ws.config.periods)

    def period(self, name: str) -> Period:
        return self.ws.period(name)

    def current_period(self, today: dt.date | None = None) -> Period:
        """The first period whose deadline has not passed; when all have, the last one whose templates were
        issued (the round the office is still closing), else the last."""
        periods = self.periods
        if not periods:
            raise XltasksError("工作区没有任何报送期", file=str(self.root / "xltasks.toml"))
        today = today or dt.date.today()
        issued = [p for p in periods if issued_templates(self, p.name)]
        for p in periods:
            if p.deadline >= today:
                return p
        return issued[-1] if issued else periods[-1]

    # --- places -----------------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.ws.db_path

    @property
    def register_path(self) -> Path:
        return self.ws.register_path

    def period_dir(self, period: str) -> Path:
        return self.ws.period_dir(period)

    def templates_dir(self, period: str) -> Path:
        return self.ws.templates_dir(period)

    def returns_dir(self, period: str) -> Path:
        return self.ws.returns_dir(period)

    def merged_path(self, period: str) -> Path:
        return self.ws.merged_path(period)

    def output_path(self, period: str, kind: str) -> Path:
        """The period's 汇编 (xlsx), its PDF, or the 督查通报 (docx)."""
        ws = self.ws
        return {"xlsx": ws.compilation_path(period), "pdf": ws.compilation_path(period).with_suffix(".pdf"),
                "docx": ws.bulletin_path(period)}[kind]

    # --- the register -----------------------------------------------------------------------------------
    def register(self):
        """The task register, re-read when its file changed."""
        path = self.register_path
        if not path.exists():
            self.ws.load_register()  # raises the workspace's own message: import the decomposition first
        stamp = path.stat().st_mtime_ns
        with self._lock:
            cached_stamp, register = self._register_cache
            if cached_stamp != stamp:
                register = self.ws.load_register()
                self._register_cache = (stamp, register)
            return register

    def directory(self):
        return self.ws.load_directory()

    # --- jobs (the workspace's own) ---------------------------------------------------------------------
    def issue_templates(self, period: str):
        """The period's templates, 分发清单 and 下发通知 (rolled over, closed tasks left out): IssueResult."""
        return self.ws.issue(period)

    def status(self, period: str):
        """Where the period stands (xltasks status PERIOD): PeriodStatus."""
        return self.ws.status(period)[0]

    def closed_tasks(self) -> dict:
        """task id → its 销号 (period, reason) so far."""
        return self.ws.closures()

    def record(self, period: str, data: bytes, name: str, received_at: dt.datetime) -> Path:
        """Keep a received return in the period's returns folder with the time it came in."""
        from .store import WRITE_LOCK

        ws = self.ws
        with WRITE_LOCK:  # one writer at a time in this process (see store.py)
            return ws.record_file(period, data, name=name, received_at=received_at)

    def collect(self, period: str):
        """The period's collect, as `xltasks collect PERIOD` runs it (merged.xlsx, reports, late returns)."""
        return self.ws.collect(period)

    def compile(self, period: str, as_of: dt.date):
        """The period's 汇编 as of a date (xltasks compile PERIOD)."""
        if not self.merged_path(period).exists():
            self.collect(period)
        return self.ws.compile(period, as_of=as_of)

    def compile_preview(self, period: str, as_of: dt.date, out: Path):
        """The period's 汇编 written to `out` (a scratch file): its figures for the pages, nothing recorded."""
        return self.ws.compile(period, as_of=as_of, output=out)

    def bulletin(self, period: str) -> Path:
        """The 督查通报 (.docx) from the period's 汇编 (xltasks bulletin PERIOD)."""
        return self.ws.write_bulletin(period).path

    def task_statuses(self, period: str) -> dict[str, dict]:
        """task id → {"rate", "status"} as the period's compiled 汇编 showed them ({} before compiling)."""
        from ..workspace.trend import task_statuses

        return task_statuses(self.ws, period)


def open_site(path: str | Path) -> Site:
    """The workspace at `path` (or the nearest folder above it holding xltasks.toml)."""
    ws = Workspace.find(path)
    if ws is None:
        raise XltasksError("这里不是 xltasks 工作区（找不到 xltasks.toml）；可用 xltasks init 创建",
                           file=str(Path(path).resolve()))
    ws.close()
    return Site(root=ws.root)


def issued_template(site: Site, period: str, unit: str) -> Path | None:
    """One unit's template of the period (latest templates run), None when it has none."""
    db = site.ws.db
    row = db.execute("SELECT i.path FROM issued i WHERE i.unit=? AND i.run_id=(SELECT MAX(id) FROM issue_runs "
                     "WHERE period=?)", (unit, site.period(period).name)).fetchone()
    if not row:
        return None
    path = (site.root / row[0]).resolve()
    return path if site.root.resolve() in path.parents and path.is_file() else None


def issued_templates(site: Site, period: str) -> dict[str, Path]:
    """unit → its template of the period from the latest templates run ({} before templates were issued)."""
    db = site.ws.db
    row = db.execute("SELECT MAX(id) FROM issue_runs WHERE period=?", (site.period(period).name,)).fetchone()
    if not row or row[0] is None:
        return {}
    out = {}
    for unit, rel in db.execute("SELECT unit, path FROM issued WHERE run_id=? ORDER BY rowid", (row[0],)):
        path = (site.root / rel).resolve()
        if site.root.resolve() in path.parents and path.is_file():
            out[unit] = path
    return out
