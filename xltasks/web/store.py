"""The web layer's state in the workspace's SQLite database: settings, unit links, uploads received.

The database is shared with the command line (`xltasks collect` may run on the same workspace while the
page is served): WAL journal (readers never block the writer), one writer at a time inside this process
(a lock), a busy timeout for writers of other processes, and a few retries when SQLite still says the
database is locked. Its tables (`web_settings`, `web_tokens`, `web_uploads`) are version 3 of the workspace
database's schema (xltasks/workspace/db.py), created and migrated with the rest by opening the workspace.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from ..core.errors import XltasksError

T = TypeVar("T")


BUSY_TIMEOUT_S = 10
# One writer at a time in this process: threads queue here instead of in SQLite's busy handler, which sleeps
# in growing steps (up to 100 ms) and so turns a burst of uploads into a slow crawl.
WRITE_LOCK = threading.Lock()
WRITE_RETRIES = 6


def now_text() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class Upload:
    id: int
    period: str
    unit: str
    via: str
    original_name: str
    stored_path: str
    sha256: str
    size: int
    received_at: str
    status: str
    errors: int
    warnings: int
    rows: int
    problems: list[dict]


_UPLOAD_FIELDS = ("id", "period", "unit", "via", "original_name", "stored_path", "sha256", "size", "received_at",
                  "status", "errors", "warnings", "rows", "problems")


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = WRITE_LOCK
        try:
            self._db()
        except sqlite3.DatabaseError as exc:
            raise XltasksError(f"工作区数据库无法打开（{exc}）", file=str(self.path)) from None

    # --- connections -----------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def read(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._db().execute(sql, args).fetchall()

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run fn(db) in one immediate transaction; one writer at a time, retried while another process
        holds the database."""
        delay = 0.05
        for attempt in range(WRITE_RETRIES):
            with self._write_lock:
                db = self._db()
                try:
                    db.execute("BEGIN IMMEDIATE")
                    try:
                        out = fn(db)
                    except BaseException:
                        db.execute("ROLLBACK")
                        raise
                    db.execute("COMMIT")
                    return out
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc) or attempt == WRITE_RETRIES - 1:
                        raise
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    # --- settings --------------------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        rows = self.read("SELECT value FROM web_settings WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        self.write(lambda db: db.execute("INSERT INTO web_settings (key, value) VALUES (?, ?) "
                                         "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value)))

    def secret_key(self) -> str:
        """The key that signs session cookies and form tokens; made once and kept in the database, so a
        restart does not sign everybody out."""
        cached = getattr(self, "_secret", None)
        if cached:
            return cached

        def make(db):
            row = db.execute("SELECT value FROM web_settings WHERE key='secret_key'").fetchone()
            if row:
                return row[0]
            key = secrets.token_urlsafe(48)
            db.execute("INSERT INTO web_settings (key, value) VALUES ('secret_key', ?)", (key,))
            return key
        self._secret = self.write(make)
        return self._secret

    # --- unit links ------------------------------------------------------------------------------------
    def token_of(self, unit: str, period: str) -> str | None:
        rows = self.read("SELECT token FROM web_tokens WHERE unit=? AND period=? AND revoked_at IS NULL "
                         "ORDER BY created_at DESC LIMIT 1", (unit, period))
        return rows[0][0] if rows else None

    def tokens(self, period: str) -> dict[str, str]:
        return {u: t for t, u in self.read("SELECT token, unit FROM web_tokens WHERE period=? AND revoked_at IS NULL",
                                           (period,))}

    def ensure_tokens(self, units: list[str], period: str) -> dict[str, str]:
        """A live link token for each unit of the period (made where missing)."""
        def make(db):
            have = {u: t for t, u in db.execute(
                "SELECT token, unit FROM web_tokens WHERE period=? AND revoked_at IS NULL", (period,))}
            when = now_text()
            for unit in units:
                if unit not in have:
                    have[unit] = secrets.token_urlsafe(24)
                    db.execute("INSERT INTO web_tokens (token, unit, period, created_at) VALUES (?,?,?,?)",
                               (have[unit], unit, period, when))
            return have
        return self.write(make)

    def reissue_token(self, unit: str, period: str) -> str:
        """Revoke the unit's link for the period and make a new one."""
        def make(db):
            when = now_text()
            db.execute("UPDATE web_tokens SET revoked_at=? WHERE unit=? AND period=? AND revoked_at IS NULL",
                       (when, unit, period))
            token = secrets.token_urlsafe(24)
            db.execute("INSERT INTO web_tokens (token, unit, period, created_at) VALUES (?,?,?,?)",
                       (token, unit, period, when))
            return token
        return self.write(make)

    def revoke_token(self, unit: str, period: str) -> None:
        self.write(lambda db: db.execute("UPDATE web_tokens SET revoked_at=? WHERE unit=? AND period=? "
                                         "AND revoked_at IS NULL", (now_text(), unit, period)))

    def unit_of_token(self, token: str) -> tuple[str, str] | None:
        """(unit, period) of a live token, None for an unknown or revoked one."""
        if not token or len(token) > 100:
            return None
        rows = self.read("SELECT unit, period FROM web_tokens WHERE token=? AND revoked_at IS NULL", (token,))
        if not rows:
            return None
        return rows[0][0], rows[0][1]

    # --- uploads ---------------------------------------------------------------------------------------
    def add_upload(self, **values) -> int:
        values = dict(values)
        values["problems"] = json.dumps(values.get("problems", []), ensure_ascii=False)
        cols = [k for k in _UPLOAD_FIELDS if k != "id"]
        sql = f"INSERT INTO web_uploads ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        return self.write(lambda db: db.execute(sql, tuple(values[c] for c in cols)).lastrowid)

    def uploads(self, period: str, unit: str | None = None) -> list[Upload]:
        sql = f"SELECT {', '.join(_UPLOAD_FIELDS)} FROM web_uploads WHERE period=?"
        args: tuple = (period,)
        if unit is not None:
            sql += " AND unit=?"
            args += (unit,)
        return [_upload(r) for r in self.read(sql + " ORDER BY id DESC", args)]

    def upload(self, upload_id: int) -> Upload | None:
        rows = self.read(f"SELECT {', '.join(_UPLOAD_FIELDS)} FROM web_uploads WHERE id=?", (upload_id,))
        return _upload(rows[0]) if rows else None


def _upload(row: tuple) -> Upload:
    d = dict(zip(_UPLOAD_FIELDS, row))
    d["problems"] = json.loads(d["problems"] or "[]")
    return Upload(**d)
