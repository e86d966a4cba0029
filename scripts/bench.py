"""Benchmark of the whole 督查 cycle: import → templates → fill (the bureaus) → collect → compile.

    .venv/bin/python scripts/bench.py                    # 216/106 (Hangzhou), 2000/300, 10000/1000
    .venv/bin/python scripts/bench.py --quick            # the Hangzhou row only
    .venv/bin/python scripts/bench.py --sizes 2000/300   # any N/M list, comma-separated
    .venv/bin/python scripts/bench.py --one-core         # collect on the bundled returns vs the naive merge, CPU 0
    .venv/bin/python scripts/bench.py --web              # `xltasks serve`: upload latency and load (web_load.py)
    .venv/bin/python scripts/bench.py --import-text 0.5,1,2,4.5   # text imports towards the 5 MB limit

Row 216/106 is the real Hangzhou register (workbooks/example/register.json). Other rows are synthetic
registers of N tasks over M units shaped like it: the number of units per task, each unit's share of the
tasks, the share of 仅配合 tasks and the task texts are drawn from the Hangzhou register (seeded, so every
run builds the same files). Each register is written as an .xlsx table and imported with `--layout table`.

Every stage runs in a fresh child process (`bench.py --stage NAME --work DIR`), so its peak RSS is its
own: the parent waits for that one child with os.wait4(), whose rusage is the child's alone (ru_maxrss,
KiB on Linux, the high-water mark of resident memory including anything the child itself waited for).
RUSAGE_CHILDREN would instead report the largest of *all* children so far. Wall time is measured inside
the child around the stage's work, library imports included (what a CLI call pays), interpreter start-up
excluded (~0.05 s).

The `fill` stage is what the bureaus do (openpyxl opens each template, types, saves): timed but not our
tool's work, so it is left out of the cycle total. `baseline` is the naive merge people do today
(pandas.read_excel with openpyxl on every returned file, then concat), over the same files; collect's
time is reported as a ratio against it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANGZHOU_REGISTER = ROOT / "workbooks" / "example" / "register.json"
PERIOD = "2021Q3"
AS_OF = dt.date(2021, 9, 30)
DEADLINE = dt.date(2021, 10, 10)
DEFAULT_SIZES = ((216, 106), (2000, 300), (10000, 1000))
STAGES = ("import", "templates", "fill", "baseline", "collect", "compile")
CYCLE_STAGES = ("import", "templates", "collect", "compile")  # our tool's work (fill is the bureaus')

# Prefixes that make more department names from Hangzhou's ("市发改委" → "宁波市发改委").
_CITIES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "义乌")
_CN = "一二三四五六七八九十"


# ---------------------------------------------------------------------------------------------
# The synthetic register (as a decomposition table)
# ---------------------------------------------------------------------------------------------

def _cn_ordinal(k: int) -> str:
    """1..99 as printed in section and group titles (一, 十一, 二十三)."""
    if not 1 <= k <= 99:
        raise ValueError(k)
    if k <= 10:
        return _CN[k - 1]
    tens, ones = divmod(k, 10)
    return ("" if tens == 1 else _CN[tens - 1]) + "十" + (_CN[ones - 1] if ones else "")


def _shape() -> dict:
    """What the synthetic registers copy from the Hangzhou one."""
    data = json.loads(HANGZHOU_REGISTER.read_text(encoding="utf-8"))
    tasks, units = data["tasks"], data["units"]
    return {
        "fanout": [len(t["units"]) for t in tasks if t["units"]],
        "support_only_share": sum(t["supporting_only"] for t in tasks) / len(tasks),
        "texts": [t["text"] for t in tasks],
        "unit_weights": sorted((u["tasks"] for u in units), reverse=True),
        "names": [u["name"] for u in units if u["kind"] != "集合" and "、" not in u["name"]],
        "tasks_per_section": max(1, len(tasks) // max(1, len({t["section"] for t in tasks}))),
        "tasks_per_group": max(1, len(tasks) // max(1, len({t["group"] for t in tasks}))),
    }


def unit_names(m: int, shape: dict) -> list[str]:
    base = shape["names"]
    names = list(base[:m])
    for city in _CITIES:
        for name in base:
            if len(names) >= m:
                return names
            stem = name[1:] if name.startswith("市") else name
            names.append(f"{city}市{stem}")
    if len(names) < m:
        raise ValueError(f"cannot make {m} distinct unit names")
    return names


def synthetic_rows(n: int, m: int, seed: int = 1) -> list[list[str]]:
    """A decomposition table (header, section and group rows, task rows) of n tasks over m units."""
    shape = _shape()
    rng = random.Random(seed)
    names = unit_names(m, shape)
    w = shape["unit_weights"]
    weights = [w[i % len(w)] for i in range(m)]
    rows: list[list[str]] = [["序号", "重点工作", "牵头领导", "责任单位", "配合单位"]]
    task_units: list[list[str]] = []
    for _ in range(n):
        k = min(rng.choice(shape["fanout"]), m)
        chosen: list[str] = []
        while len(chosen) < k:
            for u in rng.choices(names, weights=weights, k=k - len(chosen)):
                if u not in chosen:
                    chosen.append(u)
        task_units.append(chosen)
    used = {u for us in task_units for u in us}
    for u in names:  # every unit gets at least one task (as a supporting unit)
        if u not in used:
            task_units[rng.randrange(n)].append(u)
    # Hangzhou's tasks per section and per leader group; a province has more of each (at most 40).
    per_section = max(shape["tasks_per_section"], -(-n // 40))
    per_group = max(shape["tasks_per_group"], -(-per_section // 40))
    sec = grp = no = 0
    for i, units in enumerate(task_units):
        if i % per_section == 0:
            sec += 1
            grp = no = 0
            rows.append([f"{_cn_ordinal(sec)}、第{sec}部分重点工作责任分解"] * 5)
        if i % per_group == 0:
            grp += 1
            leader = f"领导{sec}{grp:02d}"
            rows.append([f"({_cn_ordinal(grp)}){leader}副省长牵头重点工作"] * 5)
        no += 1
        text = rng.choice(shape["texts"])
        if rng.random() < shape["support_only_share"]:
            rows.append([str(no), text, leader, "", "\n".join(units)])
        else:
            rows.append([str(no), text, leader, "\n".join(units), ""])
    return rows


def hangzhou_rows() -> list[list[str]]:
    """The real Hangzhou register as the same kind of table."""
    data = json.loads(HANGZHOU_REGISTER.read_text(encoding="utf-8"))
    rows: list[list[str]] = [["序号", "重点工作", "牵头领导", "责任单位", "配合单位"]]
    section = group = None
    for t in data["tasks"]:
        if t["section"] != section:
            section, group = t["section"], None
            rows.append([section] * 5)
        if t["group"] and t["group"] != group:
            group = t["group"]
            rows.append([group] * 5)
        units = "\n".join(t["units"])
        no = t["no"] + ("*" if t["starred"] else "")
        if t["supporting_only"]:
            rows.append([no, t["text"], t["leader"], "", units])
        else:
            rows.append([no, t["text"], t["leader"], units, ""])
    return rows


def write_source(rows: list[list[str]], path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "constant_memory": True})
    ws = wb.add_worksheet("分解")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v:
                ws.write_string(r, c, v)
    wb.close()


def make_source(n: int, m: int, work: Path, seed: int = 1) -> Path:
    """Write the decomposition table for size n/m (216/106 = Hangzhou) into work/source.xlsx."""
    work.mkdir(parents=True, exist_ok=True)
    rows = hangzhou_rows() if (n, m) == (216, 106) else synthetic_rows(n, m, seed)
    path = work / "source.xlsx"
    write_source(rows, path)
    return path


# ---------------------------------------------------------------------------------------------
# What a bureau types
# ---------------------------------------------------------------------------------------------

_ITEMS = ("推进重大项目建设", "完善政策体系", "开展专项行动", "加快平台建设", "强化要素保障", "深化改革试点")
_INDICATORS = (("完成投资", "亿元"), ("新增企业数", "家"), ("建成项目", "个"), ("覆盖率", "%"),
               ("新增就业人数", "万人"), ("培训人次", "人次"))
_UPPER = (("城镇调查失业率", "%"), ("单位GDP能耗", "吨标准煤/万元"), ("PM2.5平均浓度", "微克/立方米"))
_NARRATIVE = ("围绕年度目标任务，细化责任分工，建立周调度、月通报机制，重点项目按计划推进，"
              "部分指标提前完成全年目标。", "受疫情和要素制约影响，个别项目进度滞后，下一步将加强协调，"
              "倒排工期，确保年底前完成。")


def entries_for(unit: str, task_ids: list[str]):
    """1–3 lines per task: most quantitative, some 不超过, some 定性, a few pending; narratives on the first."""
    from xltasks.issuing.fill import Entry

    rng = random.Random(zlib.crc32(unit.encode("utf-8")))
    out = []
    for tid in task_ids:
        for j in range(rng.choice((1, 1, 2, 2, 3))):
            item = rng.choice(_ITEMS) if j == 0 else ""
            kind = rng.random()
            if kind < 0.6:
                name, mu = rng.choice(_INDICATORS)
                target = float(rng.randint(10, 500))
                e = Entry(tid, item, name, mu, target, round(target * rng.uniform(0.4, 1.1), 1))
            elif kind < 0.75:
                name, mu = rng.choice(_UPPER)
                target = float(rng.randint(3, 60))
                e = Entry(tid, item, name, mu, target, round(target * rng.uniform(0.7, 1.05), 2), direction="不超过")
            elif kind < 0.9:
                e = Entry(tid, item or "配合推进相关工作", "", "", None, None, direction="定性",
                          self_rate=round(rng.uniform(0.5, 1.0), 2))
            else:
                name, mu = rng.choice(_INDICATORS)
                e = Entry(tid, item, name, mu, float(rng.randint(10, 500)), "待年底核算")
            if j == 0:
                e.highlights = _NARRATIVE[0] * rng.randint(1, 3)
                e.problems = _NARRATIVE[1] * rng.randint(1, 2)
            out.append(e)
    if out and not out[0].item:
        out[0].item = _ITEMS[0]
    return out


# ---------------------------------------------------------------------------------------------
# Stages (each reads and writes files in `work`, so it can run alone in a fresh process)
# ---------------------------------------------------------------------------------------------

def stage_import(work: Path) -> dict:
    from xltasks.importers import import_paths
    from xltasks.core.register_io import write_register

    reg = import_paths([work / "source.xlsx"], layout="table")
    write_register(reg, work / "register")
    return {"tasks": len(reg.tasks), "units": len(reg.units)}


def stage_templates(work: Path) -> dict:
    from xltasks.core.register_io import load_register
    from xltasks.issuing.templates import make_templates

    reg = load_register(work / "register.json")
    out = work / "templates"
    if out.exists():
        shutil.rmtree(out)
    run = make_templates(reg, out, PERIOD, deadline=DEADLINE)
    manifest = [{"unit": it.unit, "path": str(it.path), "task_ids": it.task_ids} for it in run.issued]
    (work / "issued.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return {"templates": len(run.issued), "task_slots": sum(len(it.task_ids) for it in run.issued)}


def stage_fill(work: Path) -> dict:
    from xltasks.issuing.fill import fill_template

    manifest = json.loads((work / "issued.json").read_text(encoding="utf-8"))
    ret = work / "returns"
    if ret.exists():
        shutil.rmtree(ret)
    ret.mkdir()
    n = 0
    for it in manifest:
        entries = entries_for(it["unit"], it["task_ids"])
        fill_template(it["path"], ret / Path(it["path"]).name, entries)
        n += len(entries)
    (work / "filled.json").write_text(json.dumps({"files": len(manifest), "rows": n}), encoding="utf-8")
    return {"files": len(manifest), "rows": n}


def stage_baseline(work: Path) -> dict:
    import pandas as pd

    files = sorted((work / "returns").glob("*.xlsx"))
    frames = [pd.read_excel(f, sheet_name="填报", engine="openpyxl") for f in files]
    df = pd.concat(frames, ignore_index=True)
    return {"files": len(files), "frame_rows": len(df)}


def stage_collect(work: Path) -> dict:
    from xltasks.collecting.merge import collect
    from xltasks.core.progress_io import write_progress
    from xltasks.core.register_io import load_register
    from xltasks.collecting.report import write_xlsx

    reg = load_register(work / "register.json")
    ledger = work / "ledger.sqlite"
    if ledger.exists():
        ledger.unlink()
    t0 = time.perf_counter()
    res = collect([work / "returns"], reg, PERIOD, ledger=ledger)
    t_collect = time.perf_counter() - t0
    write_progress(res.progress, work / "merged.xlsx")
    write_xlsx(res, work / "report.xlsx")
    st = res.stats()
    return {"collect_call_s": t_collect, "files": st["files"], "accepted": st["accepted"], "rows": st["rows"],
            "errors": st["errors"], "warnings": st["warnings"], "reported_units": st["reported_units"],
            "tasks_merged": len({r.task_id for r in res.progress.rows})}


def stage_compile(work: Path) -> dict:
    from xltasks.compiling.writer import compile_workbook
    from xltasks.core.progress_io import read_progress
    from xltasks.core.register_io import load_register

    reg = load_register(work / "register.json")
    progress = read_progress(work / "merged.xlsx")
    res = compile_workbook(reg, progress, work / "汇编.xlsx", as_of=AS_OF)
    return {"tasks": len(res.tasks), "counts": res.counts}


def labelled_text(megabytes: float) -> str:
    """A decomposition in the inline labelled family, grown to about `megabytes` of UTF-8 (distinct texts,
    so no task is a duplicate)."""
    lines, size, k = [], 0, 0
    while size < megabytes * 1_000_000:
        k += 1
        line = (f"{k}.推进第{k}项重点工作，确保按期完成年度目标任务。（责任领导：张明；牵头单位：区发改局；"
                f"配合单位：区财政局、区统计局、各镇街；完成时限：2021年6月底前）")
        lines.append(line)
        size += len(line.encode("utf-8")) + 1
    return "\n".join(lines)


def stage_import_text(work: Path) -> dict:
    from xltasks.importers import import_paths

    reg = import_paths([work / "source.txt"])
    return {"tasks": len(reg.tasks), "units": len(reg.units), "layout": reg.layout}


def bench_import_text(sizes_mb: list[float], work: Path) -> str:
    """Import time and peak memory of text decompositions growing towards the size limit (linear in size)."""
    rows = ["| text MB | tasks | layout | wall s | peak RSS MiB |", "|---:|---:|---|---:|---:|"]
    for mb in sizes_mb:
        folder = work / f"text_{mb}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "source.txt").write_text(labelled_text(mb), encoding="utf-8")
        info = run_stage("import_text", folder)
        rows.append(f"| {mb} | {info['tasks']} | {info['layout']} | {info['seconds']:.2f} | "
                    f"{info['peak_rss_mib']:.0f} |")
        print(rows[-1], flush=True)
    return "\n".join(rows)


STAGE_FUNCS = {"import": stage_import, "templates": stage_templates, "fill": stage_fill,
               "baseline": stage_baseline, "collect": stage_collect, "compile": stage_compile,
               "import_text": stage_import_text}


def _child(stage: str, work: Path) -> int:
    t0 = time.perf_counter()
    info = STAGE_FUNCS[stage](work)
    info["seconds"] = time.perf_counter() - t0
    (work / f"stage_{stage}.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    return 0


# ---------------------------------------------------------------------------------------------
# The parent: one child per stage
# ---------------------------------------------------------------------------------------------

def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants now (Linux /proc), in KiB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children", encoding="ascii") as f:
                    stack.extend(int(x) for x in f.read().split())
        except (OSError, ValueError):
            continue  # the process ended between two reads
    return total


def run_stage(stage: str, work: Path, jobs: int | None = None) -> dict:
    """Run `stage` in a fresh interpreter and measure it.

    peak_rss_mib: the child's own high-water mark, from os.wait4 on that one child (exact, kernel-kept).
    tree_rss_mib: the highest sum of VmRSS over the child and its pool workers, sampled every 20 ms from
    /proc (catches the workers, which wait4 cannot add up; counts pages shared after fork once per
    process, so it errs high).
    """
    import threading

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if jobs:
        env["XLTASKS_JOBS"] = str(jobs)
    with open(work / f"stage_{stage}.log", "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--stage", stage, "--work", str(work)],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
        tree_peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                tree_peak[0] = max(tree_peak[0], _tree_rss_kib(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write((work / f"stage_{stage}.log").read_text(encoding="utf-8", errors="replace"))
        raise SystemExit(f"stage {stage} failed (exit {proc.returncode}), see {work}/stage_{stage}.log")
    info = json.loads((work / f"stage_{stage}.json").read_text(encoding="utf-8"))
    info["process_s"] = wall
    info["peak_rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    info["tree_rss_mib"] = max(tree_peak[0] / 1024, info["peak_rss_mib"])
    return info


def bench_size(n: int, m: int, work: Path, jobs: int | None = None, repeat: int = 1,
               stages: tuple[str, ...] = STAGES) -> dict:
    """All stages for one size. With repeat > 1 each stage but fill runs that many times and keeps its
    fastest run (the least disturbed by other work on a shared machine) and its highest memory.
    Stages not in `stages` are not run: their figures of an earlier run in the same `work` are reused."""
    if "import" in stages or not (work / "source.xlsx").exists():
        make_source(n, m, work)
    out = {"n": n, "m": m, "stages": {}}
    for stage in STAGES:
        saved = work / f"result_{stage}.json"
        if stage not in stages:
            if not saved.exists():
                raise SystemExit(f"--stages leaves out {stage} but {work} holds no earlier run of it")
            out["stages"][stage] = json.loads(saved.read_text(encoding="utf-8"))
            continue
        runs = [run_stage(stage, work, jobs) for _ in range(1 if stage == "fill" else max(1, repeat))]
        info = min(runs, key=lambda i: i["seconds"])
        for k in ("peak_rss_mib", "tree_rss_mib"):
            info[k] = max(i[k] for i in runs)
        if stage == "collect":
            info["collect_call_s"] = min(i["collect_call_s"] for i in runs)
        info["runs"] = [round(i["seconds"], 3) for i in runs]
        saved.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        out["stages"][stage] = info
        print(f"  {n}/{m} {stage:<9} {info['seconds']:8.2f} s  {info['peak_rss_mib']:7.0f} MiB own, "
              f"{info['tree_rss_mib']:7.0f} MiB with workers", flush=True)
    s = out["stages"]
    tasks = s["import"]["tasks"]
    if s["collect"]["rows"] != s["fill"]["rows"] or s["compile"]["tasks"] != tasks:
        raise SystemExit(f"counts disagree at {n}/{m}: filled {s['fill']['rows']} rows, merged "
                         f"{s['collect']['rows']}; register {tasks} tasks, 汇编 {s['compile']['tasks']}")
    return out


def _table(results: list[dict]) -> str:
    lines = ["| size N/M | stage | wall s | peak RSS MiB (own / with workers) | ms per task |",
             "|---|---|---:|---:|---:|"]
    for res in results:
        n, m, s = res["n"], res["m"], res["stages"]
        tasks = s["import"]["tasks"]
        for stage in STAGES:
            info = s[stage]
            label = stage + (" (bureaus, not ours)" if stage == "fill" else " (naive pandas)" if stage == "baseline"
                             else "")
            lines.append(f"| {n}/{m} | {label} | {info['seconds']:.2f} | {info['peak_rss_mib']:.0f} / "
                         f"{info['tree_rss_mib']:.0f} | {1000 * info['seconds'] / tasks:.2f} |")
        cycle = sum(s[k]["seconds"] for k in CYCLE_STAGES)
        peak = max(s[k]["tree_rss_mib"] for k in CYCLE_STAGES)
        lines.append(f"| {n}/{m} | **cycle** (import+templates+collect+compile) | **{cycle:.2f}** | **{peak:.0f}** | "
                     f"**{1000 * cycle / tasks:.2f}** |")
    lines += ["", "| size N/M | files | merged rows | collect() s | naive s | naive ÷ collect() | "
              "naive ÷ collect stage |", "|---|---:|---:|---:|---:|---:|---:|"]
    for res in results:
        s = res["stages"]
        c, b = s["collect"], s["baseline"]
        lines.append(f"| {res['n']}/{res['m']} | {c['files']} | {c['rows']} | {c['collect_call_s']:.2f} | "
                     f"{b['seconds']:.2f} | {b['seconds'] / c['collect_call_s']:.1f}× | "
                     f"{b['seconds'] / c['seconds']:.1f}× |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(f"{n}/{m}" for n, m in DEFAULT_SIZES),
                        help="comma-separated N/M (tasks/units); 216/106 is the real Hangzhou register")
    parser.add_argument("--quick", action="store_true", help="only 216/106")
    parser.add_argument("--work", help="keep the files in this folder (default: a temporary one, removed)")
    parser.add_argument("--json", dest="json_out", help="also write the figures as JSON here")
    parser.add_argument("--jobs", type=int, help="processes for templates/collect (XLTASKS_JOBS; 1 = serial); "
                                                 "default: the library's choice")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each stage but fill this many times and keep the fastest (noisy machines)")
    parser.add_argument("--stages", default=",".join(STAGES),
                        help="stages to run (with --work: the others' figures come from the earlier run there)")
    parser.add_argument("--one-core", action="store_true",
                        help="only the one-core comparison: `xltasks collect` on the bundled returns against the "
                             "naive merge, both pinned to CPU 0 (scripts/bench_one_core.py)")
    parser.add_argument("--before", default="", help="with --one-core: an older xltasks package folder to time too")
    parser.add_argument("--stage", choices=tuple(STAGE_FUNCS), help=argparse.SUPPRESS)
    parser.add_argument("--web", action="store_true",
                        help="instead: the web page's upload-to-result latency and 100 units uploading at once")
    parser.add_argument("--import-text", dest="import_text",
                        help="instead: import labelled text of these sizes in MB (comma-separated, limit 5)")
    args = parser.parse_args(argv)
    if args.stage:
        return _child(args.stage, Path(args.work))
    if args.web:
        return _web(args)
    if args.import_text:
        with tempfile.TemporaryDirectory(prefix="xltasks-bench-") as tmp:
            print(bench_import_text([float(x) for x in args.import_text.split(",")], Path(tmp)))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_one_core  # the issue-12 target: collect ≤ 0.15× the naive merge on one core

    if args.one_core:
        print(bench_one_core.table(bench_one_core.measure(max(args.repeat, 5), before=args.before)))
        return 0

    stages = tuple(s for s in STAGES if s in args.stages.split(","))
    sizes = [(216, 106)] if args.quick else [tuple(int(x) for x in s.split("/")) for s in args.sizes.split(",")]
    base = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="xltasks-bench-"))
    results = []
    try:
        for n, m in sizes:
            results.append(bench_size(n, m, base / f"{n}_{m}", args.jobs, args.repeat, stages))
    finally:
        if not args.work:
            shutil.rmtree(base, ignore_errors=True)
    print()
    print(_table(results))
    one_core = bench_one_core.measure(max(args.repeat, 3))
    print()
    print(bench_one_core.table(one_core))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"sizes": results, "one_core": one_core}, ensure_ascii=False,
                                                  indent=1), encoding="utf-8")
    return 0


def _web(args) -> int:
    """scripts/web_load.py's bench: targets median ≤ 150 ms and p95 ≤ 300 ms from upload to rendered result."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("web_load", ROOT / "scripts" / "web_load.py")
    web_load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_load)
    base = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="xltasks-bench-web-"))
    try:
        figures = web_load.bench(base)
    finally:
        if not args.work:
            shutil.rmtree(base, ignore_errors=True)
    lat, load = figures["latency"], figures["load"]
    print(f"upload → rendered result, {lat['n']} uploads of {lat['file']} ({lat['bytes']:,} bytes, {lat['rows']} rows): "
          f"median {lat['median_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms "
          f"(targets 150 / 300 ms)")
    print(f"{load['units']} units at once: {load['answered']} answered, {load['accepted']} accepted in "
          f"{load['wall_s']:.1f} s ({load['uploads_per_s']:.1f} uploads/s; each answered in median "
          f"{load['upload_median_ms']:.0f} ms, p95 {load['upload_p95_ms']:.0f} ms); merge done "
          f"{load['merge_after_last_s']:.1f} s after the last answer")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if lat["median_ms"] <= 150 and lat["p95_ms"] <= 300 else 1


if __name__ == "__main__":
    sys.exit(main())
