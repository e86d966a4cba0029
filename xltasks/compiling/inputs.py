"""What compile checks before it writes anything: the as-of date against the merged period, and the register
against the one the returns were collected with. Each finding is an error naming the file (an XltasksError)
or, when the office has said `force`, a warning line it prints instead."""
from __future__ import annotations

import datetime as dt

from ..core.errors import XltasksError
from ..core.layout import period_label, period_span
from ..core.models import Progress, Register
from ..core.register_io import register_digest


def check_compile_inputs(progress: Progress, register: Register, as_of: dt.date, *, force: bool = False,
                         merged_file: str = "", register_file: str = "") -> list[str]:
    """Raise XltasksError for a 汇编 that would be wrong; return the warnings to show."""
    warnings: list[str] = []
    span = period_span(progress.period)
    shown = period_label(progress.period)
    if span is None:
        if progress.period.strip():
            warnings.append(f"汇总结果的报送期“{progress.period}”无法识别为年、季度或月份，未核对截止日期 {as_of}")
    else:
        first, last = span
        if as_of.year != first.year:
            raise XltasksError(
                f"截止日期 {as_of} 不在报送期“{shown}”所在的 {first.year} 年：序时进度和标题会按 {as_of.year} 年计算。"
                f"请改用 {first.year} 年内的日期（报送期末为 {last}）", file=merged_file, where="--as-of")
        if as_of < last:
            message = f"截止日期 {as_of} 早于报送期“{shown}”的期末 {last}"
            if not force:
                raise XltasksError(f"{message}；序时进度会低于本期应有的进度。如确需按此日期编制，请加 --force",
                                   file=merged_file, where="--as-of")
            warnings.append(f"{message}（已按 --force 编制）")
    if progress.register_digest:
        digest = register_digest(register)
        if digest != progress.register_digest:
            message = (f"任务台账 {register_file} 与收集汇总结果时所用的任务台账不是同一份（任务或责任单位不同；"
                       f"台账指纹 {digest[:12]}… ≠ {progress.register_digest[:12]}…）")
            if not force:
                raise XltasksError(f"{message}。请使用下发模板和收集时所用的台账；如已核对确需使用这份台账，请加 --force",
                                   file=merged_file)
            warnings.append(f"{message}（已按 --force 编制）")
    return warnings
