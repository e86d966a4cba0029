"""Build Word (.docx) and PDF fixtures that reproduce the seed decompositions as offices receive them.

The tests call these functions into a temporary directory (nothing binary is checked in):

* `make_004_docx`  – seed 004 (Yuhang 2018) as a real Word table: units on separate lines inside a
  cell (both as separate paragraphs and as soft line breaks), the "(钱江经济开发区)" continuation on a
  line of its own, letter-spaced header and leader names, leader cells merged down over consecutive
  rows, and the table split in two with the header repeated.
* `make_000_docx`  – §三 and the first groups of §四 of seed 000 as one table whose section and
  leader-group rows are merged across all columns.
* `make_003_docx`  – seed 003 in paragraph style ("1.任务…" then "责任单位:…").
* `make_pdf`       – a PDF of any of them through LibreOffice headless.
* `make_scanned_pdf` – a PDF with a page but no text layer (what a scanner produces, minus the image).

Run directly to write all of them into a folder:  python scripts/make_docx_fixtures.py OUT_DIR
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "data" / "seeds"
SEED_000 = SEEDS / "000_hangzhou_2021_decomposition.txt"
SEED_003 = SEEDS / "003_huzhou_2021_decomposition.txt"
SEED_004 = SEEDS / "004_yuhang_2018_decomposition.txt"

IDEOGRAPHIC_SPACE = "\u3000"
# 004 is split after this task number into a second table with the header repeated.
SPLIT_004_AFTER = 40


# ---------------------------------------------------------------- seed readers (fixture side only)

def seed_004_rows() -> tuple[list[str], list[list[list[str]]]]:
    """(preamble lines, rows) of seed 004; a row is [no, text, leaders, units], each a list of cell lines.

    The "?" artefacts are undone the way the original Word cells were: "? " separated lines of a
    cell, " ?" inside a two-character name was a full-width padding space.
    """
    lines = SEED_004.read_text(encoding="utf-8").splitlines()
    preamble: list[str] = []
    rows: list[list[list[str]]] = []
    for line in lines:
        if " | " not in line:
            if not rows:
                preamble.append(line.rstrip().rstrip("?").rstrip())
            continue
        cells = line.rstrip().rstrip("|").rstrip().split(" | ")
        cells = [c.replace(" ?", IDEOGRAPHIC_SPACE).strip().rstrip("?") for c in cells]
        split = [[part.strip() for part in c.split("? ") if part.strip()] for c in cells]
        if split[0] == ["序号"]:
            continue  # the header is written by the builder
        rows.append(split)
    return [p for p in preamble if p], rows


def seed_000_part() -> list[tuple[str, str | list[str]]]:
    """§三 and §四 groups (一)/(二) of seed 000 as ("section"|"group", title) and ("task", [no, text, units])."""
    lines = SEED_000.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip().startswith("三、"))
    stop = next(i for i, l in enumerate(lines) if l.strip().startswith("(三)柯吉欣") and i > start + 300)
    items: list[tuple[str, str | list[str]]] = []
    cells = [l.strip() for l in lines[start:stop] if l.strip()]
    i = 0
    while i < len(cells):
        c = cells[i]
        if re.match(r"^[一二三四]、", c):
            items.append(("section", c))
            i += 4  # title + the repeated three header cells
            continue
        if re.match(r"^\([一二三四五六七八九十]+\)", c):
            items.append(("group", c))
            i += 1
            continue
        if re.match(r"^\d+\*?$", c):
            items.append(("task", [c, cells[i + 1], cells[i + 2]]))
            i += 3
            continue
        raise ValueError(f"seed 000 fixture: unexpected line {c!r}")
    return items


# ---------------------------------------------------------------- docx helpers

# Government notices set one CJK font (仿宋_GB2312) for every character, quotes included; Noto is
# the CJK font our CI installs. With a Western font for the quotes LibreOffice prints “ ” as a
# separately kerned run that no text extractor puts back in place.
CJK_FONT = "Noto Serif CJK SC"


def _landscape(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name = CJK_FONT
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), CJK_FONT)
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(1.5))


def _set_lines(cell, lines: list[str], *, soft_breaks: bool = False) -> None:
    """Write `lines` into `cell`: one paragraph per line, or one paragraph with soft line breaks."""
    first = cell.paragraphs[0]
    for p in cell.paragraphs[1:]:
        p._p.getparent().remove(p._p)
    for r in list(first.runs):
        r._r.getparent().remove(r._r)
    if soft_breaks:
        run = first.add_run()
        for k, line in enumerate(lines):
            if k:
                run.add_break(WD_BREAK.LINE)
            run.add_text(line)
        return
    for k, line in enumerate(lines):
        (first if k == 0 else cell.add_paragraph()).add_run(line)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)


def _widths(table, cms: list[float]) -> None:
    table.autofit = False
    for col, w in zip(table.columns, cms):
        col.width = Cm(w)  # the grid: what LibreOffice lays out by
    for row in table.rows:
        for cell, w in zip(row.cells, cms):
            cell.width = Cm(w)


# ---------------------------------------------------------------- builders

HEADER_004 = ["序号", IDEOGRAPHIC_SPACE.join("重点工作任务"), "牵头领导", "牵头单位"]


def _table_004(doc, rows: list[list[list[str]]], first_index: int):
    table = doc.add_table(rows=1 + len(rows), cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADER_004):
        _set_lines(cell, [text])
    _repeat_header(table.rows[0])
    for r, row in enumerate(rows, start=1):
        cells = table.rows[r].cells
        soft = (first_index + r) % 2 == 0  # both ways of breaking a cell occur in real documents
        for c, lines in enumerate(row):
            _set_lines(cells[c], lines, soft_breaks=soft and c >= 2)
    # Merge the leader cell down over consecutive rows with the same leaders.
    r = 0
    while r < len(rows):
        end = r
        while end + 1 < len(rows) and rows[end + 1][2] == rows[r][2]:
            end += 1
        if end > r:
            merged = table.cell(r + 1, 2).merge(table.cell(end + 1, 2))
            _set_lines(merged, rows[r][2])
        r = end + 1
    _widths(table, [1.3, 14.5, 3.2, 7.5])
    return table


def make_004_docx(out: str | Path) -> Path:
    out = Path(out)
    preamble, rows = seed_004_rows()
    doc = Document()
    _landscape(doc)
    for line in preamble:
        doc.add_paragraph(line)
    part1 = [r for r in rows if int(r[0][0]) <= SPLIT_004_AFTER]
    part2 = [r for r in rows if int(r[0][0]) > SPLIT_004_AFTER]
    _table_004(doc, part1, 0)
    # A page break between the parts, as when a table is continued on the next page by hand.
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _table_004(doc, part2, len(part1))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def make_000_docx(out: str | Path) -> Path:
    out = Path(out)
    items = seed_000_part()
    doc = Document()
    _landscape(doc)
    doc.add_paragraph("2021年省政府工作报告重点工作涉杭任务和市政府工作报告重点工作责任分解")
    table = doc.add_table(rows=1 + len(items), cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["序号", "重点工作任务", "责任单位"]):
        _set_lines(cell, [text])
    _repeat_header(table.rows[0])
    for r, (kind, value) in enumerate(items, start=1):
        if kind == "task":
            for cell, text in zip(table.rows[r].cells, value):
                _set_lines(cell, [text])
        else:
            merged = table.cell(r, 0).merge(table.cell(r, 2))  # spans all columns (gridSpan)
            _set_lines(merged, [value])
    _widths(table, [1.5, 16.0, 8.0])
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def make_003_docx(out: str | Path) -> Path:
    out = Path(out)
    lines = SEED_003.read_text(encoding="utf-8").splitlines()
    doc = Document()
    i = 0
    while i < len(lines):
        line = lines[i]
        # The wrapped attachment title is one paragraph with a soft line break in Word.
        if line.endswith("时期") and i + 1 < len(lines) and lines[i + 1] == "重点工作责任分解":
            p = doc.add_paragraph()
            run = p.add_run(line)
            run.add_break(WD_BREAK.LINE)
            run.add_text(lines[i + 1])
            i += 2
            continue
        doc.add_paragraph(line)
        i += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def make_pdf(docx_path: str | Path, out_dir: str | Path) -> Path:
    """The PDF LibreOffice prints from a .docx (a real text layer, as in a signed notice's PDF)."""
    from xltasks.core.libreoffice import convert

    return convert(docx_path, out_dir, "pdf")


def make_scanned_pdf(out: str | Path) -> Path:
    """A one-page A4 PDF with no text layer: what an office scanner gives, minus the picture."""
    from pypdf import PdfWriter

    out = Path(out)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        writer.write(fh)
    return out


def make_all(out_dir: str | Path, *, pdf: bool = True) -> dict[str, Path]:
    out_dir = Path(out_dir)
    made = {
        "004": make_004_docx(out_dir / "yuhang_2018.docx"),
        "000": make_000_docx(out_dir / "hangzhou_2021_part.docx"),
        "003": make_003_docx(out_dir / "huzhou_2021.docx"),
        "scanned": make_scanned_pdf(out_dir / "scanned.pdf"),
    }
    if pdf:
        made["004_pdf"] = make_pdf(made["004"], out_dir)
    return made


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/make_docx_fixtures.py OUT_DIR")
    for name, path in make_all(sys.argv[1]).items():
        print(f"{name}: {path}")
