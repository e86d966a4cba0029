"""`make serve`: the bundled Hangzhou 2021 example as a workspace, served by `xltasks serve`.

Builds workbooks/example/out/workspace once (register, 2021Q3 with its templates, and the 57 bundled returns
in its returns folder, so the 报送情况 board is real and 49 units are still missing), then starts the page on
http://127.0.0.1:8000/ (first visit: set the office password). `--build-only` builds and exits.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbooks" / "example"
WORKSPACE = EXAMPLE / "out" / "workspace"
PERIOD = "2021Q3"


def build(root: Path) -> Path:
    from xltasks.web.adapter import CONFIG_NAME, Period, init_workspace

    if (root / CONFIG_NAME).exists():
        return root
    site = init_workspace(root, EXAMPLE / "register.json", title="2021年杭州市政府工作报告重点工作督查", year=2021,
                          periods=[Period(PERIOD, dt.date(2021, 10, 10), dt.date(2021, 9, 30)),
                                   Period("2021Q4", dt.date(2022, 1, 10), dt.date(2021, 12, 31))],
                          office="杭州市人民政府督查室", contact="市政府督查室 0571-00000000")
    site.issue_templates(PERIOD)
    received = dt.datetime(2021, 10, 8, 9, 30).timestamp()  # the example's returns came in before the deadline
    for f in sorted((EXAMPLE / "returns").iterdir()):
        if f.suffix == ".xlsx":
            shutil.copyfile(f, site.returns_dir(PERIOD) / f.name)
            os.utime(site.returns_dir(PERIOD) / f.name, (received, received))
    site.collect(PERIOD)
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", default=str(WORKSPACE))
    parser.add_argument("--port", default="8000")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    root = build(Path(args.workspace))
    print(f"示例工作区：{root}")
    if args.build_only:
        return 0
    return subprocess.call([sys.executable, "-m", "xltasks", "serve", str(root), "--port", args.port])


if __name__ == "__main__":
    sys.exit(main())
