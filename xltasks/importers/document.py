"""Decompositions received as Word (.docx) or PDF files.

Word: every table of the document is read from its XML, so merged cells come out right — a cell merged
down (vMerge) gives its value to every row it spans, a cell merged across (gridSpan) fills its first grid
column and leaves the others empty (a section or leader-group row then looks like a one-cell row).
Lines inside a cell (paragraphs or soft breaks) are kept apart until the column is known: unit and leader
cells become "、"-separated lists, a line starting with "(" continuing the unit before it (004's
余杭经济技术开发区 / (钱江经济开发区)); other cells are joined back into one text. Tables continued in
another part of the document with their header repeated are read as one table. The rows go to
`table.parse_rows`. A document without such a table (003's paragraph style) is read from its paragraphs
by the text layouts.

PDF: the text layer (pypdf). A table page is rebuilt into rows from the position of every piece of text
under the header's columns and handed to `parse_rows`; any other text goes to the text layouts. A PDF
without a text layer (a scan) is an error that says so.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import NotADecomposition, XltasksError
from .reasons import reason
from ..core.models import Register, Warning_
from ..core.units import squash
from . import table
from .text import BLANKS as _BLANKS, clean as _clean

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


_OPEN = "(（"

# Column roles, recognised from the header cell by table's header words; a 配合单位 column is read like a
# unit column (its cell lines become a "、" list).
ROLE_NO = "no"
ROLE_TEXT = "text"
ROLE_LEADER = "leader"
ROLE_UNITS = "units"
ROLE_OTHER = "other"


def column_role(header: str | None) -> str:
    role = table.column_role(_squash(header))
    return ROLE_UNITS if role == "support" else (role or ROLE_OTHER)


def header_roles(row: list[str | None]) -> list[str] | None:
    """Roles of the columns if `row` is a header row (a task column and a unit column at least)."""
    roles = [column_role(c) for c in row]
    if ROLE_TEXT in roles and ROLE_UNITS in roles:
        return roles
    return None


def _squash(s: str | None) -> str:
    # squash, and the zero-width space / BOM Word leaves at a cell's ends (not whitespace to a regex) go too
    return squash(s).strip(_BLANKS)


_CJK = r"\u3400-\u9fff"
_PADDED = re.compile(rf"^[{_CJK}](?:[{_BLANKS}]*[{_CJK}])+$")


def unpad(line: str) -> str:
    """Letter-spaced short words ("沈　昱", "序　号") lose their padding; anything else is kept as is."""
    s = _clean(line)
    if len(s) <= 24 and _PADDED.match(s) and len(re.sub(f"[{_BLANKS}]", "", s)) <= 8:
        return re.sub(f"[{_BLANKS}]", "", s)
    return s


def unit_lines(lines: list[str]) -> list[str]:
    """Cell lines of a unit or leader list, padding removed; a line that leaves a "(" open is joined
    with the next (a name wrapped by the column width in a PDF). The "(钱江经济开发区)" continuation
    line is left to units.parse_cell_lines, which also keeps the lines as the printed form."""
    out: list[str] = []
    for line in (unpad(x) for x in lines):
        if not line:
            continue
        if out and _unclosed(out[-1]):
            out[-1] += line
        else:
            out.append(line)
    return out


def _unclosed(s: str) -> bool:
    return sum(s.count(c) for c in _OPEN) > sum(s.count(c) for c in ")）")


def join_cell(lines: list[str], role: str) -> str:
    """A cell's lines as parse_rows expects them: lists keep one item a line, texts are joined back."""
    if role in (ROLE_UNITS, ROLE_LEADER):
        return "\n".join(unit_lines(lines))
    text = "".join(p for p in (_clean(x) for x in lines) if p)
    return unpad(text) if role in (ROLE_NO, ROLE_OTHER) else text


# ---------------------------------------------------------------------------------------------
# Word XML → grids of cell lines



@dataclass
class DocTable:
    index: int  # 1-based position among the document's tables
    rows: list[list[list[str] | None]]
    width: int


