"""`make demo`: a 督查 year on the bundled Hangzhou 2021 example, as a workspace over two periods, through the CLI.

init → import (000's decomposition) → 2021Q2: templates, the units' returns received (one after the deadline:
逾期报送), collect, compile, a task closed (销号) → 2021Q3: templates rolled over from 2021Q2 (the closed task
left out), returns (filled with the real Q3 figures of compilation 002), collect, remind, compile (上期完成率,
趋势, 已销号) → the 督查通报 → status. The 2021Q2 returns are made from 002 by the rule in the README
(scripts/build_example_q2.py). Each step is printed as the command an office would type, then where the outputs are.
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
RETURNS = {"2021Q2": EXAMPLE / "returns_2021Q2", "2021Q3": EXAMPLE / "returns"}
LATE_RETURNS = EXAMPLE / "returns_2021Q2_late"  # one unit's 2021Q2 return, received after the deadline
CLOSED_TASK = "4.28"  # 已完成 in 2021Q2: closed then, so it is no longer issued in 2021Q3
TITLE = "2021年政府工作报告重点工作督查"


def run(args: list, *, cwd: Path, ok_codes=(0,)) -> int:
    shown = " ".join(shlex.quote(str(a)) for a in ["xltasks", *args])
    print(f"\n$ {shown}", flush=True)
    code = subprocess.call([sys.executable, "-m", "xltasks", *map(str, args)], cwd=cwd)
    if code not in ok_codes:
        print(f"demo: step failed with exit status {code}", file=sys.stderr)
        sys.exit(code)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(EXAMPLE / "out"), help="the workspace folder (made afresh)")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    if out.exists() and ((out / "xltasks.toml").exists() or (out / "register.xlsx").exists()):
        shutil.rmtree(out)  # a previous demo's workspace: start afresh so nothing stale is listed
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    run(["init", out, "--title", TITLE, "--year", "2021", "--office", "杭州市人民政府督查室"], cwd=ROOT)
    run(["import", SOURCE], cwd=out)
    codes = {}
    for period, received, late in (("2021Q2", "2021-07-08 16:00", "2021-07-14 09:30"),
                                   ("2021Q3", "2021-10-08 16:00", None)):
        began = time.perf_counter()
        run(["templates", period], cwd=out)
        run(["receive", period, RETURNS[period], "--at", received], cwd=out)
        if late:
            run(["receive", period, LATE_RETURNS, "--at", late], cwd=out)
        codes[period] = run(["collect", period], cwd=out, ok_codes=(0, 1))
        if period == "2021Q3":
            run(["remind", period, "--deadline", "2021-10-15"], cwd=out)
        run(["compile", period], cwd=out)
        if period == "2021Q2":
            run(["close-task", period, CLOSED_TASK, "--reason", "已全面完成"], cwd=out)
        timings[period] = time.perf_counter() - began
    run(["bulletin", "2021Q3", "--date", "2021-10-20"], cwd=out)
    run(["status"], cwd=out)

    q3 = out / "2021Q3"
    print(f"\n完成（{time.perf_counter() - started:.1f} 秒：2021Q2 {timings['2021Q2']:.1f} 秒，"
          f"2021Q3 {timings['2021Q3']:.1f} 秒；collect 退出码 {codes['2021Q2']}/{codes['2021Q3']}）。工作区：{out}")
    for label, path in (("设置", out / "xltasks.toml"), ("状态数据库", out / "xltasks.db"),
                        ("任务台账", out / "register.xlsx"), ("各单位模板", q3 / "templates"),
                        ("报回文件", q3 / "returns"), ("进度台账", q3 / "merged.xlsx"), ("问题报告", q3 / "report.xlsx"),
                        ("催报/退回通知", q3 / "notices"), ("完成情况汇编", q3 / "汇编.xlsx"),
                        ("督查通报", q3 / "督查通报.docx"), ("上一期", out / "2021Q2")):
        print(f"  {label:<10} {path}")
    print("\n网页版（各单位在线上传、当场看到检查结果；督查室看报送情况、编制汇编）：")
    print(f"  make serve      即 xltasks serve {out}，然后用浏览器打开 http://127.0.0.1:8000/ （首次打开时设置督查室密码）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
