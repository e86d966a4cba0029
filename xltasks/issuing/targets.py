"""Proposed indicators: numeric targets found in a task's text (新增地铁运营里程75公里 → 75 公里).

Templates pre-fill these as editable suggestions, so the rules favour precision over recall: a number
counts only with a known unit, and names, years and qualifiers are masked out first
(see docs: decomposition-hazards, "Numeric targets inside task texts").

Direction: a level to stay under (控制在…以内/以下, 不超过, 最多, a time limit such as 45分钟办结) is an
upper bound; everything else is higher-is-better. A reduction (压减10%, 降低…1个百分点) is proposed as
higher-is-better on the amount reduced, which is how offices report it (“三公”经费压减率 10% → 7% = 70%).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.models import DIRECTION_HIGHER, DIRECTION_UPPER
from ..core.units import cn_to_int


@dataclass
class Proposal:
    """An indicator proposed from a task's text: name, target and unit."""

    name: str  # 指标名称
    target: float  # 目标值 as printed (the multiplier stays in the unit: 12万名 → 12, 万名)
    measure_unit: str  # 计量单位
    direction: str  # models.DIRECTION_*
    phrase: str  # the text it was read from


_UNITS = sorted("""
个百分点 百分点 微克/立方米 微克每立方米 毫克/立方米 万平方米 平方米 平方公里 万千瓦时 亿千瓦时 万千瓦 千瓦 兆瓦
微克 万亩 亩 万公顷 公顷 公里 千米 万吨 吨 亿斤 万斤 斤 万亿元 亿元 万元 元 亿美元 万美元 美元 万人次 人次 万人 人
万名 名 万户 户 万家 家 万个 个 座 条 所 项 万套 套 万辆 辆 万台 台 艘 处 万张 张 间 场 批 万头 头 只 幢 栋 次
支 片 万株 株 棵 万标箱 标箱 床 宗 块 % ％ 分钟 小时 个工作日 工作日 天
""".split(), key=len, reverse=True)
_TIME_UNITS = {"分钟", "小时", "个工作日", "工作日", "天"}

_NUM = r"\d+(?:\.\d+)?"
_CN_FRACTION = r"[一二三四五六七八九十]+分之[一二三四五六七八九十]+"
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
_TARGET_RE = re.compile(rf"(?P<num>{_NUM})(?:余|多)?(?P<unit>{_UNIT_RE})|(?P<frac>{_CN_FRACTION})")
_PER_CUBIC = re.compile(r"每立方米$")

# Things that look like numbers but are names, years or scopes: replaced by a neutral mark before
# the search (same length, so positions stay valid for names taken from the original text).
_MASKS = [
    re.compile(r"\d{4}\s*[—–\-~至到]\s*\d{4}年"),  # 2021—2035年
    re.compile(r"\d{4}年"),  # 2025年
    re.compile(r"\d+周年"),
    re.compile(r"\d+(?:\.\d+)?\s*(?:小时|分钟)[^,，、。；;]{0,5}?圈"),  # 1小时通勤圈, 15分钟生活圈
    re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]+\d+(?:\.\d+)?"),  # G60, PM2.5
    re.compile(r"\d+(?:\.\d+)?[A-Za-zＡ-Ｚａ-ｚ]+级?"),  # 5G, 5A级
    re.compile(r"\d+(?:\.\d+)?版"),  # 2.0版
    re.compile(r"\d+强"),  # 500强
    re.compile(r"[（(][^（）()]*子项[^（）()]*[）)]"),  # (2个子项)
    re.compile(r"[“\"‘']\d+[”\"’']"),  # “152”
    re.compile(r"\d+(?:\.\d+)?(?:岁|级|星|号|期|轮|届|批次)"),  # 3岁以下, 二级 (qualifiers, not units)
]
_MASK_CHAR = "〇"

