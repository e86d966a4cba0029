"""The workspace database (xltasks.db): one SQLite file for every piece of state that is not a file a person reads.

The schema is versioned with SQLite's `PRAGMA user_version` and grows by MIGRATIONS, applied in order, each in
one transaction with the version bump, so an interrupted migration leaves the previous version whole:

- version 1: the collect ledger (xltasks/collecting/ledger.py: tables `files`, `events`). A stand-alone
  ledger.sqlite from `xltasks collect --ledger` is a version-1 database (its user_version is still 0, so a
  database that has the `files` table and no version is taken as version 1).
- version 2: the workspace — `receipts` (when each file was received), `issue_runs` + `issued` (templates and
  their hashes), `collect_runs` + `unit_rounds` (each unit's status per period, late returns), `closures`
  (销号), `compilations` + `task_rates` + `unit_rates` (what each period's 汇编 said, for the trend and
  the 通报).
- version 3: the web page's `web_settings`, `web_tokens`, `web_uploads` (see _V3).

Opening an older database migrates it; a database of a newer xltasks (a version above SCHEMA_VERSION) is
refused with a message saying so, never half-read.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..collecting.ledger import SCHEMA as LEDGER_SCHEMA
from ..core.errors import XltasksError

DB_NAME = "xltasks.db"

_V2 = """
CREATE TABLE receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    path TEXT NOT NULL,            -- relative to the workspace
    sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL,     -- ISO time the office received the file
    original TEXT NOT NULL DEFAULT ''  -- the name it came with
);
CREATE INDEX receipts_sha ON receipts (sha256, period);
CREATE TABLE issue_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    at TEXT NOT NULL,
    templates INTEGER NOT NULL,
    assignments INTEGER NOT NULL,
    prefilled INTEGER NOT NULL,    -- units whose template was pre-filled from an earlier period
    closed_left_out INTEGER NOT NULL
);
CREATE TABLE issued (
    run_id INTEGER NOT NULL REFERENCES issue_runs(id),
    unit TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    tasks INTEGER NOT NULL
);
CREATE TABLE collect_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    at TEXT NOT NULL,
    files INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    superseded INTEGER NOT NULL
);
CREATE TABLE unit_rounds (
    run_id INTEGER NOT NULL REFERENCES collect_runs(id),
    period TEXT NOT NULL,
    unit TEXT NOT NULL,
    status TEXT NOT NULL,          -- 已报送 / 有错误退回 / 未报送
    file TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL DEFAULT '',
    late INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, unit)
);
CREATE TABLE closures (
    task_id TEXT PRIMARY KEY,
    period TEXT NOT NULL,          -- the period in which the task was closed (销号)
    reason TEXT NOT NULL,
    closed_at TEXT NOT NULL
);
CREATE TABLE compilations (
    period TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    as_of TEXT NOT NULL,
    expected REAL NOT NULL,
    rules TEXT NOT NULL
);
CREATE TABLE task_rates (
    period TEXT NOT NULL,
    task_id TEXT NOT NULL,
    rate REAL,
    status TEXT NOT NULL,
    items INTEGER NOT NULL,
    PRIMARY KEY (period, task_id)
);
CREATE TABLE unit_rates (
    period TEXT NOT NULL,
    unit TEXT NOT NULL,
    rate REAL,
    PRIMARY KEY (period, unit)
);
"""

# version 3: the web page (`xltasks serve`, xltasks/web/store.py) — its settings (the office password's salted
# hash, the key that signs sessions), each unit's link token per period (revocable), every upload received
# through the page with what the checks said.
_V3 = """
CREATE TABLE web_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE web_tokens (
    token TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    period TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX web_tokens_unit ON web_tokens (unit, period);
CREATE TABLE web_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL,
    unit TEXT NOT NULL,            -- the unit whose link was used, or the unit the file names (office uploads)
    via TEXT NOT NULL,             -- unit / office
    original_name TEXT NOT NULL,   -- as the browser sent it (shown only, never used as a path)
    stored_path TEXT NOT NULL,     -- relative to the workspace ('' when refused before storing)
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,          -- accepted / rejected / refused (kept out of the returns folder)
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    problems TEXT NOT NULL         -- JSON list of {code, level, sheet, cell, message, suggestion, member}
);
CREATE INDEX web_uploads_unit ON web_uploads (period, unit);
"""

# MIGRATIONS[i] brings a database from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (LEDGER_SCHEMA, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == 0 and db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='files'").fetchone():
        return 1  # a collect ledger from before workspaces: its tables are version 1
    return version


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating or migrating as needed) the workspace database at `path`."""
    path = Path(path)
    try:
        db = sqlite3.connect(str(path), timeout=30, isolation_level=None)  # transactions are explicit below
        version = schema_version(db)
    except sqlite3.DatabaseError as exc:
        raise XltasksError(f"工作区数据库无法打开（{exc}）；请保留原文件备查", file=str(path)) from None
    if version > SCHEMA_VERSION:
        db.close()
        raise XltasksError(f"工作区数据库的版本为 {version}，由更新版本的 xltasks 创建（本版本支持到 {SCHEMA_VERSION}）："
                           f"请升级 xltasks（pip install -U xltasks）后再打开，数据库未作任何改动", file=str(path))
    try:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            _migrate(db, target)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise XltasksError(f"工作区数据库升级到第 {target} 版失败（{exc}），数据库保持原样", file=str(path)) from None
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _migrate(db: sqlite3.Connection, target: int) -> None:
    # executescript commits any open transaction first, so the BEGIN/COMMIT are part of the script itself
    try:
        db.executescript(f"BEGIN;\n{MIGRATIONS[target - 1]}\nPRAGMA user_version = {target};\nCOMMIT;")
    except sqlite3.DatabaseError:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: the statements inside are committed together, or none is (an error rolls back)."""
    db.execute("BEGIN")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
