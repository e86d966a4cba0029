"""`make serve`: the bundled Hangzhou 2021 example workspace, served by `xltasks serve`.

The workspace is the one `make demo` builds (workbooks/example/out: 2021Q2 and 2021Q3, their templates,
returns, 汇编 and 通报; 49 units of 2021Q3 still missing, so the 催报 list is real); it is built first when
it is not there. Then the page runs on http://127.0.0.1:8000/ (first visit: set the office password).
`--build-only` builds and exits.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = ROOT / "workbooks" / "example" / "out"


def build(root: Path, *, quiet: bool = True) -> Path:
    """The demo's workspace at `root` (made by scripts/demo.py unless it is there already)."""
    if not (root / "xltasks.toml").exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py"), "--out", str(root)], check=True,
                       stdout=subprocess.DEVNULL if quiet else None)
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", default=str(WORKSPACE))
    parser.add_argument("--port", default="8000")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    root = build(Path(args.workspace), quiet=False)
    if args.build_only:
        return 0
    return subprocess.call([sys.executable, "-m", "xltasks", "serve", str(root), "--port", args.port])


if __name__ == "__main__":
    sys.exit(main())
