"""PDF tables from their ruling lines (pdfplumber): a cell is the area between the lines, text that wraps
inside a narrow cell is joined back (a line reaching the cell's right edge continues on the next one, a
shorter line ends there, judged by word-breaking room and by where a unit or a person's name ends), a cell
merged down gives its text to every row it spans, and a table continued on later pages is read as one."""
from __future__ import annotations

import re
from pathlib import Path

from .cell_lines import ROLE_LEADER, ROLE_NO, ROLE_TEXT, cell_key, column_role, header_roles, join_cell, unpad
from .fields import LABEL_LINE
from .header import UNIT_ROLES, find_header, two_row_labels
from .names import ends_like_unit, looks_like_person


def _cell_text(page, bbox) -> str:
    """A cell's text; a line reaching the cell's right edge wraps on (joined without a break), a shorter
    line ends there ("\n"), so wrapped names are whole and one-unit-a-line cells stay apart."""
    x0, top, x1, bottom = bbox
    chars = [c for c in page.chars if x0 - 0.5 <= (c["x0"] + c["x1"]) / 2 <= x1 + 0.5
             and top - 0.5 <= (c["top"] + c["bottom"]) / 2 <= bottom + 0.5]
    if not chars:
        return ""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(lines[-1][0]["top"] - ch["top"]) <= ch["size"] * 0.4:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    texts = ["".join(c["text"] for c in sorted(line, key=lambda c: c["x0"])).strip() for line in lines]
    listed = any(sep in "".join(texts) for sep in "、，,；;")
    out = ""
    for k, line in enumerate(lines):
        text = texts[k]
        out += text
        if k + 1 < len(lines):
            pad = min(c["x0"] for c in line) - x0  # the cell's inner margin, the same on the right
            room = x1 - pad - max(c["x1"] for c in line)
            nxt = min(lines[k + 1], key=lambda c: c["x0"])
            width = nxt["x1"] - nxt["x0"]
            if LABEL_LINE.match(texts[k + 1]):
                out += "\n"  # "省牵头单位：…" starts its own line
            else:
                # Chinese line breaking goes by words, so a wrapped line may end several characters short of
                # the edge: a line wrapped unless it ends a unit (or a person's name) where the author broke
                # it; one that ends like a unit wrapped only when it is full and only a name's tail follows
                tail = re.split("[、，,；;]", text)[-1]
                if listed and not tail:
                    out += ""  # it ends with 、: the next unit follows
                elif not (looks_like_person(tail) or ends_like_unit(tail)):
                    out += "" if room < 5 * width else "\n"
                elif listed:
                    out += "" if room < 2.2 * width else "\n"  # a full line in a 、-list: a wrap
                else:
                    out += "" if room < 2.2 * width and len(texts[k + 1]) <= 2 else "\n"
    return out


def plumber_rows(path: Path) -> list[list[str | None]]:
    """Every ruled table of the PDF as one grid (a table continued on the next page continues the grid);
    a cell merged down repeats its text in every row it spans, one merged across stays in its first column."""
    import pdfplumber

    grids: list[list[list[str | None]]] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            grids += [g for g in (_table_grid(page, t) for t in page.find_tables()) if g]
    if not grids:
        return []
    rows = grids[0]
    found = find_header([[c or "" for c in r] for r in rows])
    if found is None:
        return rows
    h, n_header, _roles, labels = found
    header_keys = [[cell_key(c) for c in r] for r in rows[h:h + n_header]]
    roles = [column_role(x) for x in labels]
    for grid in grids[1:]:
        k = 0
        while k < len(grid) and [cell_key(c) for c in grid[k]] in header_keys:
            k += 1  # the header repeated on a new page
        body = grid[k:]
        if body and len(body[0]) == len(rows[-1]):
            _continue_row(rows[-1], body, roles)
            _carry_down(rows[-1], body, roles)
        rows.extend(body)
    return _join_cells(rows)


def _carry_down(last: list[str | None], body: list[list[str | None]], roles: list[str | None]) -> None:
    """A leader or section cell merged down over a page break prints its text on the first page only: the
    new page's first task row gets it back."""
    if not body:
        return
    for c, role in enumerate(roles):
        if role in (ROLE_LEADER, "section") and c < len(body[0]) and not (body[0][c] or "").strip():
            body[0][c] = last[c]


def _continue_row(last: list[str | None], body: list[list[str | None]], roles: list[str | None]) -> None:
    """A row split by a page break: the new page's first row has no 序号 and continues the last row of the
    page before; its cells are joined back onto that row."""
    if ROLE_NO not in roles:
        return
    no = roles.index(ROLE_NO)
    first = body[0]
    if (first[no] or "").strip() or not (last[no] or "").strip() or not any(first):
        return
    for c, value in enumerate(first):
        if value:
            prev = last[c] or ""
            tail = prev.split("\n")[-1]
            separated = any(sep in prev + value for sep in "、，,；;")
            ended = (roles[c] in (*UNIT_ROLES, ROLE_LEADER) and not separated and len(value.split("\n")[0]) > 2
                     and (ends_like_unit(tail) or looks_like_person(tail)))
            last[c] = prev + ("\n" if ended else "") + value
    del body[0]


def _join_cells(rows: list[list[str | None]]) -> list[list[str | None]]:
    """Each cell's lines as parse_rows expects them for its column (letter-spacing removed, lists one item a
    line, texts joined back); the columns come from the header (over two rows where it takes two)."""
    for h, row in enumerate(rows[:8]):
        flat = [unpad(c or "") for c in row]
        if header_roles(flat):
            labels = flat
            if h + 1 < len(rows):
                labels = two_row_labels(flat, [unpad(c or "") for c in rows[h + 1]]) or flat
            roles = [column_role(x) for x in labels]
            break
    else:
        return rows
    return rows[:h] + [[join_cell(c.split("\n"), roles[k] if k < len(roles) else ROLE_TEXT) if c else c
                        for k, c in enumerate(row)] for row in rows[h:]]


def _table_grid(page, table) -> list[list[str | None]]:
    cells = [c for c in table.cells if c]
    xs = sorted({round(c[0], 1) for c in cells} | {round(c[2], 1) for c in cells})
    ys = sorted({round(c[1], 1) for c in cells} | {round(c[3], 1) for c in cells})
    if len(xs) < 2 or len(ys) < 2:
        return []
    grid: list[list[str | None]] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for c in cells:
        c0, c1 = xs.index(round(c[0], 1)), xs.index(round(c[2], 1))
        r0, r1 = ys.index(round(c[1], 1)), ys.index(round(c[3], 1))
        text = _cell_text(page, c)
        for r in range(r0, max(r1, r0 + 1)):
            grid[r][c0] = text  # merged down: every row it spans; merged across: the first column only
            for k in range(c0 + 1, max(c1, c0 + 1)):
                grid[r][k] = None
    return grid

