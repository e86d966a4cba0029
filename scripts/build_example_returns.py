"""Rebuild the bundled example's returns (workbooks/example/returns/) from compilation 002.

Reads the Hangzhou 2021 Q3 compilation, matches it to the example register, and writes one filled
template per unit that reports in it (xltasks.issuing.example.build_returns). Prints what it wrote and the
check that matters: `collect` over the returns finds no 错误.

    python scripts/build_example_returns.py [--out DIR] [--templates DIR]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "workbooks" / "example"
REGISTER = EXAMPLE / "register.json"
COMPILATION = EXAMPLE / "source" / "hangzhou_2021_q3_compilation.txt"
PERIOD = "2021Q3"


def main(argv: list[str] | None = None) -> int:
    from xltasks.compiling.matching import match_to_register
    from xltasks.compiling.reader import read_compilation
    from xltasks.compiling.to_progress import to_progress
    from xltasks.issuing.example import build_returns, check_returns, plan_returns
    from xltasks.core.register_io import load_register

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(EXAMPLE / "returns"), help="folder for the returns (rebuilt)")
    ap.add_argument("--templates", default=None, help="also keep the templates used, in this folder")
    args = ap.parse_args(argv)

    register = load_register(REGISTER)
    doc = read_compilation(COMPILATION)
    match = match_to_register(doc, register)
    progress = to_progress(doc, match, period=PERIOD)
    plan = plan_returns(register, progress)
    paths = build_returns(register, progress, args.out, period=PERIOD, templates_dir=args.templates, clean=True)
    print(f"汇编 {COMPILATION.name}: 任务 {len(doc.tasks)} 项，指标行 {len(progress.rows)} 行")
    print(f"已写出 {len(paths)} 个单位的报回文件（共 {plan.n_rows} 行）: {args.out}")
    for tid, (name, unit) in plan.remapped.items():
        print(f"  任务 {tid}: 汇编列“{name}”，由台账单位“{unit}”报送")
    if plan.skipped_tasks:
        print(f"  台账中没有的任务（未写入）: {'、'.join(plan.skipped_tasks)}")

    return check_returns([args.out], register, PERIOD)


if __name__ == "__main__":
    sys.exit(main())
