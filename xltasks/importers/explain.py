"""Which layouts were tried on a document, how many tasks each found, and the first lines none could place.

`xltasks import --explain FILE` prints the report; the "cannot read" error carries a one-line summary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..core.errors import NotADecomposition
from ..core.models import Register
from .build import UNPLACED

SHOWN_LINES = 5


@dataclass
class Attempt:
    layout: str
    register: Register | None = None
    reason: str = ""  # why the layout read nothing (its own error text)
    unplaced: list[tuple[int, str]] = field(default_factory=list)

    @property
    def tasks(self) -> int:
        return len(self.register.tasks) if self.register else 0

    @property
    def with_units(self) -> int:
        return sum(1 for t in self.register.tasks if t.units) if self.register else 0

    def usable(self) -> bool:
        # A decomposition gives each task its units; numbered paragraphs of a report or a compilation do not.
        return bool(self.register and self.register.tasks and self.with_units * 2 >= self.tasks)

    def score(self) -> tuple[int, int]:
        """Most tasks with units; among equals, fewest lines left unplaced or tasks left without units (a
        layout that also reads 责任领导 and 完成时限 lines beats one that skips them)."""
        return self.with_units, -(len(self.unplaced) + self.tasks - self.with_units)


def attempt(layout: str, parse: Callable[[], Register]) -> Attempt:
    try:
        reg = parse()
    except NotADecomposition as exc:
        text = str(exc)
        return Attempt(layout, None, text[len(exc.file) + 2:] if exc.file and text.startswith(exc.file) else text)
    unplaced = [(w.line, w.message.split(": ", 1)[-1]) for w in reg.warnings if w.message.startswith(UNPLACED)]
    return Attempt(layout, reg, "", unplaced)


def best(attempts: list[Attempt]) -> Attempt | None:
    usable = [a for a in attempts if a.usable()]
    return max(usable, key=Attempt.score) if usable else None  # max keeps the first on ties


def first_unmatched(attempts: list[Attempt], limit: int = SHOWN_LINES) -> list[tuple[int, str]]:
    """The lines left unplaced by the layout that came closest (most tasks with units, then most tasks)."""
    with_lines = [a for a in attempts if a.unplaced]
    if not with_lines:
        return []
    a = max(with_lines, key=lambda a: (a.with_units, a.tasks, -len(a.unplaced)))
    return a.unplaced[:limit]


def summary(attempts: list[Attempt]) -> str:
    """One line for an error message: "试过: web-table 0 项, labelled 2 项(带单位 0); 未识别的行: 第3行“…”"."""
    tried = "、".join(f"{a.layout} {a.with_units} 项" for a in attempts)
    lines = first_unmatched(attempts, 2)
    shown = "; 未识别的行: " + "、".join(f"第{n}行“{c[:20]}”" for n, c in lines) if lines else ""
    return f"试过的版式及读出的带单位任务: {tried}{shown}(xltasks import --explain 查看详情)"


def report(source: str, attempts: list[Attempt], notes: list[str] | None = None) -> str:
    """The --explain report, several lines."""
    out = [f"文件: {source}", "试过的版式:"]
    chosen = best(attempts)
    for a in attempts:
        mark = "  ← 采用" if a is chosen else ""
        if a.register is None:
            out.append(f"  {a.layout}: 0 项任务({a.reason}){mark}")
        else:
            out.append(f"  {a.layout}: {a.tasks} 项任务, 其中 {a.with_units} 项有责任单位, "
                       f"{len(a.unplaced)} 行无法归入{mark}")
    out.extend(f"说明: {n}" for n in notes or [])
    lines = first_unmatched(attempts, SHOWN_LINES * 2)
    if lines:
        out.append("未能识别的前几行:")
        out.extend(f"  第{n}行: {c[:60]}" for n, c in lines)
    if chosen is None:
        out.append("结论: 没有任何版式读出带责任单位的任务。")
    else:
        out.append(f"结论: 按 {chosen.layout} 版式读出 {chosen.tasks} 项任务。")
    return "\n".join(out)
