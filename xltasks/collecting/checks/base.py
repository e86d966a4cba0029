"""What every check of one returned file shares: the `Subject` it looks at and the `Check` it is.

A check is a small function `fn(subject) -> list[Problem]` wrapped by `@check(code, …)`, which declares
the problem codes it may emit (core/problems.py). A structural check may also record what it established
on the subject (the unit, the entry sheet, the task blocks) for the checks after it; it never changes what
an earlier check recorded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ...core.models import LEVEL_ERROR, Problem, ProgressRow
from ...core.problems import CODES, problem

if TYPE_CHECKING:  # validate imports this package: the types only
    from ..intake import Source
    from ..sheet import EntrySheet
    from ..validate import Context
    from ..workbook import Book


@dataclass
class Subject:
    """One returned file under check, and what the checks so far have established about it."""

    source: Source
    ctx: Context
    book: Book | None = None  # opening
    meta: dict[str, str] = field(default_factory=dict)  # identity: the _meta sheet, key → value
    meta_rows: dict[str, int] = field(default_factory=dict)  # identity: key → 1-based row in _meta
    template_id: str = ""
    unit: str = ""  # the register's name of the unit the file is from ("" when unknown)
    period: str = ""
    identified: bool = False  # the file counts as this unit's return
    sheet: EntrySheet | None = None  # the 填报 sheet, once its header is found
    blocks: dict[str, list[int]] = field(default_factory=dict)  # task id → its 0-based grid rows
    rows: list[ProgressRow] = field(default_factory=list)  # what the value checks read

    def problem(self, code: str, sheet: str = "", cell: str = "", **params) -> Problem:
        """A Problem of this file (file and unit always set)."""
        return problem(code, file=self.source.path, sheet=sheet, cell=cell, unit=self.unit, **params)


@dataclass(frozen=True)
class Check:
    """A check and the problem codes it may emit."""

    name: str
    codes: tuple[str, ...]
    run: Callable[[Subject], list[Problem]]

    def __call__(self, subject: Subject) -> list[Problem]:
        return self.run(subject)


def check(*codes: str) -> Callable[[Callable[[Subject], list[Problem]]], Check]:
    """Declare a function as a check emitting (only) `codes`."""
    unknown = [c for c in codes if c not in CODES]
    if unknown:
        raise ValueError(f"unknown problem codes {unknown}")

    def wrap(fn: Callable[[Subject], list[Problem]]) -> Check:
        return Check(fn.__name__, codes, fn)

    return wrap


def has_error(problems: list[Problem]) -> bool:
    return any(p.level == LEVEL_ERROR for p in problems)