@dataclass
class DocBody:
    """A document's body in order: paragraphs (str) and tables (DocTable)."""

    blocks: list[object] = field(default_factory=list)

    @property
    def tables(self) -> list[DocTable]:
        return [b for b in self.blocks if isinstance(b, DocTable)]

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]


def _para_text(p) -> str:
    from docx.text.paragraph import Paragraph

    return Paragraph(p, None).text  # maps <w:br/> to "\n" and <w:tab/> to "\t"


def _cell_lines(tc) -> list[str]:
    lines: list[str] = []
    for child in tc.iter(_w("p")):
        # nested tables' paragraphs come through iter() too: a nested table is rare and its text is
        # better kept in the cell than lost
        lines.extend(_para_text(child).split("\n"))
    return [x for x in lines]


def _int_attr(el, tag: str, default: int = 0) -> int:
    if el is None:
        return default
    sub = el.find(_w(tag))
    if sub is None:
        return default
    try:
        return int(sub.get(_w("val"), default))
    except ValueError:
        return default


def read_table_xml(tbl, index: int) -> DocTable:
    """A w:tbl as a grid: horizontal merges leave None after the first column, vertical merges repeat."""
    rows: list[list[list[str] | None]] = []
    above: dict[int, list[str] | None] = {}  # value of the cell that a vMerge continues, per grid column
    for tr in tbl.findall(_w("tr")):
        tr_pr = tr.find(_w("trPr"))
        col = _int_attr(tr_pr, "gridBefore")
        row: list[list[str] | None] = [None] * col
        for tc in tr.findall(_w("tc")):
            tc_pr = tc.find(_w("tcPr"))
            span = max(1, _int_attr(tc_pr, "gridSpan", 1))
            vmerge = tc_pr.find(_w("vMerge")) if tc_pr is not None else None
            if vmerge is not None and vmerge.get(_w("val"), "continue") == "continue":
                value = above.get(col)
                value = list(value) if value is not None else []
            else:
                value = _cell_lines(tc)
            row.append(value)
            row.extend([None] * (span - 1))
            for k in range(col, col + span):
                above[k] = value if k == col else None
            col += span
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        r.extend([None] * (width - len(r)))
    return DocTable(index=index, rows=rows, width=width)


