"""Responsible-unit lists (责任单位) as printed in decomposition documents → unit names.

Printed conventions this module undoes (see docs on the seeds):
* "," (or "，") separates tiers of units, "、" separates units within a tier;
* a shared suffix over a list: "西湖区、滨江区政府" → 西湖区政府, 滨江区政府;
* collectives whose own name contains a top-level 、 ("各区、县(市)政府(管委会)", "各平台、镇(街道)") stay whole;
* "…配合落实" after the list: the listed units only support (the lead is not listed);
* a cell split over several lines where a line starting with "(" continues the previous unit (004);
* convention notes inside the list ("(列第一位者为工作牵头单位或汇总单位,下同)") are removed.
Printed names are kept as printed; `classify_paren` explains a parenthesis, it never rewrites the name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import (UNIT_KIND_BUREAU, UNIT_KIND_COLLECTIVE, UNIT_KIND_COMMITTEE, UNIT_KIND_DISTRICT,
                     UNIT_KIND_ENTERPRISE)
from .textkeys import nfkc

_OPEN = "(（"
_CLOSE = ")）"

# Collectives with a top-level 、 in their own name (NFKC form). Kept whole, never split.
PROTECTED_COLLECTIVES = (
    "各区、县(市)政府(管委会)",
    "各区、县(市)政府",
    "各区、县(市)",
    "相关区、(县)市",  # malformed in 000 L476, same meaning
    "各平台、镇(街道)",
    "相关平台、镇街",
)
# A bare category word before 、 that is the head of such a collective ("各区" in "各区、县(市)政府").
_COLLECTIVE_HEAD = re.compile(r"^(各|相关|有关)(区|县|市|平台|镇|乡镇|街道|镇街|部门|单位)$")

# "…配合落实": the suffix sits on the last unit but applies to the list.
_SUPPORT_SUFFIX = re.compile(r"(配合落实|协助落实|配合实施|配合)$")
# Convention notes inside a unit list, e.g. "(列第一位者为工作牵头单位或汇总单位,下同)".
_NOTE_PAREN = re.compile(r"[(（][^()（）]*(下同|列第一位|排第一位|排名第一|为牵头单位|为工作牵头)[^()（）]*[)）]")

_GOV_SUFFIXES = ("人民政府", "政府")
# A bare place name that can take a shared suffix: 西湖区, 桐庐县, 建德市 (not 市发改委, not 各区).
_PLACE = re.compile(r"^[^\s()（）、,，]{1,6}[区县市]$")


@dataclass
class UnitList:
    """One printed unit cell, parsed."""

    raw: str
    units: list[str] = field(default_factory=list)  # flattened, printed order, no duplicates
    tiers: list[list[str]] = field(default_factory=list)
    supporting_only: bool = False
    notes: list[str] = field(default_factory=list)  # convention notes removed from the list
    duplicates: list[str] = field(default_factory=list)  # names listed twice in one cell

    @property
    def lead(self) -> str:
        return "" if (self.supporting_only or not self.units) else self.units[0]


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}


def cn_to_int(s: str) -> int | None:
    """Chinese numeral up to 999 ("十一", "二十", "一百零五") → int; None if not a numeral."""
    s = s.strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            cur = _CN_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


def _split_top(s: str, seps: str) -> list[str]:
    """Split at separators outside parentheses (full- or half-width)."""
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _strip(s: str) -> str:
    return s.strip().strip("\u00a0\u3000 \t").strip()


def _merge_collectives(items: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        if i + 1 < len(items) and _COLLECTIVE_HEAD.match(nfkc(item)):
            # "各区" + "县(市)政府(管委会)": one collective, rejoin with the printed 、
            out.append(item + "、" + items[i + 1])
            i += 2
            continue
        out.append(item)
        i += 1
    return out


def _expand_shared_suffix(items: list[str]) -> list[str]:
    """西湖区、滨江区、建德市政府 → each place + 政府 (only bare place names directly before the last)."""
    if len(items) < 2:
        return items
    last = items[-1]
    for suffix in _GOV_SUFFIXES:
        if last.endswith(suffix) and _PLACE.match(nfkc(last[: -len(suffix)])):
            break
    else:
        return items
    out = list(items)
    j = len(out) - 2
    while j >= 0 and _PLACE.match(nfkc(out[j])) and not nfkc(out[j]).startswith(("市", "各", "相关", "有关")):
        out[j] = out[j] + suffix
        j -= 1
    return out


def split_tier(tier: str) -> list[str]:
    """Units of one tier, split at top-level 、 with collectives kept and shared suffixes expanded."""
    items = [_strip(x) for x in _split_top(tier, "、")]
    items = [x for x in items if x]
    items = _merge_collectives(items)
    return _expand_shared_suffix(items)


def parse_units(raw: str) -> UnitList:
    """Parse a printed unit list such as "市财政局,各区、县(市)政府(管委会)配合落实"."""
    result = UnitList(raw=raw)
    s = _strip(raw).rstrip("。;；.")
    for m in _NOTE_PAREN.finditer(s):
        result.notes.append(m.group(0))
    s = _NOTE_PAREN.sub("", s).strip()
    m = _SUPPORT_SUFFIX.search(s)
    if m and len(s) > len(m.group(0)):
        result.supporting_only = True
        s = s[: m.start()].rstrip("、,，")
    seen: set[str] = set()
    for tier_text in _split_top(s, ",，;；"):
        tier = split_tier(tier_text)
        if not tier:
            continue
        result.tiers.append(tier)
        for name in tier:
            if name in seen:
                result.duplicates.append(name)
                continue
            seen.add(name)
            result.units.append(name)
    return result


def parse_cell_lines(lines: list[str]) -> UnitList:
    """A unit cell printed on several lines (004's "? "-separated cell lines, a Word/Excel cell).

    A line starting with "(" continues the previous unit: "余杭经济技术开发区" + "(钱江经济开发区)".
    """
    cleaned = [_strip(x) for x in lines]
    cleaned = [x for x in cleaned if x]
    joined: list[str] = []
    for line in cleaned:
        if joined and line[0] in _OPEN:
            joined[-1] += line
        else:
            joined.append(line)
    result = parse_units("、".join(joined))
    result.raw = "\n".join(cleaned)
    return result


# ---------------------------------------------------------------------------------------------
# Parentheses and kinds

PAREN_ALIAS = "别名"  # 市商务局(市粮食和物资储备局): two names of one body
PAREN_HOST = "挂靠单位"  # 市拥江办(市钱江新城管委会): an office and the bureau hosting it
PAREN_SUB_OFFICE = "内设/挂牌机构"  # 市教育局(三名办), 市应急管理局(市安委办): a bureau and its office
PAREN_STATUS = "状态"  # 管委会(筹): being set up

_OFFICE_LIKE = re.compile(r"(办公室|办|专班|指挥部|领导小组|联席会议|分局|中心)$")
_COORD_BODY = re.compile(r"(办公室|领导小组|指挥部|联席会议|专班|[^公]办)$")
_STATUS_WORDS = {"筹", "筹建", "筹备", "试行", "暂定", "待定", "临时"}
_PAREN_AT_END = re.compile(r"^(?P<base>.+?)[(（](?P<inner>[^()（）]+)[)）]$")


@dataclass(frozen=True)
class ParenInfo:
    """The parenthesis at the end of a unit name, and what kind of note it is."""

    base: str
    inner: str
    kind: str  # one of PAREN_*

    def describe(self) -> str:
        return f"{self.kind}: {self.inner}"


def classify_paren(name: str) -> ParenInfo | None:
    """Explain the parenthesis at the end of a unit name, or None when there is none (or a collective)."""
    if unit_kind(name) == UNIT_KIND_COLLECTIVE:
        return None
    m = _PAREN_AT_END.match(_strip(name))
    if not m:
        return None
    base, inner = m.group("base").strip(), m.group("inner").strip()
    if inner in _STATUS_WORDS:
        return ParenInfo(base, inner, PAREN_STATUS)
    inner_office = bool(_OFFICE_LIKE.search(inner)) or inner.endswith("分局")
    base_coord = bool(_COORD_BODY.search(base))
    if base_coord and not inner_office:
        return ParenInfo(base, inner, PAREN_HOST)  # 市快速路网建设领导小组办公室(市建委)
    if inner_office and not (base_coord and not inner.endswith(("专班", "分局"))):
        return ParenInfo(base, inner, PAREN_SUB_OFFICE)  # 市发改委(市长江办), 区住建局(规划分局)
    if base_coord and inner_office:
        return ParenInfo(base, inner, PAREN_SUB_OFFICE)  # 市政务办(数字化改革专班)
    return ParenInfo(base, inner, PAREN_ALIAS)


_COLLECTIVE = re.compile(r"^(各|相关|有关|其他|其它)|各[^、]{0,6}(单位|部门|成员|政府|镇|街道|平台)|有关部门|其他|其它|成员单位")
_DISTRICT = re.compile(r"([区县市旗]|自治县)(人民)?政府$|^[^市省]{1,6}(镇|乡|街道)(人民政府)?$|街道办事处$")
_COMMITTEE = re.compile(r"(管委会|管理委员会|开发区|新区|新城|科技城|集聚区|度假区|管理区|产业园|合作区|基地|片区|海创园)$")
_ENTERPRISE = re.compile(r"集团|公司|银行|有限|股份|报社|电视台|机场")


def unit_kind(name: str) -> str:
    """部门 / 区县政府 / 管委会 / 集合 / 企业/其他 for a printed unit name."""
    n = nfkc(_strip(name))
    base = re.sub(r"\([^()]*\)$", "", n)  # kind of "长三角…管委会(筹)" is that of its base
    if _COLLECTIVE.search(n):
        return UNIT_KIND_COLLECTIVE
    if _DISTRICT.search(base):
        return UNIT_KIND_DISTRICT
    if _COMMITTEE.search(base):
        return UNIT_KIND_COMMITTEE
    if _ENTERPRISE.search(base):
        return UNIT_KIND_ENTERPRISE
    return UNIT_KIND_BUREAU
