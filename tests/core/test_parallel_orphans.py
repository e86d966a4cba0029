"""Issue 14 item 15: pool workers die with their parent, even when it is killed by SIGKILL or SIGTERM
(a killed collect run must not leave its workers running)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")

SCRIPT = textwrap.dedent("""
    import os, sys, time
    from xltasks.core import parallel

    if sys.argv[2] == "watchdog":  # the portable fallback, as on a system without PR_SET_PDEATHSIG
        parallel._set_parent_death_signal = lambda sig: False

    def work(item, folder):
        open(os.path.join(folder, f"{os.getpid()}.pid"), "w").close()
        time.sleep(60)
        return item

    if __name__ == "__main__":
        list(parallel.map_in_pool(work, list(range(4)), 2, args=(sys.argv[1],)))
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("mode", ["prctl", "watchdog"])
def test_workers_die_with_their_parent(sig, mode, tmp_path):
    script = tmp_path / "pool.py"
    script.write_text(SCRIPT)
    folder = tmp_path / "pids"
    folder.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    parent = subprocess.Popen([sys.executable, str(script), str(folder), mode], env=env)
    try:
        deadline = time.monotonic() + 60
        while len(list(folder.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = [int(p.stem) for p in folder.iterdir()]
        assert len(workers) == 2 and all(_alive(w) for w in workers)
        parent.send_signal(sig)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "orphaned pool workers still running"
    finally:
        parent.kill()
        for p in folder.iterdir():
            try:
                os.kill(int(p.stem), signal.SIGKILL)
            except ProcessLookupError:
                pass
