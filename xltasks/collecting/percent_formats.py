"""Which cells of a worksheet are stored with a percent number format (xlsx; .ods by its value type here,
.xls in biff.py).

calamine gives values without their formats, and "3.5%" typed in Excel or WPS is stored as 0.035: the
cell's style (xl/styles.xml cellXfs → numFmt) tells it apart from a 3.5 typed as such. Regexes over the
bytes like the formula reader in sheet_xml.py (the pre-flight has refused any DTD or entity).
"""
from __future__ import annotations

import re
import zipfile
from typing import Iterable

from .sheet_xml import _ATTR_RE, _CELL_RE, _COLS, _ODS_NS_OFFICE, _ods_cells, _unescape, col_index, is_clean

_BUILTIN_PERCENT_FMTS = frozenset({9, 10})  # 0% and 0.00%
_FMT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, escaped chars, [colour]/[condition]


def _is_percent_code(code: str) -> bool:
    # a "%" inside quotes or escaped is shown as is and does not scale the value
    return "%" in _FMT_LITERALS.sub("", code)


_NUMFMT_RE = re.compile(rb'<(?:\w+:)?numFmt\s([^>]*)>')
_CELLXFS_RE = re.compile(rb'<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>', re.S)
_XF_RE = re.compile(rb'<(?:\w+:)?xf\b([^>]*)>')
_FMT_ATTR_RE = re.compile(rb'\b(numFmtId|formatCode)="([^"]*)"')


def _xlsx_percent_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """Indices of xl/styles.xml cellXfs (the `s` of a cell) whose number format is a percent. A regex over
    the bytes like the formula reader (pre-flight has refused any DTD/entity, and it is ~5× faster)."""
    try:
        data = zf.read("xl/styles.xml")
    except KeyError:
        return frozenset()
    custom: dict[int, bool] = {}
    for m in _NUMFMT_RE.finditer(data):
        attrs = dict(_FMT_ATTR_RE.findall(m.group(1)))
        fid = attrs.get(b"numFmtId", b"")
        if fid.isdigit():
            custom[int(fid)] = _is_percent_code(_unescape(attrs.get(b"formatCode", b"").decode("utf-8", "replace")))
    xfs = _CELLXFS_RE.search(data)
    out: set[int] = set()
    for i, m in enumerate(_XF_RE.finditer(xfs.group(1)) if xfs else ()):
        fid = dict(_FMT_ATTR_RE.findall(m.group(1))).get(b"numFmtId", b"0")
        n = int(fid) if fid.isdigit() else 0
        if custom.get(n, n in _BUILTIN_PERCENT_FMTS):
            out.add(i)
    return frozenset(out)


def _xlsx_styled_cells(data: bytes, styles: frozenset[int], cols: set[int],
                       clean: bool | None = None) -> set[tuple[int, int]]:
    """(row, col) of the cells of `cols` whose style index is in `styles` (cells without r are skipped:
    the writers that omit it do not write percent formats into our templates). `clean`: whether every tag
    of `data` closes before the next "<" (is_clean), when the caller knows it already."""
    ids = b"|".join(str(i).encode() for i in sorted(styles))
    pattern = re.compile(rb'<(?:\w+:)?c\s([^>]*?\bs="(?:' + ids + rb')"[^>]*)>')  # re caches compiled patterns
    out: set[tuple[int, int]] = set()
    if clean is None:
        clean = is_clean(data)
    if clean:
        # Commonest: every such attribute sits in a cell tag of the plain form <c r="…" s="…"( t="…")>,
        # which then holds no other attribute: one scan of that form finds them all, refs included.
        plain = re.findall(rb'<c r="([A-Z]{1,3})(\d+)" s="(?:' + ids + rb')"(?: t="[a-zA-Z]+")?/?>', data)
        if len(plain) == sum(data.count(b's="%d"' % i) for i in styles):  # counts: no regex pass
            letters_of = {letters: c for letters, c in _COLS.items() if c in cols}
            for letters, digits in plain:
                col_i = letters_of.get(letters)
                if col_i is not None:
                    out.add((int(digits) - 1, col_i))
            return out
    for m in _styled_cell_tags(data, pattern, ids, clean):
        r = dict(_ATTR_RE.findall(m.group(1))).get(b"r")
        ref = _CELL_RE.match(r.decode("ascii", "replace")) if r else None
        if ref:
            col_i = col_index(ref.group(1))
            if col_i in cols:
                out.add((int(ref.group(2)) - 1, col_i))
    return out


def _styled_cell_tags(data: bytes, pattern: re.Pattern, ids: bytes, clean: bool) -> Iterable[re.Match]:
    """The matches of `pattern` (a cell tag with one of the style ids) over `data`. When every tag closes
    before the next "<", each such tag is the last "<" before one of its s="…" attributes: searching the
    literal attribute and matching only those tags finds the same set, ~5x faster than the full scan."""
    if not clean:
        return pattern.finditer(data)
    rfind, match = data.rfind, pattern.match
    seen: set[int] = set()
    out = []
    for sm in re.finditer(rb's="(?:' + ids + rb')"', data):
        j = rfind(b"<", 0, sm.start())
        if j < 0 or j in seen:
            continue
        seen.add(j)
        m = match(data, j)
        if m is not None:
            out.append(m)
    return out


def ods_percent_cells(zf: zipfile.ZipFile, sheet: str, cols: set[int]) -> set[tuple[int, int]]:
    """(row, col) of the cells of `cols` that an .ods stores as percentages (office:value-type="percentage":
    "60%" is the value 0.6, as in an .xlsx with a percent format)."""
    value_type = "{%s}value-type" % _ODS_NS_OFFICE
    out: set[tuple[int, int]] = set()
    for row_i, col_i, repeat, el in _ods_cells(zf, sheet):
        if el.get(value_type) == "percentage":
            out.update((row_i, c) for c in range(col_i, col_i + min(repeat, 1000)) if c in cols)
    return out
