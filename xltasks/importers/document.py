"""Decompositions received as Word (.docx) files (PDF: importers.pdf).

Word: every table of the document is read from its XML, so merged cells come out right — a cell merged
down (vMerge) gives its value to every row it spans, a cell merged across (gridSpan) fills its first grid
column and leaves the others empty (a section or leader-group row then looks like a one-cell row).
Lines inside a cell (paragraphs or soft breaks) are kept apart until the column is known: unit and leader
cells become "、"-separated lists, a line starting with "(" continuing the unit before it (004's
余杭经济技术开发区 / (钱江经济开发区)); other cells are joined back into one text (cell_lines.py, which the PDF
tables use too). Tables continued in
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

from ..core.errors import InputError, NotADecomposition
from .reasons import reason
from ..core.models import Register, Warning_
from .cell_lines import ROLE_OTHER, ROLE_TEXT, cell_key, header_roles, join_cell, unpad
from .header import two_row_labels
from .text import BLANKS as _BLANKS, clean as _clean

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


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
    for child in tc:
        if child.tag == _w("p"):
            lines.extend(_para_text(child).split("\n"))
        elif child.tag == _w("tbl"):
            lines.extend(nested_table_lines(child))
        elif child.tag == _w("sdt"):
            lines.extend(x for p in child.iter(_w("p")) for x in _para_text(p).split("\n"))
    return lines


# The role words a small table inside a units cell uses for its header ("牵头 | 配合") or first column.
_NESTED_ROLES = {"牵头": "牵头单位", "牵头单位": "牵头单位", "主办": "牵头单位", "主办单位": "牵头单位",
                 "责任": "责任单位", "责任单位": "责任单位", "配合": "配合单位", "配合单位": "配合单位",
                 "协办": "配合单位", "协办单位": "配合单位", "参与": "配合单位"}


def nested_table_lines(tbl) -> list[str]:
    """A table inside a cell: a 牵头 | 配合 header (or first column) becomes label lines "牵头单位：A、B",
    so its role words are roles, never units; any other nested table gives its cells' lines."""
    grid = [["、".join(x for x in (_clean(y) for y in _cell_lines(tc)) if x) for tc in tr.findall(_w("tc"))]
            for tr in tbl.findall(_w("tr"))]
    grid = [row for row in grid if any(row)]
    if not grid:
        return []
    head = [cell_key(c) for c in grid[0]]
    if all(h in _NESTED_ROLES for h in head if h) and any(head):
        out = []
        for k, h in enumerate(head):
            values = [row[k] for row in grid[1:] if k < len(row) and row[k]]
            if h and values:
                out.append(f"{_NESTED_ROLES[h]}：{'、'.join(values)}")
        return out
    if all(cell_key(row[0]) in _NESTED_ROLES for row in grid):
        return [f"{_NESTED_ROLES[cell_key(row[0])]}：{'、'.join(c for c in row[1:] if c)}" for row in grid
                if any(row[1:])]
    return [c for row in grid for c in row if c]


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
        raise InputError(f"无法打开 Word 文档(.docx): {reason(exc)}", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"无法读取文件: {exc.strerror or exc}", file=str(path)) from None
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


def _header_of(table: DocTable, limit: int = 6) -> tuple[int, list[str], list[str | None], int] | None:
    """(row, column roles, labels, header rows): a header over two rows (责任单位 merged over 牵头单位 |
    配合单位) is read as one, so the lower row's words name the columns."""
    for i, row in enumerate(table.rows[:limit]):
        flat = [unpad("".join(c)) if c is not None else None for c in row]
        roles = header_roles(flat)
        if roles:
            if i + 1 < len(table.rows):
                sub = [unpad("".join(c)) if c is not None else "" for c in table.rows[i + 1]]
                labels = two_row_labels([x or "" for x in flat], sub)
                if labels is not None and header_roles(labels):
                    return i, header_roles(labels), labels, 2
            return i, roles, flat, 1
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
            h, roles, labels, n_header = found
            this_key = [cell_key(x) for x in labels]
            if result is None:
                result = TableRows(rows=[list(labels)], header_rows=1)
                key, width, current_roles = this_key, table.width, roles
            elif this_key != key:
                result.skipped.append(f"第{table.index}个表格的表头与第一个表格不同，未读取")
                continue
            else:
                result.header_rows += 1
            rows = table.rows[h + n_header:]
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


def explain_docx(path: Path):
    """--explain for a Word file: its tables, then the text layouts on its paragraphs."""
    from . import text_attempts
    from .explain import attempt
    from .table import parse_rows

    body = read_body(path)
    table_rows = tables_to_rows(body)
    notes = list(table_rows.skipped) if table_rows else ["文档中没有带表头(任务/单位)的表格"]

    def tables():
        if table_rows is None or len(table_rows.rows) < 2:
            raise NotADecomposition("没有带表头的表格", file=str(path))
        return parse_rows(table_rows.rows, str(path), layout="docx-table")

    return [attempt("docx-table", tables)] + text_attempts(body_text(body), str(path)), notes


def _register() -> None:
    """Make `import_paths` read .docx and .pdf (called when the importers package imports this module)."""
    from . import register_reader

    register_reader((".docx",), read_docx, explain_docx)


_register()


def read_pdf(path: str | Path, layout: str = "auto") -> Register:
    """Kept here for callers that read both kinds from this module."""
    from .pdf import read_pdf as _read_pdf

    return _read_pdf(path, layout)
