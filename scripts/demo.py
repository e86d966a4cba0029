"""`make demo`: the whole 督查 cycle on the bundled Hangzhou 2021 example.

import (000's decomposition) → templates (one per unit) → the units' returns (workbooks/example/returns/,
filled from the real Q3 compilation 002 through our own templates) → collect → compile, then prints where
every output is. Uses the library exactly as the CLI does.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "workbooks" / "example"
SOURCE = EXAMPLE / "source" / "hangzhou_2021_decomposition.txt"
RETURNS = EXAMPLE / "returns"
PERIOD = "2021Q3"
AS_OF = dt.date(2021, 9, 30)
DEADLINE = dt.date(2021, 10, 10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(EXAMPLE / "out"), help="output folder")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from xltasks.compile import compile_workbook
    from xltasks.importers import import_paths
    from xltasks.merge import collect
    from xltasks.register_io import write_register
    from xltasks.templates import make_templates

    started = time.perf_counter()
    register = import_paths([SOURCE])
    register_path = out / "register.xlsx"
    write_register(register, register_path)
    print(f"1 导入  {len(register.tasks)} 项任务、{len(register.units)} 个单位 → {register_path}")

    run = make_templates(register, out / "templates", PERIOD, deadline=DEADLINE)
    print(f"2 模板  {len(run.issued)} 个单位模板 → {out / 'templates'}")

    result = collect([RETURNS], register, PERIOD, merged_path=out / "merged.xlsx",
                     report_path=out / "report.xlsx", json_path=out / "report.json",
                     ledger_path=out / "ledger.sqlite")
    print(f"3 汇总  {result.summary_line()} → {out / 'merged.xlsx'}, {out / 'report.xlsx'}")

    compiled = compile_workbook(register, result.progress, out / "汇编.xlsx", as_of=AS_OF)
    print(f"4 汇编  {compiled.summary_line()} → {out / '汇编.xlsx'}")
    print(f"完成，用时 {time.perf_counter() - started:.1f} 秒。输出目录: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
