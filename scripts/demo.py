"""`make demo`: the whole 督查 cycle on the bundled Hangzhou 2021 example, through the CLI.

import (000's decomposition) → templates (one per unit) → the units' returns (workbooks/example/returns/,
filled with the real Q3 figures of compilation 002 through our own templates) → collect → compile.
Each step is printed as the command an office would type, then where every output is.
"""
from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbooks" / "example"
SOURCE = EXAMPLE / "source" / "hangzhou_2021_decomposition.txt"
RETURNS = EXAMPLE / "returns"
PERIOD = "2021Q3"


def run(args: list[str], *, ok_codes=(0,)) -> int:
    shown = " ".join(shlex.quote(str(a)) for a in ["xltasks", *args])
    print(f"\n$ {shown}", flush=True)
    code = subprocess.call([sys.executable, "-m", "xltasks", *map(str, args)], cwd=ROOT)
    if code not in ok_codes:
        print(f"demo: step failed with exit status {code}", file=sys.stderr)
        sys.exit(code)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(EXAMPLE / "out"), help="output folder")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    if out.exists() and (out / "register.xlsx").exists():
        shutil.rmtree(out)  # a previous demo's outputs: start afresh so nothing stale is listed
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    register = out / "register.xlsx"
    run(["import", SOURCE, "-o", register])
    run(["templates", register, "-o", out / "templates", "--period", PERIOD, "--deadline", "2021-10-10"])
    collect_code = run(["collect", RETURNS, "--register", register, "--period", PERIOD,
                        "-o", out / "merged.xlsx", "--report", out / "report.xlsx", "--json", out / "report.json",
                        "--ledger", out / "ledger.sqlite"])
    run(["remind", "--report", out / "report.json", "-o", out / "notices", "--deadline", "2021-10-15"])
    run(["compile", out / "merged.xlsx", "--register", register, "-o", out / "汇编.xlsx",
         "--as-of", "2021-09-30"])

    print(f"\n完成（{time.perf_counter() - started:.1f} 秒，collect 退出码 {collect_code}）。输出：")
    for label, path in (("任务台账", register), ("任务台账 JSON", out / "register.json"),
                        ("各单位模板", out / "templates"), ("报回文件（示例）", RETURNS),
                        ("进度台账", out / "merged.xlsx"), ("问题报告", out / "report.xlsx"),
                        ("催报/退回通知", out / "notices"), ("完成情况汇编", out / "汇编.xlsx")):
        print(f"  {label:<12} {path}")
    print("\n网页版（各单位在线上传、当场看到检查结果；督查室看报送情况、编制汇编）：")
    print("  make serve      然后用浏览器打开 http://127.0.0.1:8000/ （首次打开时设置督查室密码）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
