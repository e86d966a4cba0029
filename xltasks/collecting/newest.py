"""Which of a unit's files is the newest: one rule for every format.

A file is as new as the office RECEIVED it: the ledger's first-seen time of that very content (path and
sha256) when an earlier run saw it, else the file's modification time on disk (for a member of a .zip,
the member's stored time). The workbook's own saved time (docProps/core.xml, ods meta.xml) is only the
tie-breaker: an .xls carries none, and a workbook's clock is the unit's. `decided_by` says which time told
two files apart, and `disagreement` finds the case where the saved times point the other way, which the
office is told about (`newest-times-disagree`) rather than guessed.
"""
from __future__ import annotations

import datetime as dt

from ..core.results import FileResult

BASIS_LEDGER = "台账首次收到时间"
BASIS_MTIME = "文件修改时间"


def set_received(files: list[FileResult], first_seen: dict[tuple[str, str], str]) -> None:
    """Give each file its received time: the ledger's first-seen (ISO text) for its (key, sha256), else its mtime."""
    for f in files:
        seen = first_seen.get((f.key, f.sha256))
        when = _parse(seen) if seen else None
        if when is not None:
            f.received_at, f.received_basis = when, BASIS_LEDGER
        else:
            f.received_at, f.received_basis = _from_mtime(f.mtime), BASIS_MTIME


def _parse(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.astimezone()


def _from_mtime(mtime: float) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(mtime).astimezone()
    except (OverflowError, OSError, ValueError):
        return dt.datetime.fromtimestamp(0).astimezone()


def received(f: FileResult) -> dt.datetime:
    return f.received_at or _from_mtime(f.mtime)


def _saved(f: FileResult) -> dt.datetime:
    return f.saved_at or dt.datetime.min


def newest_key(f: FileResult):
    # received to the second: a copy made in the same second is a tie for the saved time to break
    return (received(f).replace(microsecond=0), _saved(f), f.path)


def shown_time(when: dt.datetime | None) -> str:
    if when is None:
        return "（无）"
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M:%S")


def decided_by(newer: FileResult, older: FileResult) -> str:
    """Why `newer` counts as newer than `older`, in words for the superseded file's message."""
    if newest_key(newer)[0] != newest_key(older)[0]:
        basis = newer.received_basis or BASIS_MTIME
        return f"按收到时间：{shown_time(received(newer))}（{basis}）晚于本文件的 {shown_time(received(older))}"
    if _saved(newer) != _saved(older):
        return (f"收到时间相同，按工作簿保存时间：{shown_time(newer.saved_at)} 晚于本文件的 "
                f"{shown_time(older.saved_at)}")
    return "收到时间和保存时间都相同，按文件路径顺序"


def disagreement(decider: FileResult, others: list[FileResult]) -> FileResult | None:
    """An older-received file whose workbook says it was saved later than the deciding file's (both known)."""
    if decider.saved_at is None:
        return None
    later = [f for f in others if f.saved_at is not None and f.saved_at > decider.saved_at
             and newest_key(f)[0] < newest_key(decider)[0]]
    return max(later, key=lambda f: f.saved_at) if later else None
