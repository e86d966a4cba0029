"""Help text laid out for Chinese: click's wrap_text, made to measure and break CJK text.

click wraps with textwrap, which breaks only at spaces, counts a Chinese character as one column and joins a
paragraph's source lines with a space. Here a paragraph's lines are joined without a space where either side is
CJK, lines are filled to the width in display columns (a CJK character takes two), a line may break between any
two CJK characters or at a space but never inside a Latin word, option or path, and the kinsoku rules hold: no
line starts with closing punctuation (，。）」 …) or ends with opening punctuation (（「 …); the character before
is carried down with it instead. A ［…］ note is kept whole while it fits on a line. A line indented deeper than
its paragraph's first line starts a block kept as written (the examples); click's `\\b` paragraphs are kept as
written too.
"""
from __future__ import annotations

import re
import unicodedata

# Not East Asian Wide, but used as Chinese punctuation: no space is put beside them when lines are joined.
_CHINESE_NARROW_PUNCTUATION = "“”‘’—…·"
CLOSING = "，。、；：！？）」』】》〉〕］｝〗〙〛％‰”’·．,;!?)]}"  # never first on a line
OPENING = "（「『【《〈〔［｛〖〘〚“‘([{"  # never last on a line
_UNSPLIT = "—…"  # —— and …… are one mark
_JOINERS = "./\\_-~"  # glue a Latin run to the CJK beside it: 期次/merged.xlsx, 汇编.xlsx are one name
ELLIPSIS = "……"
NAME_LETTERS = 4
NOTE = "［］"  # the brackets of the help's notes, kept whole while they fit
_ATOM = re.compile(r"\s+|[^\s]")


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK (East Asian Wide and Fullwidth) characters take two."""
    return sum(char_width(ch) for ch in text)


def is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF" or ch in _CHINESE_NARROW_PUNCTUATION


def join_lines(lines: list[str]) -> str:
    """One paragraph from its source lines: no space where a CJK character meets the line break."""
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        text += line if not text or is_cjk(text[-1]) or is_cjk(line[0]) else " " + line
    return text


def _atoms(text: str) -> list[tuple[str, bool]]:
    """(atom, space before it): each CJK character is an atom, each run of other non-space characters one."""
    atoms: list[tuple[str, bool]] = []
    space = False
    for m in _ATOM.finditer(text):
        ch = m[0]
        if ch.isspace():
            space = True
        elif not is_cjk(ch) and atoms and not space and not is_cjk(atoms[-1][0][-1]):
            atoms[-1] = (atoms[-1][0] + ch, atoms[-1][1])
        else:
            atoms.append((ch, space))
            space = False
    return atoms


def _may_break(before: str, after: str, space: bool) -> bool:
    if before[-1] in OPENING or after[0] in CLOSING:
        return False
    if before[-1] in _UNSPLIT and after[0] == before[-1]:
        return False
    return space or (before[-1] not in _JOINERS and after[0] not in _JOINERS)


def _is_cjk_letter(atom: str) -> bool:
    return len(atom) == 1 and is_cjk(atom) and unicodedata.category(atom)[0] in "LN"


def _keep_letters(atoms: list[tuple[str, bool]], breaks: list[bool], boundaries: range) -> None:
    """No break at `boundaries` (walking away from a joiner) while both sides are CJK letters, for up to
    NAME_LETTERS letters."""
    for n, j in enumerate(boundaries, start=1):
        if n >= NAME_LETTERS or atoms[j][1] or not (_is_cjk_letter(atoms[j - 1][0]) and _is_cjk_letter(atoms[j][0])):
            return
        breaks[j] = False


def _pieces(text: str, soft: bool = True) -> list[tuple[str, bool]]:
    """(piece, space before it): the units a line is filled with; a line may break only between two pieces.
    `soft`: also hold together what is kept whole only while it fits on a line (names, ［…］ notes)."""
    atoms = _atoms(text)
    breaks = [True] + [_may_break(a, b, space) for (a, _), (b, space) in zip(atoms, atoms[1:])]
    # A name joined by . / _ - keeps the Chinese letters beside it (期次/汇编.xlsx, 分发清单.xlsx): up to
    # NAME_LETTERS of them, since a Chinese sentence has no space to say where the name starts.
    note_start = None
    for k, (atom, space) in enumerate(atoms if soft else ()):
        if atom[0] in _JOINERS and not space:  # the letters before: boundaries k-1, k-2, …
            _keep_letters(atoms, breaks, range(k - 1, 0, -1))
        if atom[-1] in _JOINERS and k + 1 < len(atoms) and not atoms[k + 1][1]:  # the letters after
            _keep_letters(atoms, breaks, range(k + 2, len(atoms)))
        if atom == NOTE[0]:  # a note: ［默认：今天］, ［工作区内：期次/汇编.xlsx］
            note_start = k
        elif atom == NOTE[1] and note_start is not None:
            breaks[note_start + 1:k + 1] = [False] * (k - note_start)
            note_start = None
    pieces: list[tuple[str, bool]] = []
    for (atom, space), may_break in zip(atoms, breaks):
        if may_break:
            pieces.append((atom, space))
        else:
            pieces[-1] = (pieces[-1][0] + (" " if space else "") + atom, pieces[-1][1])
    return pieces


def _fitting_pieces(text: str, room: int) -> list[tuple[str, bool]]:
    """The pieces of `text`; one wider than `room` is split where only a soft hold keeps it whole."""
    pieces: list[tuple[str, bool]] = []
    for piece, space in _pieces(text):
        parts = _pieces(piece, soft=False) if display_width(piece) > room else [(piece, space)]
        pieces += [(parts[0][0], space), *parts[1:]]
    return pieces


def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """`text` (one paragraph) in lines of at most `width` columns, indents included; a piece wider than a whole
    line (a long path or option) stands on a line of its own."""
    lines: list[str] = []
    line, used = initial_indent, display_width(initial_indent)
    empty = True
    for piece, space in _fitting_pieces(text, width - display_width(subsequent_indent)):
        gap = " " if space and not empty else ""
        needed = display_width(gap + piece)
        if not empty and used + needed > width:
            lines.append(line)
            line, used, empty, gap = subsequent_indent, display_width(subsequent_indent), True, ""
            needed = display_width(piece)
        line += gap + piece
        used += needed
        empty = False
    if not empty:
        lines.append(line)
    return lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _paragraphs(text: str) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _chunks(paragraph: list[str]) -> list[tuple[bool, list[str]]]:
    """(kept as written, lines): a paragraph's flowing text and the deeper-indented blocks within it."""
    base = _indent(paragraph[0])
    chunks: list[tuple[bool, list[str]]] = []
    for line in paragraph:
        kept = _indent(line) > base
        if chunks and chunks[-1][0] == kept:
            chunks[-1][1].append(line)
        else:
            chunks.append((kept, [line]))
    return chunks


