"""Plain data passed between the stages of the cycle.

import → Register → templates → (units fill in) → collect → Progress (+ Problems) → compile.
Every stage takes and returns these classes; none re-parses another stage's files.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

# Unit kinds (单位类型) as written in the register.
UNIT_KIND_BUREAU = "部门"
UNIT_KIND_DISTRICT = "区县政府"
UNIT_KIND_COMMITTEE = "管委会"
UNIT_KIND_COLLECTIVE = "集合"
UNIT_KIND_ENTERPRISE = "企业/其他"
UNIT_KINDS = (UNIT_KIND_BUREAU, UNIT_KIND_DISTRICT, UNIT_KIND_COMMITTEE, UNIT_KIND_COLLECTIVE, UNIT_KIND_ENTERPRISE)

ROLE_LEAD = "牵头"
ROLE_SUPPORT = "配合"


@dataclass
class Task:
    """One task of the decomposition (重点工作责任分解)."""

    id: str  # stable within a register: "4.26" (section.no) or "2.3.1" (section.group.no)
    section: str  # section / attachment title as printed ("一、省政府工作报告…")
    group: str  # leader-group title as printed ("(一)王宏副市长牵头重点工作"), "" if none
    leader: str  # leader name(s), "、"-joined when several (004)
    no: str  # number as printed, star removed ("21")
    text: str  # task text exactly as printed (artefacts such as 004's "?" removed)
    units: list[str]  # responsible units in printed order, tiers flattened
    lead_unit: str  # first of lead_units: the 牵头单位, or the first listed (汇总单位) when no words say
    starred: bool = False  # "21*": a city-led provincial task
    supporting_only: bool = False  # "…配合落实": the listed units only support; lead_unit still compiles
    province_lead: str = ""  # "省牵头单位:省农业农村厅"
    subitems: list[str] = field(default_factory=list)  # 民生实事 sub-items
    source_line: int = 0  # 1-based line (or row) in the source document
    units_raw: str = ""  # the unit cell as printed
    unit_tiers: list[list[str]] = field(default_factory=list)  # tiers as printed (000's commas)
    # Issue 13 additions (the JSON contract grows; the keys above are unchanged):
    deadline: str = ""  # 完成时限 as printed ("2021年6月底前"), "" when none
    deadline_date: str | None = None  # the ISO date it names ("2021-06-30"), None when it names none
    leaders: list[str] = field(default_factory=list)  # people (责任领导 / 分管领导 / the group's leader)
    lead_units: list[str] = field(default_factory=list)  # 牵头单位, one or more; lead_unit is the first
    co_units: list[str] = field(default_factory=list)  # the other listed units (配合 / 责任单位 after the lead)

    def role_of(self, unit: str) -> str:
        return ROLE_LEAD if (unit == self.lead_unit and not self.supporting_only) else ROLE_SUPPORT


@dataclass
class Unit:
    """A responsible unit of the register, its kind and how many tasks list it."""

    name: str
    kind: str
    tasks: int = 0  # tasks that list this unit
    lead_tasks: int = 0  # tasks where this unit is listed first
    members: list[str] = field(default_factory=list)  # for a collective, when known


@dataclass
class Warning_:
    """A line of the source that could not be placed, or a judgement call worth a look."""

    message: str
    source: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}" if where else self.message


@dataclass
class SourceInfo:
    """The decomposition file a register was imported from."""

    path: str
    sha256: str
    layout: str
    tasks: int = 0
    sections: int = 0
    groups: int = 0


@dataclass
class Register:
    """The task register (任务台账)."""

    source: str
    layout: str
    tasks: list[Task]
    units: list[Unit] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    sources: list[SourceInfo] = field(default_factory=list)

    def task(self, task_id: str) -> Task:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)

    def unit_names(self) -> list[str]:
        return [u.name for u in self.units]

    # JSON contract (see README): later stages and outside checks rely on these keys.
    def to_json_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "layout": self.layout,
            "tasks": [asdict(t) for t in self.tasks],
            "units": [asdict(u) for u in self.units],
            "warnings": [asdict(w) for w in self.warnings],
            "sources": [asdict(s) for s in self.sources],
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> "Register":
        return cls(
            source=data.get("source", ""),
            layout=data.get("layout", ""),
            tasks=[_build(Task, t) for t in data.get("tasks", [])],
            units=[_build(Unit, u) for u in data.get("units", [])],
            warnings=[_build(Warning_, w) for w in data.get("warnings", [])],
            sources=[_build(SourceInfo, s) for s in data.get("sources", [])],
        )

    def save_json(self, path: str | Path) -> None:
        from .fileio import atomic_write_text

        atomic_write_text(Path(path), json.dumps(self.to_json_dict(), ensure_ascii=False, indent=1))

    @classmethod
    def load_json(cls, path: str | Path) -> "Register":
        return cls.from_json_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _build(klass, data: dict[str, Any]):
    names = {f.name for f in fields(klass)}
    return klass(**{k: v for k, v in data.items() if k in names})


# Indicator directions (指标方向). Internal codes; Chinese labels live in layout.DIRECTION_LABELS.
DIRECTION_HIGHER = "higher"  # 越高越好: rate = current / target
DIRECTION_UPPER = "upper"  # 不超过 (控制在…以内): met when current <= target
DIRECTION_QUALITATIVE = "qualitative"  # 定性: the self-rated rate counts
DIRECTIONS = (DIRECTION_HIGHER, DIRECTION_UPPER, DIRECTION_QUALITATIVE)


@dataclass
class Provenance:
    """Where a merged row came from: file, its hash, sheet and row."""

    file: str = ""
    sha256: str = ""
    sheet: str = ""
    row: int = 0


@dataclass
class ProgressRow:
    """One indicator line of a unit's return (or of an old compilation read back in).

    A 细化项目 with several indicators has several rows with the same `item`; a 细化项目 with no
    indicator has one row with an empty `indicator` and its rate in `self_rate`.
    """

    task_id: str
    unit: str
    role: str  # 牵头 / 配合
    item: str  # 细化项目
    indicator: str = ""  # 指标名称
    measure_unit: str = ""  # 计量单位
    target: float | None = None  # 目标值
    current: float | None = None  # 当前值
    direction: str = DIRECTION_HIGHER
    self_rate: float | None = None  # 自评完成率, a fraction (0.85)
    pending: bool = False  # current value not known yet (待年底核算)
    current_text: str = ""  # the value as written when it was not a number (pending marker)
    highlights: str = ""  # 主要亮点 (task level, carried on the task's first row)
    problems: str = ""  # 存在问题与下步计划 (task level)
    item_no: int = 0  # 1-based ordinal of the 细化项目 within the task and unit
    provenance: Provenance = field(default_factory=Provenance)

    def to_flat_dict(self) -> dict[str, Any]:
        d = asdict(self)
        prov = d.pop("provenance")
        d.update({f"source_{k}": v for k, v in prov.items()})
        return d

    @classmethod
    def from_flat_dict(cls, d: dict[str, Any]) -> "ProgressRow":
        prov = Provenance(**{k[len("source_"):]: d[k] for k in d if k.startswith("source_")})
        names = {f.name for f in fields(cls)} - {"provenance"}
        return cls(**{k: d[k] for k in d if k in names}, provenance=prov)


@dataclass
class Progress:
    """What `collect` merges and `compile` consumes: the rows, and which units' returns were accepted."""

    period: str
    rows: list[ProgressRow] = field(default_factory=list)
    reported_units: list[str] = field(default_factory=list)
    register_digest: str = ""  # register_io.register_digest of the register collect used ("" = unknown)

    def rows_of(self, task_id: str) -> list[ProgressRow]:
        return [r for r in self.rows if r.task_id == task_id]


@dataclass
class Problem:
    """One finding about a returned file (frictionless style: a code, a level, a place, a message)."""

    code: str
    level: str  # 错误 / 警告
    message: str
    suggestion: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit: str = ""


LEVEL_ERROR = "错误"
LEVEL_WARNING = "警告"
