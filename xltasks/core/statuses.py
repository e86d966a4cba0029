"""Every status of the cycle, in one place: a returned file's (and an upload's), a unit's submission, a
task's progress.

StrEnums, so a status is also the plain string written to report.json, report.xlsx, the ledger and the
汇编's formulas (`f"{TaskStatus.DONE}"` is "已完成").
"""
from __future__ import annotations

from enum import StrEnum


class FileStatus(StrEnum):
    """What collect did with one returned file (report.json's `status`)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer file of the same unit decides instead

    @property
    def label(self) -> str:
        """The Chinese word shown in report.xlsx's 文件清单."""
        return _FILE_LABELS[self]


_FILE_LABELS = {FileStatus.ACCEPTED: "采用", FileStatus.REJECTED: "退回", FileStatus.SUPERSEDED: "已被替代"}


class UploadStatus(StrEnum):
    """What became of one file uploaded through the web page."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REFUSED = "refused"  # not placed in the returns folder (wrong type, empty, another unit's, unidentified)


class SubmissionStatus(StrEnum):
    """Where a unit stands in this period's collection (报送情况)."""

    REPORTED = "已报送"
    REJECTED = "有错误退回"
    MISSING = "未报送"


class TaskStatus(StrEnum):
    """A task's progress against the expected progress (序时进度), in the 汇编's order of columns."""

    DONE = "已完成"
    AHEAD = "超序时"
    ON_TIME = "达序时"
    BEHIND = "滞后"
    NO_RATE = "无完成率"  # reported, but no rate can be computed (every value pending, not self-rated)
    NOT_REPORTED = "未报送"  # no accepted return from any unit of the task


# A task closed (销号) in this period or before (workspace): shown in its status column, but counted apart from
# the TaskStatus figures (a closed task is neither done nor behind this period).
TASK_CLOSED = "已销号"
