"""Build the bundled example's earlier period: 2021Q2 returns (workbooks/example/returns_2021Q2/) from 002's Q3 figures.

002 is a Q3 compilation; the example needs a second, earlier period so that the workspace's trend, roll-over
and 销号 are real. The rule (stated in the README too), applied to every indicator line of 002:

- 越高越好 (higher is better): the Q2 当前值 is the Q3 当前值 × 2/3, rounded to 2 decimals — the work done
  by mid-year at the pace of 序时进度 (50% of the year at Q2 against 75% at Q3);
- 定性 and self-rated lines: the 自评完成率 × 2/3 (rounded to 4 decimals);
- 不超过 (upper bounds) and pending values (待年底核算): as in Q3 (a bound met stays met);
- 细化项目, indicators, targets, 亮点 and 问题: as in Q3; the same 57 units report.

The files are our own 2021Q2 templates filled the way a bureau would (xltasks.issuing.example.build_returns),
named as bureaus name them ("…二季度报送.xlsx"). One unit's return (LATE_UNIT) came after the deadline: it is
kept apart in returns_2021Q2_late/, so the demo can receive it later (逾期报送).

    python scripts/build_example_q2.py [--out DIR]
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "workbooks" / "example"
REGISTER = EXAMPLE / "register.json"
COMPILATION = EXAMPLE / "source" / "hangzhou_2021_q3_compilation.txt"
PERIOD = "2021Q2"
DEADLINE = dt.date(2021, 7, 10)
SHARE = 2 / 3  # Q2's 序时进度 (50%) over Q3's (75%)
LATE_UNIT = "市交通运输局"


def q2_row(row):
    """One indicator line of Q3 → the same line at Q2, by the rule in the module doc."""
    from xltasks.core.models import DIRECTION_HIGHER

    changes = {}
    if row.self_rate is not None:
        changes["self_rate"] = round(row.self_rate * SHARE, 4)
    if row.direction == DIRECTION_HIGHER and row.current is not None and not row.pending:
        changes["current"] = round(row.current * SHARE, 2)
    return dataclasses.replace(row, **changes)


def q2_name(name: str) -> str:
    """A Q3 file name as the bureau would have named its Q2 return."""
    for q3, q2 in (("三季度", "二季度"), ("2021Q3", "2021Q2"), ("（10月", "（7月"), ("202110", "202107")):
        name = name.replace(q3, q2)
    return name


def main(argv: list[str] | None = None) -> int:
    from xltasks.compiling.matching import match_to_register
    from xltasks.compiling.reader import read_compilation
    from xltasks.compiling.to_progress import to_progress
    from xltasks.core.models import Progress
    from xltasks.core.register_io import load_register
    from xltasks.issuing.example import build_returns, check_returns

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(EXAMPLE / "returns_2021Q2"), help="folder for the returns (rebuilt)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    late = out.with_name(out.name + "_late")

    register = load_register(REGISTER)
    doc = read_compilation(COMPILATION)
    q3 = to_progress(doc, match_to_register(doc, register), period="2021Q3")
    q2 = Progress(period=PERIOD, rows=[q2_row(r) for r in q3.rows], reported_units=list(q3.reported_units))
    with tempfile.TemporaryDirectory(prefix="xltasks-q2-") as tmp:
        paths = build_returns(register, q2, tmp, period=PERIOD, deadline=DEADLINE)
        for folder in (out, late):
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.xlsx"):
                old.unlink()
        for p in paths:
            shutil.move(str(p), (late if f"_{LATE_UNIT}_" in p.name else out) / q2_name(p.name))
    print(f"已写出 {len(paths)} 个单位的 2021Q2 报回文件（共 {len(q2.rows)} 行）: {out}；逾期报送的一份: {late}")
    return check_returns([out, late], register, PERIOD)


if __name__ == "__main__":
    sys.exit(main())
