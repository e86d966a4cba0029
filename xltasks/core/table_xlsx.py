"""Plain tables written straight as SpreadsheetML: the workbook `xlsx.write_table` would give, without xlsxwriter.

merged.xlsx is written on every `collect`, and importing and driving xlsxwriter cost more than the rest of
writing it. Its sheets are plain tables (a styled header row, text and numbers, column widths, wrapped wide
columns, frozen panes, an autofilter, a hidden sheet), so they are generated here directly: the same parts,
cells, shared strings, styles and column widths xlsxwriter writes for `new_workbook` + `write_table` (a test
compares the two cell by cell). Text is passed through `xlsx.excel_text` and stays text, never a formula.
"""
from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .cells import column_letter
from .xlsx import excel_text

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# cellXfs: 0 plain, 1 wrapped text (top), 2 header (bold on light blue, boxed, wrapped, centred vertically)
_PLAIN, _WRAP, _HEAD = 0, 1, 2


@dataclass
class Table:
    """One sheet: a header row of `columns` ((label, width) pairs) styled as xlsx.header_format, then `rows`.
    Columns at least `wrap_from` wide wrap their text; `freeze_cols` columns stay put beside the frozen
    header; `autofilter` over the table; `hidden` sheets are not shown."""

    name: str
    columns: Sequence[tuple[str, float]]
    rows: Sequence[Sequence] = ()
    wrap_from: float = 30
    freeze_cols: int = 0
    freeze: bool = True
    autofilter: bool = True
    hidden: bool = False
    header: bool = True  # False: the first row is plain data like the rest (no header styling)


@dataclass
class _Strings:
    """The shared string table: each text once, in order of first use; `count` = cells using one."""

    index: dict[str, int] = field(default_factory=dict)
    count: int = 0




def _width(width: float) -> str:
    # xlsxwriter's conversion: characters → pixels (7 per digit + 5 padding) → Excel's stored width
    pixels = int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)
    return f"{(pixels * 256 // 7) / 256.0:.16g}"


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")


def _si(text: str) -> str:
    # as xlsxwriter writes a shared string: _xHHHH_ for control characters (and a literal "_xHHHH_" escaped)
    if "_x" in text:
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<si><t{space}>{_escape(text)}</t></si>"


def _sheet_xml(table: Table, strings: _Strings, selected: bool) -> str:
    ncols = len(table.columns)
    wide = [width >= table.wrap_from for _, width in table.columns]
    out = []
    last_row = 0
    header = [table.columns] if table.header else []
    width = max([ncols, 1] + [len(v) for v in table.rows])
    letters = [column_letter(c) for c in range(width)]
    # the style attribute of a body cell of each column, and of a header cell
    body = [' s="%d"' % _WRAP if c < ncols and wide[c] else "" for c in range(width)]
    head = [' s="%d"' % _HEAD] * width
    index, sst = strings.index, strings
    for r, values in enumerate([[label for label, _ in table.columns]] * bool(header) + list(table.rows), start=1):
        cells = []
        styles = head if (header and r == 1) else body
        for c, v in enumerate(values):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if not math.isfinite(v):
                    raise ValueError(f"{table.name}!{letters[c]}{r}: {v!r} is no number a workbook can hold")
                cells.append(f'<c r="{letters[c]}{r}"{styles[c]}><v>{v:.16G}</v></c>')
                continue
            text = excel_text(v)
            if text == "":
                continue  # a blank cell without a format of its own is not written (as xlsxwriter)
            sst.count += 1
            i = index.get(text)
            if i is None:
                i = index[text] = len(index)
            cells.append(f'<c r="{letters[c]}{r}"{styles[c]} t="s"><v>{i}</v></c>')
        if cells:
            last_row = r
            out.append(f'<row r="{r}" spans="1:{max(len(values), 1)}">{"".join(cells)}</row>')
    last_col = column_letter(max([ncols, 1] + [len(v) for v in table.rows]) - 1)
    dimension = f"A1:{last_col}{last_row}" if last_row else "A1"
    view = ' tabSelected="1"' if selected else ""
    if table.freeze and header:
        fc = table.freeze_cols
        if fc:
            top_left = f"{column_letter(fc)}2"
            pane = (f'<pane xSplit="{fc}" ySplit="1" topLeftCell="{top_left}" activePane="bottomRight" '
                    f'state="frozen"/><selection pane="topRight" activeCell="{column_letter(fc)}1" '
                    f'sqref="{column_letter(fc)}1"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
                    f'<selection pane="bottomRight"/>')
        else:
            pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    '<selection pane="bottomLeft"/>')
        views = f'<sheetViews><sheetView{view} workbookViewId="0">{pane}</sheetView></sheetViews>'
    else:
        views = f'<sheetViews><sheetView{view} workbookViewId="0"/></sheetViews>'
    cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{_width(width)}"'
                   f'{f" style={chr(34)}{_WRAP}{chr(34)}" if wide[c] else ""} customWidth="1"/>'
                   for c, (_, width) in enumerate(table.columns))
    data = f"<sheetData>{''.join(out)}</sheetData>" if out else "<sheetData/>"
    autofilter = f'<autoFilter ref="A1:{last_col}{max(len(table.rows) + 1, 2)}"/>' \
        if table.autofilter and header else ""
    return (f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="{dimension}"/>{views}'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}{data}{autofilter}'
            f'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')


