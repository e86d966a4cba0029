"""Reproducing 002's task rates with our arithmetic (scripts/reproduce_002.py, `import-compilation`): which
task rates agree within ±1 percentage point, and why the others do not."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core import rates
from ..core.models import DIRECTION_HIGHER, DIRECTION_UPPER, ProgressRow
from .matching import MatchResult
from .parser import ROUNDING_TOLERANCE, printed_or_computed
from .printed import CompilationDoc, CompTask
from .to_progress import in_target_unit, infer_direction, progress_task_rates, to_progress


AGREEMENT_TOLERANCE = 0.01  # ±1 percentage point

REASON_UNREAD = "有未能读取的行"  # a row we could not read
REASON_PENDING = "含待核算值"  # a pending value
REASON_UPPER = "汇编对上限指标按“当前值/目标值”计算"  # 002's naive rate on an upper bound
REASON_INDICATOR = "汇编的指标完成率与其目标值、当前值不符"  # 002's indicator rate ≠ its own values
REASON_ITEM = "汇编的细化项目完成率与其指标不符（手工计算/取舍）"  # 002's hand rounding / arithmetic
REASON_TASK = "汇编的任务完成率不等于其细化项目完成率的平均"  # 002's task arithmetic
REASON_UNEXPLAINED = "原因不明"


@dataclass
class TaskComparison:
    task_id: str
    section_no: int
    no: str
    line: int
    text: str
    printed: float | None
    ours: float | None
    complete: bool
    # 002's own printed 细化项目 rates averaged by rates.task_rate: separates 002's task arithmetic
    # from its hand-rounded item rates (66.67% printed as 66%)
    from_printed_items: float | None = None
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return (self.printed is not None and self.ours is not None
                and abs(self.printed - self.ours) <= AGREEMENT_TOLERANCE + 1e-9)


@dataclass
class Reproduction:
    tasks_read: int
    tasks_complete: int
    compared: list[TaskComparison]

    @property
    def agreeing(self) -> int:
        return sum(1 for c in self.compared if c.agrees)

    @property
    def agreeing_from_printed_items(self) -> int:
        """Tasks whose printed rate is the mean of 002's own printed 细化项目 rates (±1 point)."""
        return sum(1 for c in self.compared if c.printed is not None and c.from_printed_items is not None
                   and abs(c.printed - c.from_printed_items) <= AGREEMENT_TOLERANCE + 1e-9)

    @property
    def exact(self) -> int:
        """Tasks whose rate we reproduce to two decimals of a percent."""
        return sum(1 for c in self.compared if c.printed is not None and c.ours is not None
                   and round(c.printed * 100, 2) == round(c.ours * 100, 2))

    @property
    def disagreements(self) -> list[TaskComparison]:
        return [c for c in self.compared if not c.agrees]


def reproduce(doc: CompilationDoc, match: MatchResult | None = None) -> Reproduction:
    """Our task rates (rates.py over to_progress rows) against the printed ones, with reasons."""
    match = match or MatchResult(with_register=False)
    progress = to_progress(doc, match)
    ours = progress_task_rates(progress)
    rows_by_task: dict[str, list[ProgressRow]] = {}
    for r in progress.rows:
        rows_by_task.setdefault(r.task_id, []).append(r)
    compared = []
    for index, task in enumerate(doc.tasks):
        tid = match.task_id(index, task)
        c = TaskComparison(task_id=tid, section_no=task.section_no, no=task.no, line=task.line,
                           text=task.text, printed=task.rate_printed, ours=ours.get(tid),
                           complete=task.complete,
                           from_printed_items=rates.task_rate(i.rate_printed for i in task.items))
        if not c.agrees:
            _explain(c, task, rows_by_task.get(tid, []))
        compared.append(c)
    return Reproduction(tasks_read=len(doc.tasks), tasks_complete=sum(t.complete for t in doc.tasks),
                        compared=compared)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.2f}%"


def _explain(c: TaskComparison, task: CompTask, rows: list[ProgressRow]) -> None:
    if not task.complete or c.ours is None:
        c.reasons.append(REASON_UNREAD)
        c.details.extend(task.issues or ["没有可计算的完成率"])
    pending = [r for r in rows if r.pending]
    if pending:
        c.reasons.append(REASON_PENDING)
        c.details.extend(f"第{r.provenance.row}行“{r.indicator}”当前值“{r.current_text}”" for r in pending)
    inds = [(ind, item) for item in task.items for ind in item.indicators]
    for ind, item in inds:
        if ind.rate_printed is None or ind.target in (None, 0) or ind.current is None:
            continue
        current = in_target_unit(ind.current, ind.current_unit, ind.target_unit)
        naive = rates.indicator_rate(DIRECTION_HIGHER, ind.target, current)  # what 002 did on upper bounds
        direction = infer_direction(ind.name, ind.target, item.text, task.text)
        ours = rates.indicator_rate(direction, ind.target, current)
        if abs(ours - ind.rate_printed) <= 0.005:
            continue
        if direction == DIRECTION_UPPER and abs(naive - ind.rate_printed) <= 0.005:
            if REASON_UPPER not in c.reasons:
                c.reasons.append(REASON_UPPER)
            c.details.append(f"第{ind.line}行“{ind.name}”目标{ind.target_text}、当前{ind.current_text}："
                             f"汇编{_pct(ind.rate_printed)}，上限已达成应为{_pct(ours)}")
        else:
            if REASON_INDICATOR not in c.reasons:
                c.reasons.append(REASON_INDICATOR)
            c.details.append(f"第{ind.line}行“{ind.name}”{ind.current_text}/{ind.target_text}="
                             f"{_pct(ours)}，汇编印{_pct(ind.rate_printed)}")
    if not task.consistent:
        c.reasons.append(REASON_ITEM)
        for item in task.items:
            rs = [printed_or_computed(i) for i in item.indicators]
            mean = rates.item_rate(rs) if item.indicators else None
            if item.rate_printed is not None and mean is not None and abs(mean - item.rate_printed) > ROUNDING_TOLERANCE:
                c.details.append(f"第{item.line}行细化项目“{item.text[:20]}…”汇编{_pct(item.rate_printed)}，"
                                 f"其指标平均{_pct(mean)}")
    printed_items = [i.rate_printed for i in task.items if i.rate_printed is not None]
    if printed_items and task.rate_printed is not None:
        mean_items = rates.task_rate(printed_items)
        if abs(mean_items - task.rate_printed) > ROUNDING_TOLERANCE:
            c.reasons.append(REASON_TASK)
            c.details.append(f"汇编细化项目完成率平均为{_pct(mean_items)}，任务印{_pct(task.rate_printed)}")
        elif REASON_ITEM not in c.reasons and not c.reasons:
            # 002's task rate follows its own printed item rates, which it rounded by hand
            c.reasons.append(REASON_ITEM)
    if not c.reasons:
        c.reasons.append(REASON_UNEXPLAINED)
