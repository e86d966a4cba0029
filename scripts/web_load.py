"""Load and latency of `xltasks serve`, shared by tests/web/test_load.py and `scripts/bench.py --web`.

A workspace of N units (each leads one task and supports the next one's), one distinct filled return per
unit, the app on uvicorn on 127.0.0.1; then every unit uploads at once through its own link (one thread per
unit), or one unit uploads again and again (latency from sending the upload to the rendered result).
"""
from __future__ import annotations

import datetime as dt
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover - older test environments
    import httpx

PERIOD = "2021Q3"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_workspace(root: Path, n_units: int):
    """(site, {unit: filled return}) — returns differ by their current values."""
    from xltasks.core.models import Register, Task, Unit
    import dataclasses

    from xltasks.core.register_io import write_register
    from xltasks.issuing.fill import Entry, fill_template
    from xltasks.web.adapter import Site, issued_templates
    from xltasks.workspace import Workspace

    units = [f"测试单位{i:03d}" for i in range(1, n_units + 1)]
    tasks = [Task(id=f"1.{i + 1}", section="一、重点工作", group="", leader="", no=str(i + 1),
                  text=f"推进第{i + 1}批重点项目建设，新建项目10个。", units=[u, units[(i + 1) % n_units]], lead_unit=u)
             for i, u in enumerate(units)]
    with Workspace.init(root / "ws", title="负载测试", year=2021) as ws:
        ws.config.periods = [dataclasses.replace(p, deadline=dt.date(2099, 10, 10)) if p.name == PERIOD else p
                             for p in ws.config.periods]  # due in the future: nothing is late
        ws.save_config()
        write_register(Register(source="load", layout="test", tasks=tasks, units=[Unit(u, "部门") for u in units]),
                       ws.register_path)
    site = Site(root=(root / "ws").resolve())
    site.issue_templates(PERIOD)
    templates = issued_templates(site, PERIOD)
    out = root / "filled"
    out.mkdir(exist_ok=True)
    files = {}
    for i, unit in enumerate(units):
        lead, support = tasks[i], tasks[i - 1]
        files[unit] = out / f"{unit}.xlsx"
        fill_template(templates[unit], files[unit], [
            Entry(lead.id, "项目建设", "新建项目", "个", 10, i % 10 + 1, highlights=f"{unit}推进顺利"),
            Entry(support.id, "配合推进", "", "", None, None, direction="定性", self_rate=0.5 + (i % 5) / 10)])
    return site, files


def _form_token(client, base: str, token: str) -> str:
    page = client.get(f"{base}/u/{token}")
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def upload_once(client, base: str, token: str, form_token: str, name: str, data: bytes):
    """(seconds from sending to the whole rendered result, response) — the fragment htmx puts on the page."""
    started = time.perf_counter()
    r = client.post(f"{base}/u/{token}/upload", data={"form_token": form_token}, headers={"HX-Request": "true"},
                    files=[("files", (name, data, XLSX))])
    return time.perf_counter() - started, r


def upload_all(base: str, tokens: dict[str, str], files: dict[str, Path], *, timeout: float = 20.0):
    """Every unit uploads its file at the same moment (a barrier releases all threads together).
    Returns ({unit: (seconds, status, accepted)}, wall seconds)."""
    started = [0.0]
    barrier = threading.Barrier(len(files), action=lambda: started.__setitem__(0, time.perf_counter()))
    results = {}

    def one(unit: str):
        # No kept-alive connection: the server closes one that idles past its keep-alive time (5 s) while this
        # thread waits at the barrier, and a POST on it would then meet a connection reset.
        with httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            ft = _form_token(client, base, tokens[unit])
            data = files[unit].read_bytes()
            barrier.wait()
            seconds, r = upload_once(client, base, tokens[unit], ft, files[unit].name, data)
            results[unit] = (seconds, r.status_code, "已接收" in r.text)
            return time.perf_counter()

    with ThreadPoolExecutor(len(files)) as pool:
        ends = list(pool.map(one, files))
    return results, max(ends) - started[0]


def variant(data: bytes, n: int) -> bytes:
    """The same workbook with another zip comment: new bytes (a new file to store), the same content."""
    import io
    import zipfile

    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as z:
        z.comment = f"xltasks bench upload {n}".encode()
    return buf.getvalue()


def latency(base: str, token: str, file: Path, repeat: int = 60) -> list[float]:
    """Seconds from upload to rendered result, `repeat` sequential uploads of one unit's return, each with
    distinct bytes (the first three warm the server up and are not counted)."""
    data = file.read_bytes()
    out = []
    with httpx.Client(timeout=30) as client:
        ft = _form_token(client, base, token)
        for i in range(repeat + 3):
            seconds, r = upload_once(client, base, token, ft, file.name, variant(data, i))
            assert r.status_code == 200 and "已接收" in r.text, r.text[:500]
            if i >= 3:
                out.append(seconds)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "median_ms": statistics.median(values) * 1000, "p95_ms": percentile(values, 0.95) * 1000,
            "max_ms": max(values) * 1000}


def typical_return(returns_dir: Path) -> Path:
    """The bundled return of median size: what one bureau typically sends."""
    files = sorted((p for p in returns_dir.iterdir() if p.suffix == ".xlsx"), key=lambda p: p.stat().st_size)
    return files[len(files) // 2]


def bench(work: Path, *, units: int = 100, repeat: int = 60) -> dict:
    """Upload-to-result latency for one typical return of the bundled example (its own workspace, as
    `make serve` builds it) and the load test's throughput; the figures of docs/benchmarks.md."""
    import importlib.util

    from xltasks.collecting.intake import sources_of
    from xltasks.collecting.validate import Context, UnitIndex, check_file
    from xltasks.web.app import Limits, create_app
    from xltasks.web.server import background_server

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("serve_example", root / "scripts" / "serve_example.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    from xltasks.web.adapter import open_site

    site = open_site(example.build(work / "example"))
    sample = typical_return(root / "workbooks" / "example" / "returns")
    register = site.register()
    [checked] = [check_file(s, Context(register=register, period=PERIOD, index=UnitIndex(register)))
                 for s in sources_of(sample)]
    # one unit sends `repeat` uploads back to back: far past a real unit's rate limit, which is not measured here
    app = create_app(site, limits=Limits(unit_uploads=repeat + 1))
    tokens = app.state.web.store.ensure_tokens([checked.unit], PERIOD)
    with background_server(app) as base:
        times = latency(base, tokens[checked.unit], sample, repeat)
        app.state.web.intake.merger.wait(PERIOD, 120)
    out = {"latency": {**summary(times), "file": sample.name, "bytes": sample.stat().st_size, "unit": checked.unit,
                       "rows": len(checked.rows)}}

    load_site, files = build_workspace(work / "load", units)
    app = create_app(load_site)
    tokens = app.state.web.store.ensure_tokens(list(files), PERIOD)
    with background_server(app) as base:
        results, wall = upload_all(base, tokens, files, timeout=60)
        started = time.perf_counter()
        app.state.web.intake.merger.wait(PERIOD, 120)
        merge_tail = time.perf_counter() - started
    per = [s for s, _, _ in results.values()]
    out["load"] = {"units": units, "answered": sum(st == 200 for _, st, _ in results.values()),
                   "accepted": sum(ok for _, _, ok in results.values()), "wall_s": wall,
                   "uploads_per_s": units / wall, **{f"upload_{k}": v for k, v in summary(per).items() if k != "n"},
                   "merge_after_last_s": merge_tail}
    return out
