"""What a 汇编 knows of the year beyond its own period (given by a workspace; None outside one).

- `earlier`: the rates of every earlier compiled period, oldest first — the 上期完成率 and 变化 columns use
  the last of them, the 趋势 sheet all of them;
- `closures`: tasks closed (销号) in this period or before — shown as 已销号 with that period and counted
  apart in the 汇总;
- `late_units`: units whose return was received after the period's deadline — marked 逾期报送.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.rates import Rate


@dataclass
class PeriodRates:
    period: str  # "2021Q2"
    expected: float | None  # that period's 序时进度
    tasks: dict[str, Rate] = field(default_factory=dict)  # task id → task rate as that 汇编 showed it
    units: dict[str, Rate] = field(default_factory=dict)  # unit → unit rate (rates.unit_rates_of_rows)


@dataclass
class CompilationHistory:
    period: str  # the period being compiled
    earlier: list[PeriodRates] = field(default_factory=list)
    closures: dict[str, tuple[str, str]] = field(default_factory=dict)  # task id → (period closed in, reason)
    late_units: set[str] = field(default_factory=set)

    @property
    def previous(self) -> PeriodRates | None:
        return self.earlier[-1] if self.earlier else None