def _styles() -> str:
    from .xlsx import CJK_FONT, FONT_SIZE, HEADER_FILL

    font = f'<sz val="{FONT_SIZE}"/><name val="{CJK_FONT}"/><family val="2"/>'
    fill = "FF" + HEADER_FILL.lstrip("#").upper()
    thin = '<color auto="1"/>'
    return (f'{_XML}<styleSheet xmlns="{_MAIN}"><fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            f'</fill><fill><patternFill patternType="solid"><fgColor rgb="{fill}"/><bgColor indexed="64"/>'
            '</patternFill></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
            f'<border><left style="thin">{thin}</left><right style="thin">{thin}</right><top style="thin">{thin}</top>'
            f'<bottom style="thin">{thin}</bottom><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
            'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" '
            'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf><xf numFmtId="0" fontId="1" fillId="2" '
            'borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment '
            'vertical="center" wrapText="1"/></xf></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
            'builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def write_tables(path: str | Path, tables: Sequence[Table]) -> None:
    """Write `tables` as one workbook at `path` (the caller makes it atomic)."""
    import datetime as dt

    strings = _Strings()
    sheets = [_sheet_xml(t, strings, selected=(i == 0)) for i, t in enumerate(tables)]
    n = len(tables)
    names = "".join(f'<sheet name="{_attr(t.name)}" sheetId="{i}"{" state=" + chr(34) + "hidden" + chr(34) if t.hidden else ""}'
                    f' r:id="rId{i}"/>' for i, t in enumerate(tables, start=1))
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">{_escape(_quoted(t.name))}'
        f'!$A$1:${column_letter(max(len(t.columns), 1) - 1)}${max(len(t.rows) + 1, 2)}</definedName>'
        for i, t in enumerate(tables) if t.autofilter and t.header)
    workbook = (f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/><bookViews><workbookView '
                f'xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews><sheets>{names}'
                f'</sheets>{f"<definedNames>{filters}</definedNames>" if filters else ""}'
                '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, n + 1))
    rels += (f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
             f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>')
    sst = (f'{_XML}<sst xmlns="{_MAIN}" count="{strings.count}" uniqueCount="{len(strings.index)}">'
           f'{"".join(map(_si, strings.index))}</sst>')
    ct = "application/vnd.openxmlformats-officedocument"
    types = (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/>'
             '<Override PartName="/docProps/core.xml" '
             'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
             f'<Override PartName="/xl/styles.xml" ContentType="{ct}.spreadsheetml.styles+xml"/>'
             f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.spreadsheetml.sheet.main+xml"/>'
             + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                       f'ContentType="{ct}.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
             + f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.spreadsheetml.sharedStrings+xml"/>'
             '</Types>')
    root_rels = (f'{_XML}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
                 'Target="xl/workbook.xml"/><Relationship Id="rId2" '
                 f'Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
                 f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
                 '</Relationships>')
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>')
    app = (f'{_XML}<Properties xmlns="{_MAIN.replace("spreadsheetml/2006/main", "officeDocument/2006/extended-properties")}"'
           '><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity></Properties>')
    # compression level 1: a third of the default level's time, for a file about a fifth larger
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in (("[Content_Types].xml", types), ("_rels/.rels", root_rels), ("docProps/app.xml", app),
                           ("docProps/core.xml", core), ("xl/workbook.xml", workbook),
                           ("xl/_rels/workbook.xml.rels", f'{_XML}<Relationships xmlns="{_PKG_REL}">{rels}'
                                                          '</Relationships>'),
                           ("xl/styles.xml", _styles()), ("xl/sharedStrings.xml", sst),
                           *((f"xl/worksheets/sheet{i}.xml", s) for i, s in enumerate(sheets, start=1))):
            zf.writestr(name, text.encode("utf-8"))


def _quoted(name: str) -> str:
    # a sheet name in a reference: quoted when it is not a plain word (as Excel and xlsxwriter write it)
    return name if re.fullmatch(r"[A-Za-z_\u0080-\uffff][\w.\u0080-\uffff]*", name) else "'" + name.replace("'", "''") + "'"
