"""Build templates/督查通报.docx, the Word template of the 督查通报 (docxtpl: jinja2 placeholders in a .docx).

    python scripts/make_bulletin_template.py [--out templates/督查通报.docx]

The template is built by this script, not edited by hand, so that it is reproducible and reviewable; an office
edits its own copy (`xltasks init` puts one in every workspace as 督查通报模板.docx) in Word or WPS.
Typography after GB/T 9704 (党政机关公文格式): A4, margins 37/35/28/26 mm, body 仿宋 三号 (16 pt) at a fixed 28 pt
line, headings 黑体 三号, title 黑体 二号 (22 pt), tables 仿宋 小四 (12 pt), page numbers "— 1 —" centred in the
footer. The font table names 仿宋 and 黑体 with their alternate names (FangSong, SimHei), GB2312 charset and
panose, so Word, WPS and LibreOffice each substitute a close CJK font where one is missing.
The placeholders are listed in xltasks/workspace/bulletin.py.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates" / "督查通报.docx"
BODY_FONT, HEADING_FONT, LATIN_FONT = "仿宋", "黑体", "Times New Roman"
# name → (alternate name, panose): the font table entries that let each application find a substitute
CJK_FONTS = {"仿宋": ("FangSong", "02010609060101010101"), "黑体": ("SimHei", "02010609060101010101")}


def _fonts(element, east_asia: str, size_pt: float | None = None, bold: bool = False) -> None:
    """Set a run-properties element (rPr) to east_asia for CJK and Times New Roman for Latin text."""
    fonts = element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        element.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]  # theme fonts would win over the names below
    for key, name in (("ascii", LATIN_FONT), ("hAnsi", LATIN_FONT), ("eastAsia", east_asia), ("cs", LATIN_FONT)):
        fonts.set(qn(f"w:{key}"), name)
    if size_pt:
        for tag in ("w:sz", "w:szCs"):
            old = element.find(qn(tag))
            if old is not None:
                element.remove(old)
            element.append(parse_xml(f'<{tag} {nsdecls("w")} w:val="{int(size_pt * 2)}"/>'))
    if bold:
        element.append(parse_xml(f"<w:b {nsdecls('w')}/>"))


def _style(doc, name: str, font: str, size: float, *, bold=False, align=None, indent=True, before=0, after=0,
           exact: float | None = 28, keep_with_next: bool = False):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    style.base_style = None
    rpr = style.element.get_or_add_rPr()
    _fonts(rpr, font, size, bold)
    pf = style.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.first_line_indent = Pt(size * 2) if indent else Pt(0)
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.keep_with_next = keep_with_next  # a heading or a table's title never ends a page alone
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(exact)
    else:
        pf.line_spacing = 1.0
    return style


def _font_table(doc) -> None:
    part = doc.part.part_related_by(RT.FONT_TABLE)
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/><w:charset w:val="86"/>'
        f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>' for name, (alt, panose) in CJK_FONTS.items())
    blob = part.blob.decode("utf-8")
    part._blob = blob.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _defaults(doc) -> None:
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, BODY_FONT, 16)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:val"), "zh-CN")


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style = doc.styles["通报页码"]
    footer.add_run("— ")
    run = footer.add_run()
    for xml in ('<w:fldChar {} w:fldCharType="begin"/>', '<w:instrText {} xml:space="preserve"> PAGE </w:instrText>',
                '<w:fldChar {} w:fldCharType="separate"/>'):
        run._r.append(parse_xml(xml.format(nsdecls("w"))))
    footer.add_run("1")
    end = footer.add_run()
    end._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'))
    footer.add_run(" —")


def _para(doc, text: str, style: str = "通报正文"):
    return doc.add_paragraph(text, style=style)


def _table(doc, headers: list[str], cells: list[str], loop: str, widths_mm: list[float], total: list[str] | None = None,
           left: tuple[int, ...] = ()):
    """A table whose data row repeats for each item of `loop` ("r in rows"): docxtpl's {%tr %} rows.
    Columns in `left` (long text) are aligned left in the data row."""
    table = doc.add_table(rows=0, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)

    def row(values, style="通报表格", aligned_left=()):
        r = table.add_row()
        for i, (cell, value, width) in enumerate(zip(r.cells, values, widths_mm)):
            cell.width = Mm(width)
            cell.paragraphs[0].style = doc.styles[style]
            if i in aligned_left:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
            cell.paragraphs[0].add_run(value)
        return r

    head = row(headers, "通报表头")
    head._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))  # repeats on each page
    row([f"{{%tr for {loop} %}}"] + [""] * (len(headers) - 1))
    row(cells, aligned_left=left)
    row(["{%tr endfor %}"] + [""] * (len(headers) - 1))
    if total:
        row(total)
    return table


def build(out: Path) -> Path:
    doc = Document()
    _defaults(doc)
    _font_table(doc)
    _style(doc, "通报正文", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "通报标题", HEADING_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=36)
    _style(doc, "通报副标题", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=16)
    _style(doc, "通报一级标题", HEADING_FONT, 16, indent=True, keep_with_next=True)
    _style(doc, "通报表格", BODY_FONT, 12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=None)
    _style(doc, "通报表头", HEADING_FONT, 12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=None)
    _style(doc, "通报表题", HEADING_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, before=8, exact=None,
           keep_with_next=True)
    _style(doc, "通报落款", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _style(doc, "通报页码", LATIN_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=None)
    _page(doc)

    _para(doc, "{{ title }}", "通报标题")
    _para(doc, "情况通报", "通报标题")
    _para(doc, "（{{ period_label }}）", "通报副标题")
    _para(doc, "为推动重点工作落地见效，{{ office }}对截至{{ as_of }}的重点工作推进情况开展了督查。"
               "现将有关情况通报如下：")

    _para(doc, "一、总体情况", "通报一级标题")
    _para(doc, "截至{{ as_of }}，纳入督查的{{ n_tasks }}项重点工作共分解为{{ n_items }}个细化项目，序时进度为"
               "{{ expected }}。其中，已完成{{ c['已完成'] }}项，占{{ p['已完成'] }}；超序时{{ c['超序时'] }}项，占"
               "{{ p['超序时'] }}；达序时{{ c['达序时'] }}项，占{{ p['达序时'] }}；滞后{{ c['滞后'] }}项，占"
               "{{ p['滞后'] }}；无完成率{{ c['无完成率'] }}项，占{{ p['无完成率'] }}；未报送{{ c['未报送'] }}项，占"
               "{{ p['未报送'] }}。")
    _para(doc, "{%p if n_closed %}")
    _para(doc, "另有{{ n_closed }}项任务已销号，单独列示，不计入以上统计：")
    _para(doc, "{%p for t in closed %}")
    _para(doc, "{{ t.id }} {{ t.text }}（{{ t.period }}销号：{{ t.reason }}）")
    _para(doc, "{%p endfor %}")
    _para(doc, "{%p endif %}")
    _para(doc, "表1  重点工作总体完成情况", "通报表题")
    _table(doc, ["类别", "任务数", "占比"], ["{{ r.status }}", "{{ r.count }}", "{{ r.share }}"], "r in overall",
           [60, 40, 40], total=["合计", "{{ n_tasks }}", "100.00%"])

    for number, heading, label, loop in (("二", "分板块情况", "板块", "sections"),
                                         ("三", "分领导情况", "牵头领导", "leaders")):
        _para(doc, f"{number}、{heading}", "通报一级标题")
        _para(doc, f"表{'2' if loop == 'sections' else '3'}  按{label}统计", "通报表题")
        _table(doc, ["序号", label, "任务数", "已完成", "超序时", "达序时", "滞后", "无完成率", "未报送"],
               ["{{ r.no }}", "{{ r.name }}", "{{ r.total }}", "{{ r.done }}", "{{ r.ahead }}", "{{ r.on_time }}",
                "{{ r.behind }}", "{{ r.no_rate }}", "{{ r.not_reported }}"], f"r in {loop}",
               [10, 52, 14, 14, 14, 14, 12, 14, 14], left=(1,))

    _para(doc, "四、滞后任务", "通报一级标题")
    _para(doc, "{%p if lagging %}")
    _para(doc, "截至{{ as_of }}，有{{ lagging|length }}项任务完成率低于序时进度（{{ expected }}），按差距由大到小列示如下，"
               "请责任单位加快推进：")
    _para(doc, "表4  滞后任务", "通报表题")
    _table(doc, ["序号", "任务", "责任单位", "完成率", "差距（百分点）"],
           ["{{ r.no }}", "{{ r.id }} {{ r.text }}", "{{ r.units }}", "{{ r.rate }}", "{{ r.gap }}"], "r in lagging",
           [10, 82, 42, 20, 22], left=(1, 2))
    _para(doc, "{%p else %}")
    _para(doc, "截至{{ as_of }}，没有完成率低于序时进度的任务。")
    _para(doc, "{%p endif %}")

    _para(doc, "五、报送情况", "通报一级标题")
    _para(doc, "{%p if missing_units %}")
    _para(doc, "未按要求报送的单位（{{ missing_units|length }}个）：{{ missing_units|join('、') }}。")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if rejected_units %}")
    _para(doc, "报送材料有误、已退回修改的单位（{{ rejected_units|length }}个）：{{ rejected_units|join('、') }}。")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if late_units %}")
    _para(doc, "逾期报送的单位（{{ late_units|length }}个）：{% for u in late_units %}{{ u.unit }}（{{ u.received }}报送）"
               "{% if not loop.last %}、{% endif %}{% endfor %}。")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if not missing_units and not rejected_units and not late_units %}")
    _para(doc, "各责任单位均按时报送。")
    _para(doc, "{%p endif %}")

    _para(doc, "六、各单位完成情况排名", "通报一级标题")
    _para(doc, "按时报送的单位在前，逾期报送的单位在后，各按完成率由高到低排列（单位完成率为其各细化项目完成率的平均）。")
    _para(doc, "表5  各单位完成情况排名", "通报表题")
    _table(doc, ["名次", "单位", "报送情况", "完成率"], ["{{ r.no }}", "{{ r.unit }}", "{{ r.timeliness }}", "{{ r.rate }}"],
           "r in ranking", [14, 80, 36, 30], left=(1,))

    _para(doc, "七、下一步工作要求", "通报一级标题")
    _para(doc, "各责任单位要对照年度目标和序时进度，紧盯滞后任务，逐项分析原因，制定整改措施，确保按期完成。"
               "未报送、逾期报送的单位要落实专人负责，严格按时限报送。"
               "{% if next_period %}{{ next_period }}的进展情况请于{{ next_deadline }}前报送。{% endif %}")
    _para(doc, "{% if contact %}联系人：{{ contact }}{% endif %}")
    _para(doc, "")
    _para(doc, "{{ office }}", "通报落款")
    _para(doc, "{{ date }}", "通报落款")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.core_properties.title = "督查通报模板"
    doc.core_properties.author = "xltasks"
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2021, 1, 1)  # reproducible
    doc.save(str(out))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    print(build(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