_CLAUSE_SPLIT = re.compile(r"[，,；;。：:！!？?\n]")
_LEAD_STRIP = re.compile(r"^(?:[、和与及并且“”\"'‘’\s]|其中|确保|力争|争取|努力|全年|年内|预计|完成|实现|累计|分别)+")
_TRAIL_STRIP = re.compile(
    r"(?:[、“”\"'‘’\s]|(?:提高|提升)?并?(?:稳定|保持)在|控制在|不低于|不高于|不超过|不少于|低于|超过|突破|最多|"
    r"达到|达|在|至|到|为|均|分别|每立方米)+$")
_GROWTH_VERBS = {"增长", "提高", "提升", "下降", "降低", "压减", "减少", "增加"}
_BARE_VERBS = {"建成", "新建", "建设", "新增", "实现", "完成", "培育", "打造", "引进", "新引进", "创建", "改造",
               "新开工", "开工", "淘汰", "拆除", "清理", "推广", "推进", "深化", "拍摄", "吸引", "实施", "组织", "新增", ""}
_UPPER_BEFORE = re.compile(r"(?:控制在|不超过|不高于|(?<!不)低于|最多)[^、]{0,8}$")
_LOWER_BEFORE = re.compile(r"(?:不低于|不少于|超过|突破|达到)$")
_SCOPE_BEFORE = re.compile(r"保护[^、]*$")  # 严格保护…810万亩 is a scope to keep, not a target


def _number(num: str) -> tuple[float, str | None]:
    """The value, and a unit it implies (a Chinese fraction is a percentage)."""
    if "分之" in num:
        den, _, nom = num.partition("分之")
        d = cn_to_int(den) or 0
        return (round((cn_to_int(nom) or 0) / d * 100, 2) if d else 0.0), "%"
    return float(num), None


def _mask(text: str) -> str:
    for rx in _MASKS:
        text = rx.sub(lambda m: _MASK_CHAR * len(m.group(0)), text)
    return text


def _clean_name(raw: str) -> str:
    name = raw.strip()
    if "、" in name:  # the item nearest the number: "…、新增上市企业" → 新增上市企业
        tail = name.rsplit("、", 1)[1]
        if _TRAIL_STRIP.sub("", tail).strip():
            name = tail
    prev = None
    while prev != name:
        prev = name
        name = _LEAD_STRIP.sub("", name)
        name = _TRAIL_STRIP.sub("", name)
    name = name.strip()
    if "”" in name and "“" not in name.split("”")[0]:  # keep a quoted name whole: “三公”经费
        name = "“" + name
    return name


def _bound_after(masked: str, end: int) -> tuple[str, int]:
    """(bound word, its end) right after a number+unit: 以上/以内/以下/左右/及以上."""
    m = re.compile(r"(及以上|及以下|以上|以内|以下|左右)").match(masked, end)
    return (m.group(1), m.end()) if m else ("", end)


def _unit_and_value(m: re.Match) -> tuple[float, str]:
    if m.group("frac"):
        return _number(m.group("frac"))
    unit = m.group("unit")
    return float(m.group("num")), "%" if unit == "％" else unit


def _following_noun(text: str, start: int) -> str:
    seg = re.split(r"[、，,；;。]", text[start:], maxsplit=1)[0]
    return seg.strip()


def _distributed(clause: str, masked: str) -> list[Proposal] | None:
    """ "A、B分别增长8%、10%" and "A、B和C均压减10%": one bound or verb printed once for several items."""
    m = re.search(r"(分别)", masked) or re.search(r"(均)(?=压减|增长|下降|降低|提高|提升|达到|减少|控制|增加|不低于|超过)",
                                                  masked)
    if not m:
        return None
    head = clause[:m.start()]
    names = [n for n in (_clean_name(x) for x in re.split(r"[、和与及]", head)) if n]
    hits = list(_TARGET_RE.finditer(masked, m.end()))
    if len(names) < 2 or not hits:
        return None
    verb = _clean_name(masked[m.end():hits[0].start()])
    bound, bound_end = _bound_after(masked, hits[-1].end())
    values = [_unit_and_value(h) for h in hits]
    if m.group(1) == "分别":
        if len(values) != len(names):
            return None
        last_unit = values[-1][1]
        pairs = [(n, v, u or last_unit) for n, (v, u) in zip(names, values)]
    else:
        if len(values) != 1:
            return None
        pairs = [(n, values[0][0], values[0][1]) for n in names]
    direction = DIRECTION_UPPER if bound in ("以内", "以下") else DIRECTION_HIGHER
    phrase = clause[:bound_end].strip()
    return [Proposal(name + verb, value, unit, direction, phrase) for name, value, unit in pairs]


