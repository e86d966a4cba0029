"""The one place where the web layer meets the workspace (issue 15): its config, folders, database and jobs.

Every page and upload handler asks a `Site` for what it needs (the year's periods, the register, a period's
templates/returns/output folders, the database path) and calls its jobs (issue templates, collect, compile).
Until the workspace library is on main this module carries a small stand-in of the same shape:
`xltasks.toml` with the title, year and periods, `register.xlsx` beside it, one folder per period and one
SQLite database. Switching to the library changes this module only.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import XltasksError

CONFIG_NAME = "xltasks.toml"
DATABASE_NAME = "xltasks.sqlite"
REGISTER_NAME = "register.xlsx"
TEMPLATES_DIR = "模板"
RETURNS_DIR = "报回"
OUTPUTS_DIR = "输出"
MERGED_NAME = "merged.xlsx"
REPORT_JSON = "report.json"
REPORT_XLSX = "report.xlsx"


@dataclass(frozen=True)
class Period:
    name: str  # "2021Q3"
    deadline: dt.date | None = None
    as_of: dt.date | None = None

    @property
    def label(self) -> str:
        from ..core.layout import period_label

        return period_label(self.name)


@dataclass
class Site:
    """A workspace as the web layer sees it."""

    root: Path
    title: str
    year: int
    office: str = ""
    contact: str = ""
    periods: list[Period] = field(default_factory=list)
    _register_cache: tuple = field(default=(None, None), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- places ----------------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def register_path(self) -> Path:
        return self.root / REGISTER_NAME

    def period_dir(self, period: str) -> Path:
        return self.root / self.period(period).name

    def templates_dir(self, period: str) -> Path:
        return self.period_dir(period) / TEMPLATES_DIR

    def returns_dir(self, period: str) -> Path:
        return self.period_dir(period) / RETURNS_DIR

    def outputs_dir(self, period: str) -> Path:
        return self.period_dir(period) / OUTPUTS_DIR

    # --- periods ---------------------------------------------------------------------------------------
    def period(self, name: str) -> Period:
        for p in self.periods:
            if p.name == name:
                return p
        raise XltasksError(f"工作区中没有报送期“{name}”", file=str(self.root / CONFIG_NAME))

    def current_period(self, today: dt.date | None = None) -> Period:
        """The first period whose deadline has not passed; when all have, the last one whose templates were
        issued (the round the office is still closing), else the last."""
        if not self.periods:
            raise XltasksError("工作区没有任何报送期", file=str(self.root / CONFIG_NAME))
        today = today or dt.date.today()
        for p in self.periods:
            if p.deadline is None or p.deadline >= today:
                return p
        issued = [p for p in self.periods if issued_templates(self, p.name)]
        return issued[-1] if issued else self.periods[-1]

    # --- the register ----------------------------------------------------------------------------------
    def register(self):
        """The task register, re-read when its file changed."""
        from ..core.register_io import load_register

        path = self.register_path
        if not path.exists():
            raise XltasksError("工作区还没有任务台账（请先导入责任分解）", file=str(path))
        stamp = path.stat().st_mtime_ns
        with self._lock:
            cached_stamp, register = self._register_cache
            if cached_stamp != stamp:
                register = load_register(path)
                self._register_cache = (stamp, register)
            return register

    # --- jobs ------------------------------------------------------------------------------------------
    def issue_templates(self, period: str):
        """Write the period's templates, 分发清单 and 下发通知 (xltasks templates)."""
        from ..issuing.templates import make_templates

        p = self.period(period)
        return make_templates(self.register(), self.templates_dir(period), p.name, deadline=p.deadline,
                              contact=self.contact, register_file=str(self.register_path))

    def collect(self, period: str):
        """The period's collect over its returns folder, exactly as `xltasks collect` runs it: merged.xlsx,
        report.xlsx and report.json in the outputs folder, every file recorded in the database."""
        from ..collecting.merge import collect
        from ..collecting.report import write_json, write_xlsx
        from ..core.progress_io import write_progress

        returns = self.returns_dir(period)
        returns.mkdir(parents=True, exist_ok=True)
        out = self.outputs_dir(period)
        result = collect([returns], self.register(), self.period(period).name, ledger=self.db_path)
        write_progress(result.progress, out / MERGED_NAME)
        write_xlsx(result, out / REPORT_XLSX)
        write_json(result, out / REPORT_JSON)
        return result

    def merged_path(self, period: str) -> Path:
        return self.outputs_dir(period) / MERGED_NAME

    def compile(self, period: str, as_of: dt.date):
        """The 汇编 of the period's merged returns as of a date (xltasks compile)."""
        from ..compiling.writer import compile_workbook
        from ..core.progress_io import read_progress

        merged = self.merged_path(period)
        if not merged.exists():
            self.collect(period)
        progress = read_progress(merged)
        title = f"{self.title}完成情况汇编（截至{as_of.month}月{as_of.day}日）" if self.title else None
        return compile_workbook(self.register(), progress, self.outputs_dir(period) / "汇编.xlsx", as_of=as_of,
                                title=title, register_file=str(self.register_path), progress_file=str(merged))

    def bulletin(self, period: str, as_of: dt.date) -> Path | None:
        """The 督查通报 (.docx) of the period; None while the workspace library cannot write it."""
        return None


