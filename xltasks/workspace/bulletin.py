"""The 督查通报 (.docx) of a period, from the figures of its 汇编.

    ws.write_bulletin("2021Q3")  → BulletinResult(path, context)

The text is a Word template with jinja2 placeholders (docxtpl): templates/督查通报.docx, built reproducibly by
scripts/make_bulletin_template.py; `xltasks init` copies it into the workspace as 督查通报模板.docx
(xltasks.toml `bulletin_template`) so the office can edit the wording in Word or WPS. The figures are the
ones the period's `compile` stored — task statuses as the 汇编 shows them, counted by compiling/figures.py, the
module that also gives the 汇总 sheet its values — so the 通报 and the 汇编 cannot disagree.

Context (every placeholder the template may use): title, office, contact, period, period_label, as_of,
date, expected; n_tasks, n_items, n_closed; overall [{status, count, share}], c/p (status → count/share
text); sections and leaders [{no, name, total, done, ahead, on_time, behind, no_rate, not_reported,
behind_share}]; lagging [{no, id, text, units, rate, gap}]; missing_units, rejected_units,
late_units [{unit, received}]; ranking [{no, unit, timeliness, rate}]; closed [{id, text, period, reason}];
next_period, next_deadline.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..core import rates
from ..core.errors import XltasksError
from ..core.fileio import atomic_path
from ..core.layout import date_label, period_label

TEMPLATE_NAME = "督查通报.docx"
WORKSPACE_TEMPLATE = "督查通报模板.docx"
_KEYS = {"已完成": "done", "超序时": "ahead", "达序时": "on_time", "滞后": "behind", "无完成率": "no_rate",
         "未报送": "not_reported"}


@dataclass
class BulletinResult:
    path: Path
    context: dict


def packaged_template() -> Path:
    from ..core.texts import TEMPLATES_DIR

    return TEMPLATES_DIR / TEMPLATE_NAME


def copy_template_into(root: Path) -> Path:
    """The packaged template copied into a new workspace, for the office to edit."""
    dest = root / WORKSPACE_TEMPLATE
    if not dest.exists():
        shutil.copyfile(packaged_template(), dest)
    return dest


def pct(value: rates.Rate, digits: int = 2) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def points(value: rates.Rate) -> str:
    """A gap in percentage points (负数 = behind)."""
    return "—" if value is None else f"{value * 100:+.2f}"


def bulletin_context(ws, period: str, *, date: dt.date | None = None) -> dict:
    from ..compiling.figures import summary_figures, unit_key
    from ..core.statuses import TASK_CLOSED
    from .closures import closures
    from .rounds import unit_rounds
    from .trend import task_statuses

    p = ws.period(period)
    tasks = task_statuses(ws, p.name)
    if not tasks:
        raise XltasksError(f"{p.name} 还没有编制汇编：请先 xltasks compile {p.name}，通报与汇编使用同一组数字")
    expected = ws.db.execute("SELECT expected FROM compilations WHERE period=?", (p.name,)).fetchone()[0]
    register = ws.load_register()
    figures = summary_figures(register, {tid: t["status"] for tid, t in tasks.items()})
    total = figures.overall.total
    overall = [{"status": s, "count": n, "share": pct(figures.overall.share(s))}
               for s, n in figures.overall.counts.items()]

    def breakdown_rows(groups):
        return [{"no": i, "name": b.name, "total": b.total, "behind_share": pct(b.share("滞后")),
                 **{_KEYS[s]: n for s, n in b.counts.items()}} for i, b in enumerate(groups, start=1) if b.total]

    lagging = []
    for task in register.tasks:
        t = tasks.get(task.id)
        if t and t["status"] == "滞后":
            lagging.append({"id": task.id, "text": task.text, "lead": unit_key(task),
                            "units": "、".join(task.units), "rate": pct(t["rate"]),
                            "gap": points(rates.change(t["rate"], expected)), "_gap": t["rate"] - expected})
    lagging.sort(key=lambda x: x["_gap"])
    for i, x in enumerate(lagging, start=1):
        x["no"] = i

    rounds = unit_rounds(ws, p.name)
    unit_rates = dict(ws.db.execute("SELECT unit, rate FROM unit_rates WHERE period=?", (p.name,)))
    reported = [u for u in rounds if u["status"] == "已报送"]
    reported.sort(key=lambda u: (u["late"], unit_rates.get(u["unit"]) is None, -(unit_rates.get(u["unit"]) or 0)))
    ranking = [{"no": i, "unit": u["unit"], "timeliness": "逾期报送" if u["late"] else "按时报送",
                "rate": pct(unit_rates.get(u["unit"]))} for i, u in enumerate(reported, start=1)]
    texts = {t.id: t.text for t in register.tasks}
    closed = [{"id": c.task_id, "text": texts.get(c.task_id, ""), "period": period_label(c.period),
               "reason": c.reason} for c in closures(ws, up_to=p.name).values()]
    later = ws.config.periods[ws.config.periods.index(p) + 1:]
    c = ws.config
    return {
        "title": c.title, "office": c.office, "contact": c.contact, "period": p.name,
        "period_label": p.label, "as_of": date_label(p.as_of), "date": date_label(date or dt.date.today()),
        "expected": pct(expected), "n_tasks": total, "n_closed": figures.closed,
        "n_items": sum(t["items"] for t in tasks.values() if t["status"] != TASK_CLOSED),
        "overall": overall, "c": dict(figures.overall.counts),
        "p": {s: pct(figures.overall.share(s)) for s in figures.overall.counts},
        "sections": breakdown_rows(figures.sections), "leaders": breakdown_rows(figures.leaders),
        "lagging": lagging,
        "missing_units": [u["unit"] for u in rounds if u["status"] == "未报送"],
        "rejected_units": [u["unit"] for u in rounds if u["status"] == "有错误退回"],
        "late_units": [{"unit": u["unit"], "received": date_label(dt.date.fromisoformat(u["received_at"][:10]))}
                       for u in rounds if u["late"]],
        "ranking": ranking, "closed": closed,
        "next_period": later[0].label if later else "",
        "next_deadline": date_label(later[0].deadline) if later else "",
    }


def template_path(ws) -> Path:
    own = getattr(ws.config, "bulletin_template", "")
    if own:
        path = ws.root / own
        if not path.is_file():
            raise XltasksError("找不到通报模板（xltasks.toml 的 bulletin_template）", file=str(path))
        return path
    return packaged_template()


def write_bulletin(ws, period: str, out: str | Path | None = None, *, date: dt.date | None = None) -> BulletinResult:
    from docxtpl import DocxTemplate

    context = bulletin_context(ws, period, date=date)
    template = template_path(ws)
    out = Path(out) if out else ws.bulletin_path(period)
    try:
        doc = DocxTemplate(str(template))
        doc.render(context, autoescape=True)
    except XltasksError:
        raise
    except Exception as exc:  # noqa: BLE001 - an edited template with a broken placeholder: one clear line
        raise XltasksError(f"通报模板无法套用（{type(exc).__name__}: {exc}）：请检查模板中的 {{{{ }}}} 占位符",
                           file=str(template)) from None
    with atomic_path(out) as tmp:
        doc.save(str(tmp))
    return BulletinResult(path=out, context=context)
