"""The collect ledger: every file ever seen, idempotent re-runs, history, interrupted runs."""
from __future__ import annotations

import sqlite3

import pytest

from tests.builders import PERIOD, fill
from xltasks.issuing.fill import Entry
from xltasks.collecting.ledger import Ledger
from xltasks.collecting.merge import collect


def dump(path):
    db = sqlite3.connect(path)
    try:
        return [db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ("files", "events")]
    finally:
        db.close()


def test_rerun_changes_nothing_and_new_files_add_history(issued, tmp_path):
    reg, t = issued
    ret = tmp_path / "returns"
    ret.mkdir()
    fill(t, "市发改委", ret / "a.xlsx")
    fill(t, "市应急局", ret / "b.xlsx", [Entry("1.3", "整治", "检查企业", "家", 100, "80家")])
    db = tmp_path / "ledger.sqlite"
    collect([ret], reg, PERIOD, ledger=db)
    first = dump(db)
    with Ledger(db) as led:
        rows = {r["path"].rsplit("/", 1)[-1]: r for r in led.rows()}
    assert set(rows) == {"a.xlsx", "b.xlsx"}
    assert rows["a.xlsx"]["status"] == "accepted" and rows["a.xlsx"]["unit"] == "市发改委"
    assert rows["b.xlsx"]["status"] == "rejected" and rows["b.xlsx"]["errors"] == 1
    assert rows["a.xlsx"]["period"] == PERIOD and len(rows["a.xlsx"]["sha256"]) == 64
    assert rows["a.xlsx"]["size"] == (ret / "a.xlsx").stat().st_size

    collect([ret], reg, PERIOD, ledger=db)
    assert dump(db) == first  # idempotent: same folder, nothing changes

    # the unit sends a corrected file: a new record; the rejected one becomes superseded (history kept)
    fixed = fill(t, "市应急局", ret / "b2.xlsx", [Entry("1.3", "整治", "检查企业", "家", 100, 80)])
    import os

    os.utime(fixed, (2_000_000_000, 2_000_000_000))
    collect([ret], reg, PERIOD, ledger=db)
    with Ledger(db) as led:
        rows = {r["path"].rsplit("/", 1)[-1]: r for r in led.rows()}
        hist = led.history(str((ret / "b.xlsx").resolve()))
    assert rows["b2.xlsx"]["status"] == "accepted"
    assert rows["b.xlsx"]["status"] == "superseded"
    assert [h["status"] for h in hist] == ["rejected", "superseded"]
    assert len(dump(db)[0]) == 3

    # the same path with new content is a new record next to the old one
    fill(t, "市发改委", ret / "a.xlsx", [Entry("1.1", "改", "新增地铁运营里程", "公里", 75, 70)])
    collect([ret], reg, PERIOD, ledger=db)
    with Ledger(db) as led:
        a_rows = [r for r in led.rows() if r["path"].endswith("/a.xlsx")]
    assert len(a_rows) == 2 and len({r["sha256"] for r in a_rows}) == 2


def test_interrupted_run_leaves_previous_state(issued, tmp_path):
    reg, t = issued
    ret = tmp_path / "returns"
    ret.mkdir()
    fill(t, "市发改委", ret / "a.xlsx")
    db = tmp_path / "ledger.sqlite"
    res = collect([ret], reg, PERIOD, ledger=db)
    before = dump(db)

    class Boom(Exception):
        pass

    class Exploding:
        """A file result whose second record blows up mid-transaction (as a Ctrl-C would)."""

        def __init__(self, f):
            self.__dict__.update(f.__dict__)
            self.errors, self.warnings = f.errors, f.warnings

        @property
        def key(self):
            raise Boom

    changed = res.files[0]
    changed.status = "superseded"
    with Ledger(db) as led, pytest.raises(Boom):
        led.record([changed, Exploding(res.files[0])], "2099-01-01T00:00:00")
    assert dump(db) == before  # the first update was rolled back with the rest