def _clause_proposals(clause: str) -> list[Proposal]:
    masked = _mask(clause)
    distributed = _distributed(clause, masked)
    if distributed is not None:
        return distributed
    hits = list(_TARGET_RE.finditer(masked))
    out: list[Proposal] = []
    name_start = 0  # the name of a target is the text since the previous accepted target
    prev_name = ""
    share_seen = False
    for i, m in enumerate(hits):
        if share_seen:  # "75%的行政村…达到50万元以上": later numbers are the threshold, not targets
            break
        bound, bound_end = _bound_after(masked, m.end())
        after = masked[bound_end:bound_end + 1]
        if bound in ("以上", "以下", "及以上", "及以下"):
            rest_of_item = re.split(r"[、]", masked[bound_end:], maxsplit=1)[0]
            qualifier = (bound.startswith("及") or after == "的"
                         or any(h.start() >= bound_end and h.end() <= bound_end + len(rest_of_item)
                                for h in hits[i + 1:]))
            if qualifier:  # "3亿元以上项目240个", "50万元以下的欠发达村", "110千伏及以上变电所"
                continue
        before = clause[name_start:m.start()]
        before_masked = masked[name_start:m.start()]
        if _SCOPE_BEFORE.search(before_masked):
            name_start = bound_end
            continue
        value, unit = _unit_and_value(m)
        name = _clean_name(_PER_CUBIC.sub("", before))
        if _PER_CUBIC.search(before.strip()) and unit == "微克":
            unit = "微克/立方米"
        if name in _GROWTH_VERBS and prev_name:
            name = re.sub(r"(?:增长|提高|提升|下降|降低|压减|减少|增加)$", "", prev_name) + name
        elif not name and prev_name:
            name = prev_name  # "建设高速公路4条、133公里"
        elif after == "的" and not bound and unit == "%":  # "75%的行政村…": a share of units
            name = _clean_name(_following_noun(clause, bound_end + 1)) + "的比例"
        elif name in _BARE_VERBS:
            name = name + _clean_name(_following_noun(clause, bound_end))
        if not name:
            name_start = bound_end
            continue
        if bound in ("以内", "以下") or _UPPER_BEFORE.search(before_masked.rstrip("“”\"")):
            direction = DIRECTION_UPPER
        elif unit in _TIME_UNITS and not (bound in ("以上",) or _LOWER_BEFORE.search(before_masked)):
            direction = DIRECTION_UPPER  # 45分钟办结, 最多100天
        else:
            direction = DIRECTION_HIGHER
        phrase_start = clause.find(name) if clause.find(name, name_start) < 0 else clause.find(name, name_start)
        phrase_start = name_start if phrase_start < 0 or phrase_start > m.start() else phrase_start
        out.append(Proposal(name, value, unit, direction, clause[phrase_start:bound_end].strip("、 ")))
        prev_name = name
        name_start = bound_end
        if after == "的" and not bound:
            share_seen = True
    return out


def propose_indicators(text: str) -> list[Proposal]:
    """Numeric targets stated in a task text, in the order printed."""
    out: list[Proposal] = []
    seen: set[tuple[str, float, str]] = set()
    for clause in _CLAUSE_SPLIT.split(text or ""):
        if not re.search(r"\d|分之", clause):
            continue
        for p in _clause_proposals(clause):
            key = (p.name, p.target, p.measure_unit)
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out
