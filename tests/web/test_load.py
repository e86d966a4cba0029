"""A bounded load test on 127.0.0.1: 100 units upload at once through their own links (distinct files, 20 s
cap) while `xltasks collect` runs on the same workspace; every upload answered, every accepted row merged
once, the database consistent."""
from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from xltasks.core.progress_io import read_progress
from xltasks.web.app import create_app
from xltasks.web.server import background_server

ROOT = Path(__file__).resolve().parents[2]
UNITS = 100
CAP_S = 20.0


def load_module():
    spec = importlib.util.spec_from_file_location("xltasks_web_load", ROOT / "scripts" / "web_load.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_hundred_units_upload_at_once(tmp_path):
    load = load_module()
    site, files = load.build_workspace(tmp_path, UNITS)
    app = create_app(site)
    web = app.state.web
    tokens = web.store.ensure_tokens(list(files), load.PERIOD)
    cli_out = {}

    def cli_collect():  # the command line on the same workspace and database, meanwhile
        proc = subprocess.run([sys.executable, "-m", "xltasks", "collect", str(site.returns_dir(load.PERIOD)),
                               "--register", str(site.register_path), "--period", load.PERIOD,
                               "-o", str(tmp_path / "cli" / "merged.xlsx"), "--ledger", str(site.db_path)],
                              capture_output=True, text=True, timeout=120)
        cli_out["rc"], cli_out["text"] = proc.returncode, proc.stdout + proc.stderr

    with background_server(app) as base:
        cli = threading.Thread(target=cli_collect)
        cli.start()
        results, wall = load.upload_all(base, tokens, files, timeout=CAP_S)
        cli.join(timeout=120)
        assert web.intake.merger.wait(load.PERIOD, timeout=60)

    assert wall < CAP_S, f"100 uploads took {wall:.1f} s"
    assert len(results) == UNITS
    assert all(status == 200 and accepted for _, status, accepted in results.values()), \
        {u: r for u, r in results.items() if r[1] != 200 or not r[2]}
    assert cli_out["rc"] in (0, 1) and "locked" not in cli_out["text"] and "Traceback" not in cli_out["text"], cli_out

    # every accepted row merged exactly once
    merged = read_progress(site.merged_path(load.PERIOD))
    keys = Counter((r.unit, r.task_id, r.item, r.indicator) for r in merged.rows)
    assert len(merged.rows) == 2 * UNITS and set(keys.values()) == {1}
    assert {r.unit for r in merged.rows} == set(files) and sorted(merged.reported_units) == sorted(files)
    assert sorted(r.current for r in merged.rows if r.indicator == "新建项目") == sorted(i % 10 + 1 for i in range(UNITS))

    # the database: one record per upload, the ledger agrees with the folder, and SQLite finds no damage
    db = sqlite3.connect(site.db_path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("SELECT status, COUNT(*) FROM web_uploads GROUP BY status").fetchall() == [("accepted", UNITS)]
    stored = sorted(p.name for p in site.returns_dir(load.PERIOD).iterdir())
    assert len(stored) == UNITS
    ledger = db.execute("SELECT path, status FROM files").fetchall()
    assert sorted(Path(p).name for p, _ in ledger) == stored and {s for _, s in ledger} == {"accepted"}
    recorded = sorted(Path(p).name for (p,) in db.execute("SELECT stored_path FROM web_uploads"))
    assert recorded == stored