def read_body(path: str | Path) -> DocBody:
    """Paragraphs and tables of a .docx in document order (text boxes and headers are not read)."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise XltasksError(f"无法打开 Word 文档(.docx): {reason(exc)}", file=str(path)) from None
    except OSError as exc:
        raise XltasksError(f"无法读取文件: {exc.strerror or exc}", file=str(path)) from None
    body = DocBody()
    n_tables = 0
    for el in doc.element.body.iterchildren():
        if el.tag == _w("p"):
            body.blocks.append(_para_text(el))
        elif el.tag == _w("tbl"):
            n_tables += 1
            body.blocks.append(read_table_xml(el, n_tables))
        elif el.tag == _w("sdt"):  # content controls wrap ordinary paragraphs
            for p in el.iter(_w("p")):
                body.blocks.append(_para_text(p))
    return body


# ---------------------------------------------------------------------------------------------
# Grids → the rows parse_rows expects

@dataclass
class TableRows:
    rows: list[list[str | None]]
    header_rows: int = 0  # how many header rows were read (the repeats are dropped)
    tables: list[int] = field(default_factory=list)  # which document tables went in
    skipped: list[str] = field(default_factory=list)  # why other tables were not used


def _flat_row(row: list[list[str] | None], roles: list[str] | None) -> list[str | None]:
    out: list[str | None] = []
    filled = [c for c in row if c is not None]
    spanning = len(filled) == 1 and row[0] is not None and len(row) > 1
    for k, cell in enumerate(row):
        if cell is None:
            out.append(None)
            continue
        role = roles[k] if (roles and k < len(roles) and not spanning) else ROLE_OTHER
        out.append(join_cell(cell, role) if role != ROLE_OTHER else join_cell(cell, ROLE_TEXT))
    return out


def _header_of(table: DocTable, limit: int = 6) -> tuple[int, list[str]] | None:
    for i, row in enumerate(table.rows[:limit]):
        flat = [unpad("".join(c)) if c is not None else None for c in row]
        roles = header_roles(flat)
        if roles:
            return i, roles
    return None


def tables_to_rows(body: DocBody) -> TableRows | None:
    """All decomposition tables of a document as one grid with one header row.

    A table whose header matches the first one continues it (its repeated header is dropped); a table
    without a header and of the same width continues it too (split by hand without repeating the
    header). Paragraphs between the parts that look like headings (一、… / (一)… / 附件N) become
    one-cell rows, so a section title written above each table part is not lost.
    """
    result: TableRows | None = None
    key: list[str] | None = None
    width = 0
    pending: list[str] = []
    for block in body.blocks:
        if isinstance(block, str):
            pending.extend(x for x in (_clean(line) for line in block.split("\n")) if x)
            continue
        table: DocTable = block
        found = _header_of(table)
        if found is not None:
            h, roles = found
            this_key = [_squash("".join(c)) if c is not None else "" for c in table.rows[h]]
            if result is None:
                header = [unpad("".join(c)) if c is not None else None for c in table.rows[h]]
                result = TableRows(rows=[header], header_rows=1)
                key, width, current_roles = this_key, table.width, roles
            elif this_key != key:
                result.skipped.append(f"第{table.index}个表格的表头与第一个表格不同，未读取")
                continue
            else:
                result.header_rows += 1
            rows = table.rows[h + 1:]
        elif result is not None and table.width == width:
            rows = table.rows
        else:
            if result is not None:
                result.skipped.append(f"第{table.index}个表格没有可识别的表头(序号/任务/单位)，未读取")
            continue
        first = result.tables == []
        # Before the first table only the heading right above it counts (the notice's text is no task).
        for line in (pending[-3:] if first else pending):
            if _HEADING.match(line):
                result.rows.append([line] + [None] * (width - 1))
            elif not first:
                result.skipped.append(f"表格之间的段落未读取: {line[:60]}")
        pending = []
        result.tables.append(table.index)
        for row in rows:
            row = (row + [None] * width)[:width]
            if all(c is None or not "".join(c).strip(_BLANKS) for c in row):
                continue
            result.rows.append(_flat_row(row, current_roles))
    if result is not None:
        result.skipped.extend(f"表格之后的段落未读取: {line[:60]}" for line in pending)
    return result


_HEADING = re.compile(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|附件\s*\d)")


def body_text(body: DocBody) -> str:
    return "\n".join(body.paragraphs)


# ---------------------------------------------------------------------------------------------
# Public API

def read_docx(path: str | Path, layout: str = "auto") -> Register:
    """Read a decomposition from a Word .docx: its tables, or else its paragraphs (003 style)."""
    path = Path(path)
    body = read_body(path)
    table_rows = tables_to_rows(body) if layout in ("auto", "table") else None
    if table_rows is not None and len(table_rows.rows) > 1:
        from .table import parse_rows

        reg = parse_rows(table_rows.rows, str(path), layout="docx-table")
        reg.warnings.extend(Warning_(message=m, source=str(path)) for m in table_rows.skipped)
        return reg
    text = body_text(body)
    if not text.strip(_BLANKS + "\n"):
        raise NotADecomposition("Word 文档中没有文字，也没有表格，不是责任分解文件", file=str(path))
    from . import parse_text

    return parse_text(text, str(path), "auto" if layout == "table" else layout)


# ---------------------------------------------------------------------------------------------
# PDF

@dataclass
class _Piece:
    page: int
    x: float
    y: float  # top-down: larger is lower on the page
    text: str
    size: float = 10.5  # font size on the page (pt)


def _pdf_reader(path: Path):
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs its own warnings ("EOF marker not found") to stderr: the user gets one Error: line instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001 - any failure means we cannot read it
                raise XltasksError("PDF 已加密，无法读取文字；请提供未加密的文件", file=str(path)) from None
        _ = len(reader.pages)
        return reader
    except PdfReadError as exc:
        raise XltasksError(f"无法打开 PDF 文件: {reason(exc)}", file=str(path)) from None
    except OSError as exc:
        raise XltasksError(f"无法读取文件: {exc.strerror or exc}", file=str(path)) from None


def pdf_pieces(reader) -> list[_Piece]:
    """Every run of text with its position (page, x, y from the top)."""
    pieces: list[_Piece] = []
    for pno, page in enumerate(reader.pages):
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font_dict, font_size, _p=pno, _h=height):
            if not text or not text.strip(_BLANKS + "\n"):
                return
            # position = text matrix transformed by the current matrix
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            size = abs(font_size * tm[0] * cm[0]) or 10.5
            for k, part in enumerate(text.split("\n")):
                if part.strip(_BLANKS):
                    pieces.append(_Piece(_p, x, _h - y, part, size))

        page.extract_text(visitor_text=visit)
    return pieces


def pdf_text(reader) -> str:
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def _lines_of(pieces: list[_Piece], tol: float = 2.0) -> list[list[_Piece]]:
    """Pieces grouped into printed lines (same page, same baseline), top to bottom, left to right."""
    pieces = sorted(pieces, key=lambda p: (p.page, p.y, p.x))
    lines: list[list[_Piece]] = []
    for p in pieces:
        if lines and lines[-1][0].page == p.page and abs(lines[-1][0].y - p.y) <= tol:
            lines[-1].append(p)
        else:
            lines.append([p])
    for i, line in enumerate(lines):
        lines[i] = _place_floating(sorted(line, key=lambda p: p.x))
    return lines


def _width(text: str, size: float) -> float:
    import unicodedata

    return sum(size if unicodedata.east_asian_width(c) in "WF" else size / 2 for c in text)


_FLOATING = re.compile(r"^\S+(\s+\S+)+$")


def _place_floating(line: list[_Piece]) -> list[_Piece]:
    """Put back glyphs that a PDF writer printed in one text run far apart.

    LibreOffice prints a pair of Western quotes around CJK text as one run “ ” with a large kerning
    gap; a text extractor reports the run at the first quote, the closing one is then out of place.
    Each later glyph of such a run goes into the first gap in the line after the glyph before it.
    """
    floating = [p for p in line if _FLOATING.match(p.text) and all(not c.isalnum() for c in p.text.split())]
    if not floating:
        return line
    fixed = [p for p in line if p not in floating]
    fixed = [_Piece(p.page, p.x, p.y, p.text.strip(" "), p.size) for p in fixed]
    out = list(fixed)
    for q in floating:
        tokens = q.text.split()
        x = q.x
        out.append(_Piece(q.page, x, q.y, tokens[0], q.size))
        x += _width(tokens[0], q.size)
        for tok in tokens[1:]:
            placed = False
            for a, b in zip(fixed, fixed[1:]):
                end = a.x + _width(a.text, a.size)
                if b.x > x and b.x - end > _width(tok, q.size) * 0.6 and end >= x - 1:
                    out.append(_Piece(q.page, end, q.y, tok, q.size))
                    x = end + _width(tok, q.size)
                    placed = True
                    break
            if not placed:
                out.append(_Piece(q.page, x, q.y, tok, q.size))
    return sorted(out, key=lambda p: p.x)


def pdf_table_rows(pieces: list[_Piece]) -> list[list[str | None]] | None:
    """Rebuild a table from positions: columns from the header line, rows from the 序号 column.

    A printed cell wraps onto several lines; a new row starts where a number appears in the 序号
    column. Lines above the first header are ignored (title, addressees); a repeated header on a
    later page is skipped.
    """
    lines = _lines_of(pieces)
    header_at = None
    for i, line in enumerate(lines):
        words = [unpad(p.text) for p in line]
        roles = [column_role(w) for w in words]
        if ROLE_NO in roles and ROLE_TEXT in roles and ROLE_UNITS in roles:
            header_at, header_line, header_roles_ = i, line, roles
            break
    if header_at is None:
        return None
    xs = [p.x for p in header_line]
    names = ["".join(unpad(p.text)) for p in header_line]
    lefts = _column_lefts(lines[header_at + 1:], xs)
    bounds = [-1e9] + lefts[1:] + [1e9]
    header_key = [_squash(n) for n in names]

    def column_of(x: float) -> int:
        for k in range(len(xs)):
            if bounds[k] <= x < bounds[k + 1]:
                return k
        return len(xs) - 1

    rows: list[list[str | None]] = [names]
    current: list[list[str]] | None = None
    for line in lines[header_at + 1:]:
        if [_squash(p.text) for p in line] == header_key:
            continue  # header repeated on a new page
        cells: list[list[str]] = [[] for _ in xs]
        for p in line:
            cells[column_of(p.x)].append(p.text)
        no_text = _clean("".join(cells[0]))
        starts = bool(re.match(r"^\d+\*?$", no_text))
        if starts:
            if current is not None:
                rows.append(_pdf_row(current, header_roles_))
            current = [[] for _ in xs]
        if current is None:
            continue
        for k, parts in enumerate(cells):
            if parts:
                current[k].append("".join(parts))
    if current is not None:
        rows.append(_pdf_row(current, header_roles_))
    # A leader cell merged down prints its names once, in the first row it spans.
    for k, role in enumerate(header_roles_):
        if role == ROLE_LEADER:
            for r in range(2, len(rows)):
                if not rows[r][k]:
                    rows[r][k] = rows[r - 1][k]
    return rows if len(rows) > 1 else None


def _column_lefts(lines: list[list[_Piece]], xs: list[float]) -> list[float]:
    """Left edge of each column: the x where most printed lines of its cells start.

    Headers are often centred in their cells, so a header's x is not its column's edge; left-aligned
    cell text starts at the same x on every line, which makes the edge the most frequent start in
    the gap before the header. Without such an x (centred cells) the midpoint between headers is used.
    """
    from collections import Counter

    starts = Counter(round(p.x, 1) for line in lines for p in line)
    lefts = [xs[0]]
    for k in range(1, len(xs)):
        lo = xs[k - 1] + 1.0
        cands = [(n, x) for x, n in starts.items() if lo < x <= xs[k] + 0.5 and n >= 3]
        if cands:
            lefts.append(max(cands)[1] - 1.0)
        else:
            lefts.append((xs[k - 1] + xs[k]) / 2)
    return lefts


def _pdf_row(cells: list[list[str]], roles: list[str]) -> list[str | None]:
    # In a PDF a wrapped line and a new line inside the cell look the same: units and leaders are
    # split on the line ends, which is what Word's narrow unit columns print anyway.
    return [join_cell(lines, role) if lines else None for lines, role in zip(cells, roles)]


def read_pdf(path: str | Path, layout: str = "auto") -> Register:
    """Read a decomposition from a PDF's text layer (a scan without text is an error)."""
    path = Path(path)
    reader = _pdf_reader(path)
    text = pdf_text(reader)
    if not text.strip(_BLANKS + "\n"):
        raise XltasksError("PDF 没有文字层(可能是扫描件)，无法读取任务；请提供 Word 原件或可复制文字的 PDF",
                           file=str(path))
    if layout in ("auto", "table"):
        rows = pdf_table_rows(pdf_pieces(reader))
        if rows is not None:
            from .table import parse_rows

            return parse_rows(rows, str(path), layout="pdf-table")
    from . import parse_text

    return parse_text(text, str(path), "auto" if layout == "table" else layout)


def _register() -> None:
    """Make `import_paths` read .docx and .pdf (called when the importers package imports this module)."""
    from . import register_reader

    register_reader((".docx",), read_docx)
    register_reader((".pdf",), read_pdf)


_register()
