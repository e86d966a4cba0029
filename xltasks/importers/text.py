"""Text utilities shared by the text importers: NBSP-safe stripping, NFKC, numeral pattern, leaders.

The text keys (`nfkc`, `squash`) live in xltasks.core.textkeys and Chinese numerals (`cn_to_int`) in
xltasks.core.units, shared with the other stages."""
from __future__ import annotations

import re

from ..core.textkeys import nfkc

# Characters web pages and Word use as "blank": NBSP, full-width and zero-width spaces, BOM.
BLANKS = "\u00a0\u3000\u200b\ufeff\t "


def clean(s: str | None) -> str:
    """Strip every kind of blank at both ends (str.strip() keeps the zero-width ones)."""
    if s is None:
        return ""
    return s.strip().strip(BLANKS).strip()


def read_lines(text: str) -> list[str]:
    """Lines of a text document, 1-based position = index + 1, counting a last line without newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # a final newline ends the last line; it does not start another
    return lines


CN_NUM = "一二三四五六七八九十百零〇两"


# Leader titles, longest first, so "常务副市长" wins over "市长".
_TITLES = ("常务副市长", "常务副区长", "常务副县长", "常务副省长", "副市长", "副区长", "副县长", "副省长",
           "市长", "区长", "县长", "省长", "常委", "秘书长", "副主任", "主任", "副书记", "书记", "同志", "领导")


def leader_from_group(title: str) -> str:
    """"(一)王宏副市长牵头重点工作" → "王宏"; "三、吴登芬常委牵头重点工作" → "吴登芬"."""
    t = re.sub(r"<[^>]+>", "", nfkc(title)).strip()
    t = re.sub(r"^[(]?[" + CN_NUM + r"\d]+[)、.]\s*", "", t)
    head = t.split("牵头")[0].strip()
    for title_word in _TITLES:
        i = head.find(title_word)
        if i > 0:
            return head[:i].strip()
    return head