def wrap_text(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
              preserve_paragraphs: bool = False) -> str:
    """click.formatting.wrap_text for Chinese text (see the module doc); same arguments, same `\\b` blocks."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return "\n".join(fill(join_lines(text.splitlines()), width, initial_indent, subsequent_indent))
    out: list[str] = []
    for paragraph in _paragraphs(text):
        base = " " * _indent(paragraph[0])
        lines: list[str] = []
        if paragraph[0].strip() == "\b":
            lines = [(subsequent_indent if k else initial_indent) + base + line for k, line in enumerate(paragraph[1:])]
        else:
            for kept, chunk in _chunks(paragraph):
                first = subsequent_indent if lines else initial_indent
                if kept:
                    lines += [(first if not k else subsequent_indent) + line for k, line in enumerate(chunk)]
                else:
                    lines += fill(join_lines(chunk), width, first + base, subsequent_indent + base)
        out.append("\n".join(lines))
    return "\n\n".join(out)


def short_help(text: str, limit: int) -> str:
    """A command's line in the group's list: its first paragraph, cut to `limit` columns with "……"."""
    lines = text.partition("\n\n")[0].splitlines()
    if lines and lines[0].strip() == "\b":
        lines = lines[1:]
    summary = join_lines(lines)
    if display_width(summary) <= limit:
        return summary
    first = fill(summary, max(limit - display_width(ELLIPSIS), 1))[0]
    return first.rstrip("，、；：,;: ") + ELLIPSIS