def open_site(path: str | Path) -> Site:
    """The workspace at `path` (or the nearest folder above it holding xltasks.toml)."""
    start = Path(path).resolve()
    for folder in (start, *start.parents):
        config = folder / CONFIG_NAME
        if config.is_file():
            return _load(folder, config)
    raise XltasksError(f"这里不是 xltasks 工作区（找不到 {CONFIG_NAME}）", file=str(start))


def _date(value, config: Path, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise XltasksError(f"日期格式应为 YYYY-MM-DD（收到 {value!r}）", file=str(config), where=where) from None


def _load(root: Path, config: Path) -> Site:
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise XltasksError(f"配置文件无法读取：{exc}", file=str(config)) from None
    ws = data.get("workspace", {})
    periods = [Period(str(p["name"]), _date(p.get("deadline"), config, f"periods[{i}].deadline"),
                      _date(p.get("as_of"), config, f"periods[{i}].as_of"))
               for i, p in enumerate(data.get("periods", []))]
    return Site(root=root, title=str(ws.get("title", "")), year=int(ws.get("year", dt.date.today().year)),
                office=str(ws.get("office", "")), contact=str(ws.get("contact", "")), periods=periods)


def init_workspace(root: str | Path, register_source: str | Path, *, title: str, year: int,
                   periods: list[Period], office: str = "", contact: str = "") -> Site:
    """A new workspace at `root` with the register copied from `register_source` (tests, `make serve`)."""
    from ..core.fileio import atomic_write_text
    from ..core.register_io import load_register, write_register

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    lines = ["[workspace]", f"title = {_toml_str(title)}", f"year = {int(year)}", f"office = {_toml_str(office)}",
             f"contact = {_toml_str(contact)}", ""]
    for p in periods:
        lines += ["[[periods]]", f"name = {_toml_str(p.name)}"]
        if p.deadline:
            lines.append(f"deadline = {p.deadline.isoformat()}")
        if p.as_of:
            lines.append(f"as_of = {p.as_of.isoformat()}")
        lines.append("")
    atomic_write_text(root / CONFIG_NAME, "\n".join(lines))
    write_register(load_register(register_source), root / REGISTER_NAME)
    site = open_site(root)
    for p in periods:
        for d in (site.templates_dir(p.name), site.returns_dir(p.name), site.outputs_dir(p.name)):
            os.makedirs(d, exist_ok=True)
    return site


def _toml_str(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def issued_templates(site: Site, period: str) -> dict[str, Path]:
    """unit → its template of the period, as the 分发清单 lists them ({} before templates were issued)."""
    from ..issuing.templates import DISTRIBUTION_LIST

    folder = site.templates_dir(period)
    listing = folder / DISTRIBUTION_LIST
    if not listing.exists():
        return {}
    stamp = listing.stat().st_mtime_ns
    cached = _ISSUED.get(listing)
    if cached and cached[0] == stamp:
        return cached[1]
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(listing)).get_sheet_by_index(0).to_python()
    out: dict[str, Path] = {}
    if rows:
        header = [str(c) for c in rows[0]]
        ui, fi = header.index("单位"), header.index("文件")
        for row in rows[1:]:
            name = str(row[fi])
            path = folder / name
            if name and path.parent == folder and path.is_file():
                out[str(row[ui])] = path
    _ISSUED[listing] = (stamp, out)
    return out


_ISSUED: dict[Path, tuple[int, dict[str, Path]]] = {}
