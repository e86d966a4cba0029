"""How one entry cell's value is read: pure functions returning `(value, findings)`.

A `Finding` is a problem code of core/problems.py with its message fields; the caller (checks/rows.py)
puts the file, sheet and cell on it. Nothing here knows about workbooks, so every rule can be tested on
plain values. Never a silent coercion — every reinterpretation is a finding:
- 目标值/当前值: numbers; numeric text is read with a warning; "2000万" / "3.5亿元" are errors with the
  split suggested; "约85%" is an error; 当前值 may be a pending marker (layout.PENDING_MARKERS).
- numbers stored with a percent number format ("3.5%" typed in Excel is 0.035) are read as percent points
  with 计量单位 %; with another 计量单位 it is an error; target and current 100× apart under 计量单位 %
  are an error (`reconcile_percents`).
- 自评完成率: a number ≤ 1 is a fraction, 1 < x ≤ 100 a percentage (warned), outside 0–100 an error; the
  text "85%" is read as 0.85 with a warning.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import NamedTuple

from ..core import layout as L
from ..core.models import DIRECTION_HIGHER, DIRECTION_QUALITATIVE
from ..core.rates import DIRECTION_BY_LABEL
from ..core.textkeys import nfkc, squash as _norm
from ..core.xlsx import clean_text
from .workbook import cell_text


class Finding(NamedTuple):
    """A problem code found in a value, with its message fields; `column` names another cell of the row
    when the finding is about that one (reconcile_percents)."""

    code: str
    params: dict
    column: str = ""


Findings = tuple[Finding, ...]
NONE: Findings = ()

# A number as text: digits with an optional decimal part and exponent ("1e5", "2.5E-3"); thousands
# separators only in groups of three ("1,234,567", never "1,23"); full-width digits are folded by NFKC first.
_NUM = r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_PLAIN = re.compile(rf"^({_NUM})$")
_PERCENT = re.compile(rf"^({_NUM})\s*%$")
_APPROX = re.compile(rf"^(约|大约|约为|近|接近|将近|超过|超|逾|达|不少于|不低于|不到|不足|预计)?\s*({_NUM})\s*([^\d\s]{{0,8}}?)\s*"
                     rf"(左右|以上|以下|以内|余|多|上下)?$")
_WITH_UNIT = re.compile(rf"^({_NUM})\s*([^\d\s,.，。、].{{0,11}})$")  # "1,23" is a typo, not a unit
_RANGE = re.compile(rf"^({_NUM})\s*(?:-|~|～|〜|—|–|至|到)\s*({_NUM})\s*\S{{0,8}}$")
_SCALE_WORDS = ("万亿", "百万", "千万", "亿", "万", "千", "百")
PERCENT_UNITS = frozenset({"%", "百分比", "个百分点", "百分点"})

# Characters nobody sees in a cell (zero-width space/joiners, word joiner, BOM, soft hyphen), common in
# text pasted from web pages and chat apps; NBSP and the ideographic space are folded to spaces by NFKC.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff]")


def _to_float(s: str) -> float:
    return float(s.replace(",", ""))


def value_text(raw: str) -> str:
    """A value cell's text as it is parsed: NFKC (full-width digits, NBSP), invisible characters removed,
    outer spaces stripped."""
    return _INVISIBLE.sub("", nfkc(raw)).strip()


def is_pending(raw: str) -> bool:
    """A 当前值 that says it is not known yet: it contains a pending marker ("待年底核算", "0（待年底核算）")."""
    return L.pending_marker(value_text(raw)) is not None


def is_blank(v) -> bool:
    """No value at all: empty, or text of spaces and invisible characters only."""
    return v is None or (isinstance(v, str) and not value_text(v))


def entry_text(v, limit: int) -> tuple[str, Findings]:
    """A text cell (细化项目, 指标名称, …): control characters removed (warned), length checked."""
    if v is None or v == "":
        return "", NONE
    s = v.isoformat() if isinstance(v, (dt.date, dt.datetime, dt.time)) else cell_text(v)
    s, changed = clean_text(s)
    found = [Finding("control-characters", {})] if changed else []
    s = s.strip()
    if len(s) > limit:
        found.append(Finding("text-too-long", {"length": len(s), "limit": limit}))
    return s, tuple(found)


def parse_direction(v) -> tuple[str, Findings]:
    """指标方向: a label of rates.DIRECTION_BY_LABEL; blank is 越高越好 (the caller warns when it matters)."""
    text = value_text(cell_text(v))
    if not text:
        return DIRECTION_HIGHER, NONE
    code = DIRECTION_BY_LABEL.get(_norm(text))
    if code is None:
        return DIRECTION_HIGHER, (Finding("bad-direction", {"value": text}),)
    return code, NONE


def parse_number(v, measure_unit: str) -> tuple[float | None, Findings]:
    """目标值/当前值: a number, or numeric text read with a warning; anything else an error and None."""
    if is_blank(v):
        return None, NONE
    if isinstance(v, bool) or isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        shown = v.isoformat() if hasattr(v, "isoformat") else cell_text(v)
        return None, (Finding("not-a-number", {"value": shown}),)
    if isinstance(v, (int, float)):
        if not math.isfinite(v):  # a hand-made file can store NaN/INF; no spreadsheet value means that
            return None, (Finding("not-a-number", {"value": cell_text(v)}),)
        return float(v), NONE
    return parse_number_text(str(v), measure_unit)


def parse_number_text(raw: str, measure_unit: str) -> tuple[float | None, Findings]:
    """Numeric text: "1,234" and (with 计量单位 %) "3.5%" read with a warning; "约85", "2000万" and the
    rest are errors whose suggestion says what to type instead."""
    m = _RANGE.match(value_text(raw))
    if m:  # "3-5", "3～5万": a range, never a number with the unit "-5"
        return None, (Finding("range-number", {"value": raw.strip(), "low": m.group(1), "high": m.group(2)}),)
    s = value_text(raw)
    shown = raw.strip()
    m = _PLAIN.match(s) or (_PERCENT.match(s) if _norm(measure_unit) in ("%", "百分比") else None)
    if m:
        x = _to_float(m.group(1))
        if not math.isfinite(x):  # 400 digits of text overflow a float
            return None, (Finding("not-a-number", {"value": shown}),)
        return x, (Finding("number-as-text", {"value": shown, "number": x}),)
    m = _APPROX.match(s)
    if m and (m.group(1) or m.group(4)):
        return None, (Finding("approximate-number", {"value": shown, "number": m.group(2)}),)
    m = _WITH_UNIT.match(s)
    if m:
        return None, (Finding("number-with-unit", {"value": shown, "number": m.group(1),
                                                   "mu": suggest_unit(m.group(2).strip(), measure_unit)}),)
    return None, (Finding("not-a-number", {"value": shown}),)


def pending_text(v) -> str:
    """The 当前值 text as kept when it is pending ("0（待年底核算）" too), "" when it is not pending."""
    if not (isinstance(v, str) and is_pending(v)):
        return ""
    return value_text(v) if _INVISIBLE.search(v) else v.strip()


def parse_self_rate(v) -> tuple[float | None, Findings]:
    """自评完成率 as a fraction 0–1 (see module doc)."""
    if is_blank(v):
        return None, NONE
    shown = cell_text(v).strip()
    found: list[Finding] = []
    if isinstance(v, str):
        s = value_text(v)
        m = _PERCENT.match(s)
        if m:
            x = _to_float(m.group(1)) / 100
            if not 0 <= x <= 1:
                return None, (Finding("percent-out-of-range", {"value": shown}),)
            return x, (Finding("number-as-text", {"value": shown, "number": f"{x:.4g}（{m.group(1)}%）"}),)
        m = _PLAIN.match(s)
        if not m:
            m2 = _APPROX.match(s)
            code = "approximate-number" if m2 and (m2.group(1) or m2.group(4)) else "not-a-number"
            return None, (Finding(code, {"value": shown, "number": "85%"}),)
        x = _to_float(m.group(1))
        found.append(Finding("number-as-text", {"value": shown, "number": x}))
    elif isinstance(v, bool) or not isinstance(v, (int, float)):
        return None, (Finding("not-a-number", {"value": shown}),)
    else:
        x = float(v)
    if not math.isfinite(x):
        return None, (*found, Finding("not-a-number", {"value": shown}))
    if x < 0 or x > 100:
        return None, (*found, Finding("percent-out-of-range", {"value": shown}))
    if x > 1:
        return x / 100, (*found, Finding("ambiguous-percent", {"value": shown, "percent": f"{x:g}%"}))
    return x, tuple(found)


def reconcile_percents(target: float | None, current: float | None, measure_unit: str,
                       percent_formatted: frozenset[str] = frozenset()
                       ) -> tuple[float | None, float | None, str, Findings]:
    """Numbers stored with a percent format (`percent_formatted`: "target"/"current", numeric cells only)
    read as percent points, and target/current on scales 100× apart caught. Returns (target, current,
    计量单位, findings); each finding's `column` is the cell it is about."""
    values = {"target": target, "current": current}
    formatted: set[str] = set()
    found: list[Finding] = []
    mu = measure_unit
    for key in ("target", "current"):
        x = values[key]
        if x is None or key not in percent_formatted:
            continue
        points = float(f"{x * 100:.12g}")  # 0.035 → 3.5, not 3.5000000000000004
        shown = f"{points:g}%"
        if _norm(mu) not in PERCENT_UNITS and _norm(mu) != "":
            found.append(Finding("percent-format-unit", {"shown": shown, "mu": mu, "number": f"{points:g}"}, key))
            values[key] = None
            continue
        mu = mu or "%"
        found.append(Finding("percent-format", {"shown": shown, "number": f"{points:g}", "mu": mu}, key))
        values[key] = points
        formatted.add(key)
    t, c = values["target"], values["current"]
    if _norm(mu) in PERCENT_UNITS and t and c and math.isfinite(t) and math.isfinite(c):
        small, big = sorted(("target", "current"), key=lambda k: abs(values[k]))
        ratio = abs(values[big] / values[small])
        # 20×–: two readings of one percentage (0.035 and 3.2 differ 91×); a real 3.5 vs 0.3 is not caught
        odd = None
        if len(formatted) == 1 and ratio >= 20:
            odd = next(iter(formatted))  # a percent format on one side only: that side is the odd one
        elif not formatted and ratio >= 20 and abs(values[small]) <= 1 < abs(values[big]):
            odd = small
        if odd is not None:
            other = "current" if odd == "target" else "target"
            fixed = values[odd] * 100 if odd == small else values[odd] / 100
            example = {odd: f"{float(f'{fixed:.12g}'):g}", other: f"{values[other]:g}"}
            found.append(Finding("percent-scale-mismatch", {
                "target": f"{t:g}", "current": f"{c:g}", "mu": mu, "ratio": f"{ratio:.0f}",
                "example_target": example["target"], "example_current": example["current"]}, odd))
    return values["target"], values["current"], mu, tuple(found)


