"""Decompositions received as PDF files.

Tables: pdfplumber finds each table from its ruling lines, so a cell is the area between the lines — text
that wraps inside a narrow cell is joined back (a line that reaches the cell's right edge continues on the
next one; a shorter line ends there), and unit boundaries come from 、/，, never from line ends. A cell
merged down gives its text to every row it spans. Tables continued on later pages are read as one
(pdf_ruled.py). Without ruling lines (a table typeset with spaces), the table is rebuilt from the position of every piece
of text under the header's columns (pypdf); any other text goes to the text layouts. A PDF without a text
layer (a scan) is an error that says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError
from ..core.models import Register
from .cell_lines import ROLE_LEADER, ROLE_NO, ROLE_TEXT, ROLE_UNITS, cell_key, column_role, join_cell, unpad
from .fields import LABEL_LINE
from .names import ends_like_unit
from .pdf_ruled import plumber_rows
from .reasons import reason
from .text import BLANKS as _BLANKS, clean as _clean


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
                raise InputError("PDF 已加密，无法读取文字；请提供未加密的文件", file=str(path)) from None
        _ = len(reader.pages)
        return reader
    except PdfReadError as exc:
        raise InputError(f"无法打开 PDF 文件: {reason(exc)}", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"无法读取文件: {exc.strerror or exc}", file=str(path)) from None


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
    header_key = [cell_key(n) for n in names]

    def column_of(x: float) -> int:
        for k in range(len(xs)):
            if bounds[k] <= x < bounds[k + 1]:
                return k
        return len(xs) - 1

    rows: list[list[str | None]] = [names]
    current: list[list[str]] | None = None
    for line in lines[header_at + 1:]:
        if [cell_key(p.text) for p in line] == header_key:
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
    from . import best

    attempts, _notes, text = _pdf_attempts(path, layout)
    chosen = best(attempts)
    if chosen is not None:
        return chosen.register
    from . import parse_text

    return parse_text(text, str(path), "auto" if layout == "table" else layout)  # raises with the summary


_STARTS_ITEM = re.compile(r"^\s*(\d{1,3}\s*[.．、]|[（(]\s*[一二三四五六七八九十百零\d]+\s*[)）]|[一二三四五六七八九十百]+\s*、|"
                          r"[\u2460-\u2473]|附件|[【\[]?\s*(责任|牵头|配合|协办|分管)(单位|领导|部门)\s*[:：])")


def unwrap_lines(text: str) -> str:
    """Paragraphs from a PDF's printed lines: a line as wide as the page's full lines wrapped, and is
    joined with the next — unless it ends a sentence and the next starts a numbered item or a label."""
    lines = [x.rstrip() for x in text.split("\n")]
    widths = [_width(x, 1.0) for x in lines]
    filled = sorted(w for w in widths if w > 0)
    if len(filled) < 3:
        return text
    full = filled[int(len(filled) * 0.9)]
    out: list[str] = []
    buf = ""
    for k, (line, w) in enumerate(zip(lines, widths)):
        buf += line.strip()
        nxt = lines[k + 1] if k + 1 < len(lines) else ""
        inside = sum(buf.count(c) for c in "（(【[") > sum(buf.count(c) for c in "）)】]")
        complete = line.rstrip().endswith(("。", "）", ")", "】", "]")) or ends_like_unit(line)
        ends = not inside and (complete and bool(_STARTS_ITEM.match(nxt)) or bool(LABEL_LINE.match(nxt)))
        if w < full * 0.92 or ends or not nxt.strip():
            out.append(buf)
            buf = ""
    if buf:
        out.append(buf)
    return "\n".join(out)


def _pdf_attempts(path: Path, layout: str = "auto"):
    from . import TEXT_LAYOUTS, text_attempts
    from .explain import attempt
    from .table import parse_rows

    reader = _pdf_reader(path)
    text = pdf_text(reader)
    if not text.strip(_BLANKS + "\n"):
        raise InputError("PDF 没有文字层(可能是扫描件)，无法读取任务；请提供 Word 原件或可复制文字的 PDF",
                           file=str(path))
    attempts = []
    if layout in ("auto", "table"):
        def ruled():
            return parse_rows(plumber_rows(path), str(path), layout="pdf-table")

        def positioned():
            rows = pdf_table_rows(pdf_pieces(reader))
            if rows is None:
                from ..core.errors import NotADecomposition
                raise NotADecomposition("没有按列排版的表格", file=str(path))
            return parse_rows(rows, str(path), layout="pdf-table")

        attempts += [attempt("pdf-table", ruled), attempt("pdf-columns", positioned)]
    if layout != "table":
        layouts = TEXT_LAYOUTS if layout == "auto" else (layout,)
        # the printed lines joined back into paragraphs first (on a tie the earlier wins), then as printed
        attempts += text_attempts(unwrap_lines(text), str(path), layouts)
        attempts += text_attempts(text, str(path), layouts)
    return attempts, [], text


def explain_pdf(path: Path):
    attempts, notes, _text = _pdf_attempts(path)
    return attempts, notes


def _register() -> None:
    from . import register_reader

    register_reader((".pdf",), read_pdf, explain_pdf)


_register()
