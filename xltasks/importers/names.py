"""Is a fragment a unit, a person, a date or a page marker? And which date does a 完成时限 name?

Decompositions put people (责任领导), deadlines (完成时限) and page furniture (第3页, - 3 -) next to unit
lists; a PDF or a pasted table can push them into the unit cell. `why_not_unit` says why a fragment is no
unit name (the importer then warns with its line instead of inventing a unit); `deadline_date` reads the
date a deadline names ("2021年6月底前" → 2021-06-30) and leaves vague ones ("年内持续推进") without a date.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

from ..core.textkeys import squash

# The commonest Chinese surnames (well over 90% of people); a 2–3 character name starting with one and not
# ending like an organisation is taken for a person.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝於诸")
# How organisation names end (a unit never ends like a person's given name does).
_ORG_END = re.compile(
    r"(局|委|办|厅|部|署|院|会|处|科|室|所|站|队|社|团|司|行|馆|校|中心|公司|集团|政府|区|县|市|镇|乡|街道|街|村|城|"
    r"园|港|场|区块|平台|小组|专班|指挥部|联席会议|分局|单位|部门|组织|机关|银行|报|台|协|联|委员|管委|新区|片区|基地)$")
_DATE_LIKE = re.compile(r"^\d{4}\s*年|^\d{1,2}\s*月|^\d{4}[-./]\d{1,2}|年底|年内|月底|季度|上半年|下半年|前完成$|^长期|^持续")
_PAGE_MARKER = re.compile(r"^(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|[-—–－]+\s*\d+\s*[-—–－]+|\d+\s*/\s*\d+|\d+|共\s*\d+\s*页)$")
_ROLE_WORD = re.compile(r"^(牵头|配合|责任|协办|主办|牵头单位|配合单位|责任单位|单位|部门|领导|备注|无)$")


def looks_like_person(s: str) -> bool:
    """"张明", "沈昱", "李敏华" (and "张明同志"): a short name starting with a common surname."""
    t = re.sub(r"(同志|副?(市|区|县|省)长|常委|秘书长|副?主任|副?书记)$", "", squash(s))
    if not 2 <= len(t) <= 3 or not all("\u4e00" <= c <= "\u9fff" for c in t):
        return False
    return t[0] in _SURNAMES and not _ORG_END.search(t)


def ends_like_unit(s: str) -> bool:
    """"区住建局", "良渚新城(筹)": the end of a unit name (a line ending so did not wrap mid-name)."""
    return bool(_ORG_END.search(re.sub(r"[(（][^()（）]*[)）]$", "", squash(s))))


def why_not_unit(fragment: str, people: set[str] | frozenset[str] = frozenset()) -> str:
    """The reason `fragment` cannot be a unit name ("单个字符", "日期", "人名", "页码", "角色词"), or ""."""
    t = squash(fragment)
    if len(t) <= 1:
        return "单个字符"
    if _PAGE_MARKER.match(t):
        return "页码"
    if _DATE_LIKE.search(t) and not _ORG_END.search(t):
        return "日期"
    if _ROLE_WORD.match(t):
        return "角色词"
    if t in people or looks_like_person(t):
        return "人名"
    return ""


# ---------------------------------------------------------------------------------------------
# Deadlines

_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12}
_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_DEADLINE_WORDS = re.compile(r"(前|底|末|内|完成|持续|长期|年度|季度|上半年|下半年|按期|常态|动态|逐年|每年|年\s*$)")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def deadline_date(text: str, default_year: int | None = None) -> str | None:
    """The ISO date a printed 完成时限 names, or None: "2021年6月底前" → "2021-06-30", "2021.6.30" →
    "2021-06-30", "2021年底" → "2021-12-31", "2021年三季度" → "2021-09-30"; "年内持续推进" → None
    (no year is printed; `default_year` supplies one for "6月底前" where the caller knows it)."""
    t = squash(text)
    if not t:
        return None
    m = re.search(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?", t)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    m = re.search(r"(\d{4})年", t) or re.search(r"^(\d{4})(?=[-./]\d)", t)
    year = int(m[1]) if m else default_year
    if year is None:
        return None
    rest = t[m.end():] if m else t
    m = re.search(r"^[-./]?(\d{1,2})(月|$|[-./]?底)", rest) or re.search(r"(\d{1,2})月", rest)
    if m and 1 <= int(m[1]) <= 12:
        return _month_end(year, int(m[1])).isoformat()
    m = re.search(r"(十[一二]|[一二三四五六七八九十])月", rest)
    if m:
        return _month_end(year, _CN_MONTH[m[1]]).isoformat()
    m = re.search(r"第?([一二三四1-4])季度", rest)
    if m:
        return _month_end(year, _QUARTER[m[1]]).isoformat()
    if "上半年" in rest:
        return _month_end(year, 6).isoformat()
    if re.search(r"^(年底|年末|底|末|前|内|年内|全年|下半年|年度)|^$|^完成|^年", rest) or "下半年" in rest:
        return dt.date(year, 12, 31).isoformat()
    return None


def looks_like_deadline(text: str) -> bool:
    """A clause that states when, not who: "年内持续推进", "2021年6月底前完成", "长期坚持"."""
    t = squash(text)
    if not t or len(t) > 30:
        return False
    if re.search(r"\d{4}\s*年|\d{4}[-./]\d{1,2}|\d{1,2}月", t):
        return True
    return bool(re.match(r"^(年内|年底|年末|全年|长期|持续|逐步|分阶段|按年度|每年|上半年|下半年|[一二三四]季度|本年度)", t)
                and _DEADLINE_WORDS.search(t))
