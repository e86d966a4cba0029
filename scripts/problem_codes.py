"""Render docs/problem-codes.md from the code table in xltasks/core/problems.py (the one source of truth).

    python scripts/problem_codes.py            # rewrite docs/problem-codes.md
    python scripts/problem_codes.py --check    # exit 1 when the document is out of date
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "problem-codes.md"


def render() -> str:
    from xltasks.core.problems import CODES, STRUCTURAL_ORDER

    lines = [
        "# Problem codes of `xltasks collect`",
        "",
        "Generated from `xltasks/core/problems.py` by `scripts/problem_codes.py`; do not edit by hand.",
        "Every finding about a returned file is a record (unit, file, sheet, A1 cell, level, code, message,",
        "suggestion) in `report.xlsx` (问题清单) and `report.json`. A file with any 错误 is rejected as a whole",
        "(退回修改); 警告 only informs. Structural checks run in the order below and stop a file at the first",
        "failure; value checks then report every cell together.",
        "",
        "| code | level | 名称 | message (template) | suggestion (template) |",
        "|---|---|---|---|---|",
    ]
    order = [c for c in STRUCTURAL_ORDER if c in CODES] + [c for c in CODES if c not in STRUCTURAL_ORDER]
    for key in order:
        c = CODES[key]
        cells = [f"`{c.code}`", c.level, c.title, c.message, c.suggestion]
        lines.append("| " + " | ".join(s.replace("|", "\\|") for s in cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is out of date: run python scripts/problem_codes.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
