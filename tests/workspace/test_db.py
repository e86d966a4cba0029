"""The workspace database: discovery of the workspace, migration of an older database, refusal of a newer one."""
from __future__ import annotations

import shutil
import sqlite3
from types import SimpleNamespace

import pytest

from xltasks.collecting.ledger import Ledger
from xltasks.core.errors import XltasksError
from xltasks.workspace import DB_NAME, SCHEMA_VERSION, Workspace
from xltasks.workspace.db import connect, schema_version


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_found_by_walking_up_from_a_subfolder(tmp_path, monkeypatch):
    ws = Workspace.init(tmp_path / "督查2021", title="督查", year=2021)
    deep = ws.root / "2021Q3" / "returns" / "邮件"
    deep.mkdir(parents=True)
    assert Workspace.find(deep).root == ws.root
    monkeypatch.chdir(deep)
    assert Workspace.find().root == ws.root
    assert Workspace.find(tmp_path) is None  # the folder above is no workspace


def test_init_lays_out_the_folders_and_refuses_twice(tmp_path):
    ws = Workspace.init(tmp_path / "ws", title="督查", year=2021, cadence="half")
    assert sorted(p.name for p in ws.root.iterdir()) == sorted(
        ["2021H1", "2021H2", "source", "xltasks.toml", DB_NAME, "督查通报模板.docx"])
    assert (ws.root / "2021H2" / "returns").is_dir()
    with pytest.raises(XltasksError, match="这里已经是工作区"):
        Workspace.init(ws.root, title="又一个", year=2022)


def test_a_collect_ledger_from_before_workspaces_migrates_keeping_its_rows(tmp_path):
    """An old ledger.sqlite (schema version 1: files + events, no user_version) becomes the workspace's
    database: its history stays, the workspace tables are added, the version is the current one."""
    ws = Workspace.init(tmp_path / "ws", title="督查", year=2021)
    ws.close()
    db_path = ws.root / DB_NAME
    db_path.unlink()
    seen = SimpleNamespace(key="/r/a.xlsx", sha256="ab" * 32, size=10, unit="市发改委", period="2021Q3",
                           status="accepted", errors=0, warnings=1)
    with Ledger(db_path) as ledger:
        ledger.record([seen], "2021-10-08T10:00:00+08:00")
    with sqlite3.connect(db_path) as db:
        assert schema_version(db) == 1 and db.execute("PRAGMA user_version").fetchone()[0] == 0
    reopened = Workspace.open(ws.root)
    assert reopened.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert {"receipts", "closures", "task_rates", "files", "events"} <= _tables(db_path)
    assert {"web_settings", "web_tokens", "web_uploads"} <= _tables(db_path)  # version 3: the web page
    assert reopened.db.execute("SELECT unit, first_seen FROM files").fetchall() == [
        ("市发改委", "2021-10-08T10:00:00+08:00")]
    # the old ledger's first sighting is when the file counts as received
    from xltasks.workspace.rounds import received_times

    assert received_times(reopened, "2021Q3", [seen]) == {"/r/a.xlsx": "2021-10-08T10:00:00+08:00"}


def test_a_database_of_a_newer_xltasks_is_refused_untouched(tmp_path):
    ws = Workspace.init(tmp_path / "ws", title="督查", year=2021)
    ws.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    ws.close()
    before = (ws.root / DB_NAME).read_bytes()
    with pytest.raises(XltasksError, match=rf"版本为 {SCHEMA_VERSION + 1}，由更新版本的 xltasks 创建.*请升级 xltasks"):
        Workspace.open(ws.root)
    assert (ws.root / DB_NAME).read_bytes() == before


def test_a_migration_that_fails_leaves_the_older_version_whole(tmp_path, monkeypatch):
    path = tmp_path / "x.db"
    with Ledger(path):
        pass
    from xltasks.workspace import db as dbmod

    monkeypatch.setattr(dbmod, "MIGRATIONS", (dbmod.MIGRATIONS[0], dbmod.MIGRATIONS[1] + "\nCREATE TABLE files (x);"))
    with pytest.raises(XltasksError, match="升级到第 2 版失败"):
        connect(path)
    with sqlite3.connect(path) as db:
        assert schema_version(db) == 1
    assert "receipts" not in _tables(path)


def test_not_a_database_is_one_clear_error(tmp_path):
    ws = Workspace.init(tmp_path / "ws", title="督查", year=2021)
    ws.close()
    shutil.copyfile(ws.root / "xltasks.toml", ws.root / DB_NAME)
    with pytest.raises(XltasksError, match="工作区数据库无法打开"):
        Workspace.open(ws.root)
