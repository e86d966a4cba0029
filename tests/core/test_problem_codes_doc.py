"""The documented taxonomy is the code table: docs/problem-codes.md must list exactly the codes in use."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from xltasks.core.problems import CODES, STRUCTURAL_ORDER

ROOT = Path(__file__).resolve().parents[2]


def test_doc_is_generated_from_the_current_table():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "problem_codes.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_every_structural_code_is_defined_and_every_code_is_used():
    assert set(STRUCTURAL_ORDER) <= set(CODES)
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "xltasks").rglob("*.py")
                        if p.name != "problems.py")
    unused = [code for code in CODES if not re.search(rf'["\']{re.escape(code)}["\']', sources)]
    assert unused == []
