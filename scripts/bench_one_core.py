"""`xltasks collect` on the bundled returns against the naive merge, both pinned to one core.

Used by `scripts/bench.py --one-core` (run alone: `python scripts/bench_one_core.py [--repeat N]`).
Both sides run as the whole process a person would start, interpreter start-up and imports included,
pinned to CPU 0 (`taskset -c 0`, or sched_setaffinity where taskset is missing), timed from outside:

* naive: `pandas.read_excel(f, sheet_name="填报", engine="openpyxl")` of every file in
  workbooks/example/returns, then `pd.concat` and `to_excel` — reads values and checks nothing;
* collect: `xltasks collect RETURNS --register REGISTER --period 2021Q3 -o merged.xlsx` (every check, the
  SQLite ledger, merged.xlsx), and the same with `--report report.xlsx --json report.json`.

The runs alternate (naive, collect, collect + reports, naive, …) so load on a shared machine hits all
three alike; each figure is the fastest of its runs, each run into a fresh folder.

Both sides run from bytecode, as installed: pandas and openpyxl come byte-compiled from their wheels, and
`pip install .` byte-compiles xltasks too, but an editable checkout under PYTHONDONTWRITEBYTECODE=1 (set on
our development machines) would compile every xltasks module from source in every run (~40 ms). So the
package timed is byte-compiled first (compileall into its __pycache__ folders, which git ignores).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "workbooks" / "example" / "returns"
REGISTER = ROOT / "workbooks" / "example" / "register.xlsx"
PERIOD = "2021Q3"
TARGET = 0.15  # issue 12: collect at most 0.15× the naive merge's wall time on one core

NAIVE = """
import sys
from pathlib import Path
import pandas as pd
files = sorted(Path(sys.argv[1]).glob("*.xlsx"))
frames = [pd.read_excel(f, sheet_name="填报", engine="openpyxl") for f in files]
pd.concat(frames, ignore_index=True).to_excel(sys.argv[2], index=False)
"""

# The least any reader of these files must do, timed as a process of its own: start Python, inflate every
# member of each file and let python-calamine read its 填报 and _meta sheets. No check, nothing written. It
# shows how much of collect's time is reading, which no change to the checks can take away.
READING_FLOOR = """
import io, sys, zipfile
from pathlib import Path
import python_calamine
for f in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    data = f.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for member in zf.infolist():
            zf.read(member)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in ("填报", "_meta"):
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
"""


def _pinned(cmd: list[str], cpu: int) -> tuple[list[str], object]:
    taskset = shutil.which("taskset")
    if taskset:
        return [taskset, "-c", str(cpu), *cmd], None
    return cmd, (lambda: os.sched_setaffinity(0, {cpu}))


def _run(cmd: list[str], cpu: int, pythonpath: str = "") -> tuple[float, float]:
    """(wall seconds, CPU seconds user + system) of one pinned process; `pythonpath` first on its path (run
    from a temporary folder, so that package is the one imported)."""
    cmd, preexec = _pinned(cmd, cpu)
    env = dict(os.environ, PYTHONPATH=pythonpath) if pythonpath else None
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=preexec, env=env,
                            cwd=tempfile.gettempdir() if pythonpath else None)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # collect exits 1 when a return has an error: still a full run
        raise RuntimeError(f"{cmd} failed: {err.decode(errors='replace')[-500:]}")
    return took, usage.ru_utime + usage.ru_stime


def byte_compile(folder: Path) -> None:
    """Write the bytecode of the package in `folder`, as `pip install .` does (see the module doc)."""
    import compileall

    compileall.compile_dir(str(folder), quiet=2)


def measure(repeat: int = 5, cpu: int = 0, returns: Path = RETURNS, before: str = "") -> dict:
    """Fastest wall and CPU time of each side over `repeat` alternating runs, and the ratios. `before`: a
    folder holding an older `xltasks` package (a checkout of an earlier commit), timed alongside."""
    py = sys.executable
    byte_compile(ROOT / "xltasks")
    if before:
        byte_compile(Path(before) / "xltasks")
    xltasks = [py, "-m", "xltasks"]
    times: dict[str, list] = {"naive": [], "collect": [], "collect_reports": [], "floor": []}
    if before:
        times["before"] = []
    with tempfile.TemporaryDirectory(prefix="xltasks-one-core-") as tmp:
        for i in range(repeat):
            out = Path(tmp) / str(i)
            out.mkdir()
            times["naive"].append(_run([py, "-c", NAIVE, str(returns), str(out / "naive.xlsx")], cpu))
            times["floor"].append(_run([py, "-c", READING_FLOOR, str(returns)], cpu))
            base = [*xltasks, "collect", str(returns), "--register", str(REGISTER), "--period", PERIOD]
            times["collect"].append(_run([*base, "-o", str(out / "a" / "merged.xlsx")], cpu))
            if before:
                times["before"].append(_run([*base, "-o", str(out / "c" / "merged.xlsx")], cpu, before))
            times["collect_reports"].append(_run([*base, "-o", str(out / "b" / "merged.xlsx"), "--report",
                                                  str(out / "b" / "report.xlsx"), "--json",
                                                  str(out / "b" / "report.json")], cpu))
    best = {k: min(w for w, _ in v) for k, v in times.items()}
    cpu_s = {k: min(c for _, c in v) for k, v in times.items()}
    return {"files": len(list(returns.glob("*.xlsx"))), "repeat": repeat, "cpu": cpu, "load": os.getloadavg()[0],
            "naive_s": best["naive"], "collect_s": best["collect"], "collect_reports_s": best["collect_reports"],
            "ratio": best["collect"] / best["naive"], "ratio_reports": best["collect_reports"] / best["naive"],
            "naive_cpu_s": cpu_s["naive"], "collect_cpu_s": cpu_s["collect"],
            "collect_reports_cpu_s": cpu_s["collect_reports"],
            "cpu_ratio": cpu_s["collect"] / cpu_s["naive"],
            "cpu_ratio_reports": cpu_s["collect_reports"] / cpu_s["naive"], "target": TARGET, "all_s": times,
            "floor_s": best["floor"], "floor_cpu_s": cpu_s["floor"], "ratio_floor": best["floor"] / best["naive"],
            "cpu_ratio_floor": cpu_s["floor"] / cpu_s["naive"],
            **({"before": before, "before_s": best["before"], "before_cpu_s": cpu_s["before"],
                "ratio_before": best["before"] / best["naive"],
                "cpu_ratio_before": cpu_s["before"] / cpu_s["naive"]} if before else {})}


def table(r: dict) -> str:
    def row(label, key):
        wall, cpu = r[f"{key}_s"], r[f"{key}_cpu_s"]
        ratio, cpu_ratio = {"collect": (r["ratio"], r["cpu_ratio"]),
                            "collect_reports": (r["ratio_reports"], r["cpu_ratio_reports"]),
                            "before": (r.get("ratio_before"), r.get("cpu_ratio_before")),
                            "floor": (r.get("ratio_floor"), r.get("cpu_ratio_floor"))}[key]
        if key == "floor":
            return f"| {label} | {wall:.3f} | {ratio:.3f}× | {cpu:.3f} | {cpu_ratio:.3f}× |"
        verdict = "met" if ratio <= r["target"] else "NOT met"
        return f"| {label} | {wall:.3f} | **{ratio:.3f}×** ({verdict}) | {cpu:.3f} | {cpu_ratio:.3f}× |"

    return "\n".join([
        f"One core (CPU {r['cpu']}), {r['files']} returned files, fastest of {r['repeat']} alternating runs "
        f"(load average {r['load']:.1f}); target: collect ≤ {r['target']}× the naive merge's wall time.",
        "",
        "| process | wall s | wall ÷ naive | CPU s | CPU ÷ naive |",
        "|---|---:|---:|---:|---:|",
        f"| naive merge (pandas + openpyxl, concat, to_excel) | {r['naive_s']:.3f} | 1× | {r['naive_cpu_s']:.3f} | 1× |",
        row("`xltasks collect … -o merged.xlsx`", "collect"),
        row("`xltasks collect … -o merged.xlsx --report … --json …`", "collect_reports"),
        *([row(f"`xltasks collect … -o merged.xlsx`, package of {r['before']}", "before")] if "before" in r else []),
        *([row("reading floor: Python + python-calamine reading each 填报 and _meta sheet, no check, "
               "nothing written", "floor")] if "floor_s" in r else []),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cpu", type=int, default=0)
    parser.add_argument("--before", default="", help="a folder holding an older xltasks package to time alongside "
                                                     "(e.g. a `git worktree add` of an earlier commit)")
    args = parser.parse_args(argv)
    print(table(measure(args.repeat, args.cpu, before=os.path.abspath(args.before) if args.before else "")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
