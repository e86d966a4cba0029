"""The first structural check: the file opens as a workbook (pre-flight included, see intake.py)."""
from __future__ import annotations

from ...core.errors import ReturnedFileError
from ..workbook import open_book
from .base import Subject, check


@check("not-a-workbook", "encrypted", "bad-password", "too-large", "xml-dtd")
def opens_as_workbook(subject: Subject):
    try:
        subject.book = open_book(subject.source, password=subject.ctx.password)
    except ReturnedFileError as f:
        return [subject.problem(f.code, reason=f.reason)]
    return []
