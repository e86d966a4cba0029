"""Text utilities shared by the text importers: decoding, NBSP-safe stripping, NFKC, numerals."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import XltasksError
from ..fileio import decode_text

# Characters web pages and Word use as "blank": NBSP, full-width and zero-width spaces, BOM.
_BLANKS = "\u00a0\u3000\u200b\ufeff\t "


def clean(s: str | None) -> str:
    """Strip every kind of blank at both ends (str.strip() keeps the zero-width ones)."""
    if s is None:
        return ""
    return s.strip().strip(_BLANKS).strip()


def nfkc(s: str) -> str:
    """Normal form for comparisons across documents: full-width ，（）：； become ASCII."""
    return unicodedata.normalize("NFKC", s)


def squash(s: str) -> str:
    """NFKC without any whitespace: for letter-spaced headers such as "重 点 工 作 任 务"."""
    return re.sub(r"\s+", "", nfkc(s or ""))


def read_lines(text: str) -> list[str]:
    """Lines of a text document, 1-based position = index + 1, counting a last line without newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # a final newline ends the last line; it does not start another
    return lines


def read_text_file(path: str | Path) -> str:
    """Decode a UTF-8 or GB18030 text file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise XltasksError(f"无法读取文件: {exc.strerror or exc}", file=str(path)) from None
    text, _ = decode_text(data)
    return text


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
CN_NUM = "一二三四五六七八九十百零〇两"


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
