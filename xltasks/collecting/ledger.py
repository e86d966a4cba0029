"""The collect ledger: an SQLite database (stdlib sqlite3) of every returned file ever seen.

Table `files`, one row per (path, sha256) — the same path with new content is a new row, the history:
path, sha256, size, unit, period, status (accepted / rejected / superseded), errors, warnings,
first_seen, last_seen. Table `events` appends (path, sha256, status, errors, warnings, at) whenever a
file is first seen or its status or counts change.

Idempotence: a record is written only when something about it changed, so running collect again on the
same folder changes nothing at all (`last_seen` is the time of the last run that changed the record).
Interruption: a run's records are written in one transaction after its files were checked; a crash or
Ctrl-C before the commit leaves the ledger exactly as the previous run left it (SQLite's journal).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_unit ON files (unit, period);
"""

FIELDS = ("path", "sha256", "size", "unit", "period", "status", "errors", "warnings", "first_seen", "last_seen")


class Ledger:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=30)
        except (OSError, sqlite3.OperationalError) as exc:  # a read-only or missing folder
            raise self._unwritable(exc) from None
        try:
            self.db.executescript(SCHEMA)
            self.db.commit()
        except sqlite3.OperationalError as exc:  # read-only, disk full, locked: the place, not the file
            self.db.close()
            raise self._unwritable(exc) from None
        except sqlite3.DatabaseError as exc:  # not an SQLite file, or damaged: say so, never a traceback
            self.db.close()
            from ..core.errors import InputError

            raise InputError(f"台账数据库无法打开（{exc}）：请换用 --ledger 指定新的文件，原文件请保留备查",
                               file=str(self.path)) from None

    def _unwritable(self, exc: Exception):
        from ..core.errors import XltasksError

        text = str(exc)
        reason = ("磁盘空间不足" if "full" in text else "没有写入权限或文件夹是只读的" if "readonly" in text
                  or "read-only" in text or "unable to open" in text or isinstance(exc, PermissionError)
                  else text)
        return XltasksError(f"收文台账无法写入（{reason}）：请检查磁盘空间和文件夹的写入权限，或用 --ledger 指定其他位置",
                            file=str(self.path))

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def record(self, files: Iterable, when: str) -> int:
        """Record a run's FileResults (one transaction); returns how many records changed."""
        try:
            return self._record(files, when)
        except sqlite3.OperationalError as exc:  # the transaction is rolled back: the ledger as before
            raise self._unwritable(exc) from None

    def _record(self, files: Iterable, when: str) -> int:
        changed = 0
        with self.db:  # one transaction: all or nothing
            for f in files:
                new = (f.size, f.unit, f.period, f.status, f.errors, f.warnings)
                old = self.db.execute(
                    "SELECT size, unit, period, status, errors, warnings FROM files WHERE path=? AND sha256=?",
                    (f.key, f.sha256)).fetchone()
                if old is not None and tuple(old) == new:
                    continue
                if old is None:
                    self.db.execute(
                        "INSERT INTO files (path, sha256, size, unit, period, status, errors, warnings, first_seen, "
                        "last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)", (f.key, f.sha256, *new, when, when))
                else:
                    self.db.execute(
                        "UPDATE files SET size=?, unit=?, period=?, status=?, errors=?, warnings=?, last_seen=? "
                        "WHERE path=? AND sha256=?", (*new, when, f.key, f.sha256))
                self.db.execute("INSERT INTO events (path, sha256, status, errors, warnings, at) VALUES (?,?,?,?,?,?)",
                                (f.key, f.sha256, f.status, f.errors, f.warnings, when))
                changed += 1
        return changed

    def first_seen(self) -> dict[tuple[str, str], str]:
        """(path, sha256) → when that content was first seen (ISO text): when the office received it."""
        return {(p, h): t for p, h, t in self.db.execute("SELECT path, sha256, first_seen FROM files")}

    def rows(self) -> list[dict]:
        cur = self.db.execute(f"SELECT {', '.join(FIELDS)} FROM files ORDER BY path, first_seen")
        return [dict(zip(FIELDS, r)) for r in cur.fetchall()]

    def history(self, path: str) -> list[dict]:
        cur = self.db.execute("SELECT sha256, status, errors, warnings, at FROM events WHERE path=? ORDER BY id",
                              (path,))
        return [dict(zip(("sha256", "status", "errors", "warnings", "at"), r)) for r in cur.fetchall()]
