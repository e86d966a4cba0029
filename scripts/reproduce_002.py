"""Reproduce seed 002's completion rates from its own data, through our arithmetic (rates.py).

Reads 002 (the Hangzhou 2021 Q3 compilation), matches its tasks to the register of seed 000, turns it
into progress rows (to_progress) and recomputes every task rate. Prints how many tasks were read
(completely), how many of our task rates agree with 002's printed task rate within ±1 percentage
point, and each disagreement with its reason.

    python scripts/reproduce_002.py [COMPILATION] [--register DECOMPOSITION_OR_REGISTER]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xltasks.compiling.matching import match_to_register  # noqa: E402
from xltasks.compiling.reader import read_compilation  # noqa: E402
from xltasks.compiling.reproduce import reproduce  # noqa: E402

SOURCE = ROOT / "workbooks" / "example" / "source"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("compilation", nargs="?", default=str(SOURCE / "hangzhou_2021_q3_compilation.txt"))
    ap.add_argument("--register", default=str(SOURCE / "hangzhou_2021_decomposition.txt"),
                    help="register (.xlsx/.json) or decomposition document; 'none' to skip matching")
    args = ap.parse_args(argv)

    doc = read_compilation(args.compilation)
    register = None
    if args.register and args.register.lower() != "none":
        from xltasks.importers import register_or_import

        register = register_or_import(args.register)
    match = match_to_register(doc, register)
    rep = reproduce(doc, match)

    print(f"汇编: {args.compilation}")
    print(f"读取任务 {rep.tasks_read} 项，完整读取 {rep.tasks_complete} 项")
    if register is not None:
        print(f"与任务台账匹配 {len(match.task_ids)} 项，未能匹配 {len(match.unmatched)} 项")
        for i in match.unmatched:
            t = doc.tasks[i]
            print(f"  未匹配: 第{t.line}行 {t.section_no}.{t.no} {t.text[:40]}")
    n = len(rep.compared)
    print(f"完成率一致（±1个百分点）: {rep.agreeing}/{n} = {rep.agreeing / n:.1%}")
    print(f"完全一致（两位小数的百分数）: {rep.exact}/{n}")
    print(f"汇编自身：任务完成率等于其所印细化项目完成率平均（±1个百分点）: {rep.agreeing_from_printed_items}/{n}")
    complete = [c for c in rep.compared if c.complete]
    print(f"  其中完整读取的任务: {sum(c.agrees for c in complete)}/{len(complete)}")
    print(f"不一致 {len(rep.disagreements)} 项:")
    by_reason: dict[str, int] = {}
    for c in rep.disagreements:
        for r in c.reasons:
            by_reason[r] = by_reason.get(r, 0) + 1
        ours = "—" if c.ours is None else f"{c.ours * 100:.2f}%"
        printed = "—" if c.printed is None else f"{c.printed * 100:.2f}%"
        print(f"- {c.task_id}（汇编第{c.line}行，{c.section_no}.{c.no}）汇编 {printed}，本工具 {ours}："
              f"{'；'.join(c.reasons)}")
        for d in c.details:
            print(f"    {d}")
    print("原因统计:")
    for r, k in sorted(by_reason.items(), key=lambda x: -x[1]):
        print(f"  {r}: {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