def relation_findings(direction: str, target: float | None, current: float | None, self_rate: float | None,
                      issued_target: float | None, bad: frozenset[str] = frozenset()) -> Findings:
    """What the row's values say together: a qualitative row needs a self-rating; a current value needs a
    target that is not 0 and not 100× smaller; a target differing from the issued one is warned.
    `bad`: the columns already reported as errors (not reported again as missing)."""
    if direction == DIRECTION_QUALITATIVE:
        if self_rate is None and "self_rate" not in bad:
            return (Finding("missing-self-rate", {}, "self_rate"),)
        return NONE
    found = []
    if current is not None and target is None and "target" not in bad:
        found.append(Finding("current-without-target", {"current": current}, "current"))
    if current is not None and target == 0:
        found.append(Finding("zero-target", {}, "target"))
    if current is not None and target not in (None, 0) and abs(current) >= 100 * abs(target):
        found.append(Finding("current-100x-target", {"current": current, "target": target,
                                                     "ratio": f"{abs(current / target):.0f}"}, "current"))
    if target is not None and issued_target is not None and \
            abs(issued_target - target) > 1e-9 * max(1.0, abs(issued_target)):
        found.append(Finding("target-changed", {"issued": issued_target, "found": target}, "target"))
    return tuple(found)


def suggest_unit(suffix: str, measure_unit: str) -> str:
    """计量单位 to suggest for "2000万": the row's own unit when it fits, else the scale word + 元."""
    mu = measure_unit.strip()
    if suffix in _SCALE_WORDS:
        if mu.startswith(suffix):
            return mu
        if mu:
            return suffix + mu
        return suffix + "元"
    return suffix
