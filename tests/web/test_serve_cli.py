"""`xltasks serve`: binds 127.0.0.1 by default, refuses another address until the office password is set,
and really serves the workspace over HTTP (uvicorn)."""
from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from xltasks.cli import main
from xltasks.cli.serve_cmd import is_loopback
from xltasks.web.app import PASSWORD_KEY
from xltasks.web.security import hash_password
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


@contextlib.contextmanager
def serving(site, *options: str, tls=None):
    """`xltasks serve` in a process of its own; yields (base URL, what it printed before serving). `tls`: the
    ssl context a client trusts the server's certificate with, when it serves HTTPS."""
    port = free_port()
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "xltasks", "serve", str(site.root), "--port", str(port), *options],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        printed = []
        while not printed or "按 Ctrl+C 停止" not in printed[-1]:
            line = proc.stdout.readline()
            assert line, "serve ended before serving: " + "".join(printed)
            printed.append(line)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/static/app.js", timeout=5, context=tls):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        yield base, "".join(printed)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def get(url: str, headers: dict | None = None, opener=None, tls=None):
    request = urllib.request.Request(url, headers=headers or {})
    with (opener.open(request, timeout=5) if opener else urllib.request.urlopen(request, timeout=5, context=tls)) as r:
        return r.read().decode("utf-8"), r.headers


def test_serve_starts_on_127_0_0_1(site):
    with serving(site) as (base, printed):
        page, _ = get(f"{base}/setup")
        assert "设置督查室密码" in page
    assert f"{base}/" in printed


def test_serve_prints_the_one_time_code_and_ignores_forwarded_headers(site):
    import http.cookiejar
    import urllib.parse

    with serving(site) as (base, printed):
        [code] = re.findall(r"/setup\?code=([A-Z2-9]{4}-[A-Z2-9]{4})", printed)
        assert f"一次性验证码 {code}" in printed
        # uvicorn's own default would trust X-Forwarded-For from 127.0.0.1: serve turns that off, so a local
        # process cannot pose as another address, nor a proxy set up without the option hide the visitor
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        page, headers = get(f"{base}/setup?code={code}", forwarded, browser)
        assert f'name="code" value="{code}"' in page and "secure" not in headers["set-cookie"].lower()
        form = {"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1), "code": code,
                "password": "督查室-2021-secret", "again": "督查室-2021-secret"}
        with browser.open(urllib.request.Request(f"{base}/setup", data=urllib.parse.urlencode(form).encode()),
                          timeout=10) as r:
            assert r.url.endswith("/") and "总览" in r.read().decode("utf-8")
    assert Store(site.db_path).setting(PASSWORD_KEY) is not None


def test_serve_behind_an_https_proxy(site):
    r = CliRunner().invoke(main, ["serve", str(site.root), "--behind-https-proxy", "*"])
    assert r.exit_code == 2 and "不是 IP 地址或网段" in r.output
    r = CliRunner().invoke(main, ["serve", str(site.root), "--behind-https-proxy", "127.0.0.1"])
    assert r.exit_code == 2 and "经反向代理对外提供之前须先设置督查室密码" in r.output
    Store(site.db_path).set_setting(PASSWORD_KEY, hash_password("督查室-2021-secret"))
    with serving(site, "--behind-https-proxy", "127.0.0.1") as (base, printed):
        page, headers = get(f"{base}/login", {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
        assert "登录" in page and "; secure" in headers["set-cookie"].lower()
    assert "经 HTTPS 反向代理提供" in printed and "/setup?code=" not in printed


def test_serve_speaks_https_itself_with_a_certificate(site, tmp_path):
    import shutil
    import ssl

    if not shutil.which("openssl"):
        pytest.skip("openssl (the command) is needed to make a test certificate")
    cert, key = tmp_path / "duban.crt", tmp_path / "duban.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    r = CliRunner().invoke(main, ["serve", str(site.root), "--tls-cert", str(cert)])
    assert r.exit_code == 2 and "--tls-cert 与 --tls-key 须同时给出" in r.output
    r = CliRunner().invoke(main, ["serve", str(site.root), "--tls-cert", str(key), "--tls-key", str(cert)])
    assert r.exit_code == 2 and "证书或私钥无法使用" in r.output and "Traceback" not in r.output

    trust = ssl.create_default_context(cafile=str(cert))
    with serving(site, "--tls-cert", str(cert), "--tls-key", str(key), tls=trust) as (base, printed):
        assert base.startswith("https://")
        page, headers = get(f"{base}/setup", tls=trust)
        assert "设置督查室密码" in page and "; secure" in headers["set-cookie"].lower()
        with pytest.raises(OSError):  # plain HTTP on the same port is no way in
            get(base.replace("https://", "http://") + "/setup")
    assert f"{base}/setup?code=" in printed
