"""`xltasks serve`: binds 127.0.0.1 by default, refuses another address until the office password is set,
and really serves the workspace over HTTP (uvicorn)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from click.testing import CliRunner

from xltasks.cli import main
from xltasks.cli.serve_cmd import is_loopback
from xltasks.web.app import PASSWORD_KEY
from xltasks.web.store import Store


def test_another_address_needs_the_password_first(site):
    r = CliRunner().invoke(main, ["serve", str(site.root), "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "须先设置督查室密码" in r.output
    r = CliRunner().invoke(main, ["serve", str(site.root), "--host", "0.0.0.0", "--set-password"],
                           input="short\nshort\n")
    assert r.exit_code == 2 and "密码至少 8 位" in r.output
    assert Store(site.db_path).setting(PASSWORD_KEY) is None


def test_not_a_workspace_is_one_line(tmp_path):
    r = CliRunner().invoke(main, ["serve", str(tmp_path)])
    assert r.exit_code == 1 and "不是 xltasks 工作区" in r.output and "Traceback" not in r.output


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_on_127_0_0_1(site):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "xltasks", "serve", str(site.root), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/setup", timeout=5) as r:
                    page = r.read().decode("utf-8")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "设置督查室密码" in page
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out
