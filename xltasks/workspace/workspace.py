"""The Workspace object: a folder with xltasks.toml and xltasks.db, and the paths of everything in it.

    ws = Workspace.open("2021督查")          # or Workspace.find() from the current folder, walking up like git
    ws.period("2021Q3")                      # Period(name, as_of, deadline) from xltasks.toml
    ws.record_file("2021Q3", "收到的.xlsx")   # a return received now: copied into 2021Q3/returns/, time kept
    ws.issue("2021Q3")                       # templates, pre-filled from earlier periods, closed tasks left out
    ws.collect("2021Q3")                     # collect 2021Q3/returns/, late returns marked
    ws.compile("2021Q3")                     # the 汇编 with 上期完成率, 趋势, 已销号, 逾期报送
    ws.close_task("2021Q3", ["1.2"], reason="已完成")
    ws.status()                              # [PeriodStatus, …] for every period
    ws.write_bulletin("2021Q3")              # the 督查通报 (.docx)

The operations live in rounds.py (issue/collect/compile), closures.py, status.py, trend.py and bulletin.py;
this class only holds the paths, the config and the database connection.

Class Workspace is longer than 150 lines because: it is the one object a caller holds for a workspace, and
each of its ~35 methods is a path of the folder or a one-line hand-over to the module that does the work;
split, the paths and operations of one folder would be looked up on several objects.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from ..core.errors import XltasksError
from ..core.fileio import atomic_write_text
from . import db as dbmod
from .config import CONFIG_NAME, Config, Period, dump_config, load_config, new_config
from .discover import workspace_root

SOURCE_DIR = "source"  # the decomposition document(s) as received
TEMPLATES_DIR, RETURNS_DIR, NOTICES_DIR = "templates", "returns", "notices"
MERGED, REPORT_XLSX, REPORT_JSON = "merged.xlsx", "report.xlsx", "report.json"
COMPILATION, BULLETIN = "汇编.xlsx", "督查通报.docx"


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Workspace:
    """A 督查 year on disk. Open with `Workspace.open(path)`, `Workspace.find()` or `Workspace.init(...)`."""

    def __init__(self, root: Path, config: Config):
        self.root = root
        self.config = config
        self._db: sqlite3.Connection | None = None

    # --- opening -------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> "Workspace":
        root = Path(path).resolve()
        if not (root / CONFIG_NAME).is_file():
            raise XltasksError(f"不是 xltasks 工作区（没有 {CONFIG_NAME}）；可用 xltasks init 创建", file=str(path))
        ws = cls(root, load_config(root / CONFIG_NAME))
        ws.db  # open (and migrate) the database now, so a newer one is refused before any work
        return ws

    @classmethod
    def find(cls, start: str | Path | None = None) -> "Workspace | None":
        """The workspace holding `start` (default: the current folder), walking up like git; None outside."""
        root = workspace_root(start)
        return None if root is None else cls.open(root)

    @classmethod
    def init(cls, root: str | Path, *, title: str, year: int, cadence: str = "quarter", office: str = "",
             contact: str = "", rules: str = "default") -> "Workspace":
        root = Path(root).resolve()
        if (root / CONFIG_NAME).exists():
            raise XltasksError(f"这里已经是工作区（已有 {CONFIG_NAME}），未作改动", file=str(root))
        config = new_config(title, year, cadence, office=office, contact=contact, rules=rules)
        root.mkdir(parents=True, exist_ok=True)
        (root / SOURCE_DIR).mkdir(exist_ok=True)
        from .bulletin import copy_template_into

        config.bulletin_template = copy_template_into(root).name
        for p in config.periods:
            (root / p.name / RETURNS_DIR).mkdir(parents=True, exist_ok=True)
        atomic_write_text(root / CONFIG_NAME, dump_config(config))
        ws = cls(root, config)
        ws.db.execute("SELECT 1")
        return ws

    def save_config(self) -> None:
        atomic_write_text(self.root / CONFIG_NAME, dump_config(self.config))

    # --- the database --------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / dbmod.DB_NAME

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = dbmod.connect(self.db_path)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- paths ---------------------------------------------------------------------------------------
    def period(self, name: str) -> Period:
        return self.config.period(name)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def relative(self, path: str | Path) -> str:
        """A path inside the workspace as stored in the database (relative, '/'-separated)."""
        p = Path(path).resolve()
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return str(p)

    @property
    def register_path(self) -> Path:
        return self.root / self.config.register

    @property
    def directory_path(self) -> Path | None:
        return self.root / self.config.directory if self.config.directory else None

    @property
    def source_dir(self) -> Path:
        return self.root / SOURCE_DIR

    def period_dir(self, period: str) -> Path:
        return self.root / self.period(period).name

    def templates_dir(self, period: str) -> Path:
        return self.period_dir(period) / TEMPLATES_DIR

    def returns_dir(self, period: str) -> Path:
        return self.period_dir(period) / RETURNS_DIR

    def notices_dir(self, period: str) -> Path:
        return self.period_dir(period) / NOTICES_DIR

    def merged_path(self, period: str) -> Path:
        return self.period_dir(period) / MERGED

    def report_paths(self, period: str) -> tuple[Path, Path]:
        return self.period_dir(period) / REPORT_XLSX, self.period_dir(period) / REPORT_JSON

    def compilation_path(self, period: str) -> Path:
        return self.period_dir(period) / COMPILATION

    def bulletin_path(self, period: str) -> Path:
        return self.period_dir(period) / BULLETIN

    # --- loading -------------------------------------------------------------------------------------
    def load_register(self):
        from ..core.register_io import load_register

        if not self.register_path.exists():
            raise XltasksError("工作区还没有任务台账：请先导入责任分解，如 xltasks import 分解通知.docx",
                               file=str(self.register_path))
        return load_register(self.register_path)

    def load_directory(self):
        if self.directory_path is None:
            return None
        from ..core.directory import load_directory

        return load_directory(self.directory_path)

    # --- operations (bodies in the modules beside this one) -----------------------------------------
    def import_sources(self, sources, *, layout: str = "auto"):
        from .rounds import import_sources

        return import_sources(self, sources, layout=layout)

    def record_file(self, period: str, source: str | Path | bytes, *, name: str = "",
                    received_at: dt.datetime | None = None) -> Path:
        from .rounds import record_file

        return record_file(self, period, source, name=name, received_at=received_at)

    def issue(self, period: str, **options):
        from .rounds import issue

        return issue(self, period, **options)

    def collect(self, period: str, **options):
        from .rounds import collect

        return collect(self, period, **options)

    def compile(self, period: str, **options):
        from .rounds import compile_period

        return compile_period(self, period, **options)

    def close_task(self, period: str, task_ids, *, reason: str):
        from .closures import close_tasks

        return close_tasks(self, period, task_ids, reason=reason)

    def closures(self, up_to: str | None = None):
        from .closures import closures

        return closures(self, up_to)

    def status(self, period: str | None = None):
        from .status import workspace_status

        return workspace_status(self, period)

    def trend(self, period: str):
        from .trend import trend_history

        return trend_history(self, period)

    def write_bulletin(self, period: str, out: str | Path | None = None, *, date: dt.date | None = None):
        from .bulletin import write_bulletin

        return write_bulletin(self, period, out, date=date)
