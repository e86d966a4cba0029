"""Behind the office's HTTPS reverse proxy (create_app's https_proxies, `serve --behind-https-proxy`): a Secure
session cookie, X-Forwarded-For/Proto honoured from the configured proxy only, so the throttles and /setup see
the real visitor; without the option every forwarded header is ignored and the cookie is not Secure."""
from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import LOCAL, PASSWORD, PERIOD, TEST_LIMITS, csrf_of, sign_in
from xltasks.web.app import PASSWORD_KEY, SESSION_COOKIE, create_app
from xltasks.web.security import hash_password

PROXY = ("10.0.0.5", 40000)  # nginx on another machine of the LAN
VISITOR, OTHER_VISITOR = "203.0.113.9", "203.0.113.10"


def via_proxy(visitor: str, proto: str = "https") -> dict:
    return {"X-Forwarded-For": visitor, "X-Forwarded-Proto": proto}


@pytest.fixture
def proxied(site):
    return create_app(site, limits=TEST_LIMITS, https_proxies=["10.0.0.5", "127.0.0.1"])


def session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")]
    return cookie.lower()


def test_the_cookie_is_secure_behind_the_https_proxy_and_not_without(app, proxied):
    for application in (app, proxied):
        application.state.web.store.set_setting(PASSWORD_KEY, hash_password(PASSWORD))
    with TestClient(app, client=LOCAL) as plain:
        cookie = session_cookie(plain.get("/login"))
        assert "secure" not in cookie and "httponly" in cookie and "samesite=strict" in cookie
    with TestClient(proxied, client=PROXY, base_url="https://xltasks.example.gov.cn",
                    headers=via_proxy(VISITOR)) as visitor:
        cookie = session_cookie(visitor.get("/login"))
        assert "; secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
        sign_in(visitor)  # the office signs in through the proxy, over HTTPS
        page = visitor.get(f"/issue?period={PERIOD}")
        assert page.status_code == 200
        links = re.findall(r"(https?)://xltasks\.example\.gov\.cn/u/", page.text)
        assert links and set(links) == {"https"}  # the units' links are written https://


def test_forwarded_headers_from_an_untrusted_address_are_ignored(proxied):
    # a machine of the LAN that is not the proxy cannot pose as this machine
    with TestClient(proxied, client=("192.168.1.20", 4000), headers=via_proxy("127.0.0.1")) as c:
        r = c.get("/setup")
        assert r.status_code == 403 and "只能在运行 xltasks 的这台电脑上进行" in r.text


def test_forwarded_client_is_honoured_from_the_trusted_proxy(proxied):
    # nginx on this machine (127.0.0.1) forwarding a visitor from the internet: not local, no /setup
    with TestClient(proxied, client=LOCAL, headers=via_proxy(VISITOR)) as c:
        r = c.get("/setup")
        assert r.status_code == 403 and "只能在运行 xltasks 的这台电脑上进行" in r.text
    with TestClient(proxied, client=LOCAL) as c:  # the office on the machine itself, not through the proxy
        assert c.get("/setup").status_code == 200


def test_sign_in_throttle_keys_on_the_visitor_behind_the_proxy(proxied):
    proxied.state.web.store.set_setting(PASSWORD_KEY, hash_password(PASSWORD))

    def failures(c: TestClient, n: int) -> list[int]:
        token = csrf_of(c.get("/login").text)
        return [c.post("/login", data={"csrf": token, "password": f"wrong{i}"}).status_code for i in range(n)]

    with TestClient(proxied, client=PROXY, base_url="https://testserver", headers=via_proxy(VISITOR)) as c:
        assert failures(c, 6) == [401] * 5 + [429]
    with TestClient(proxied, client=PROXY, base_url="https://testserver", headers=via_proxy(OTHER_VISITOR)) as c:
        assert failures(c, 1) == [401]  # another visitor through the same proxy is not locked out
        sign_in(c)


def test_without_the_option_forwarded_headers_change_nothing(app):
    app.state.web.store.set_setting(PASSWORD_KEY, hash_password(PASSWORD))
    attempts = []
    with TestClient(app, client=("192.168.1.30", 4000)) as c:
        token = csrf_of(c.get("/login").text)
        for i in range(6):  # a new X-Forwarded-For each time does not escape the throttle
            attempts.append(c.post("/login", data={"csrf": token, "password": "wrong"},
                                   headers=via_proxy(f"198.51.100.{i}")).status_code)
    assert attempts == [401] * 5 + [429]
    with TestClient(app, client=LOCAL, headers=via_proxy(VISITOR)) as c:
        assert "secure" not in session_cookie(c.get("/login"))


def test_a_proxy_must_be_an_address_or_network(site):
    for bad in ("*", "nginx.local", "10.0.0.0/33"):
        with pytest.raises(ValueError):
            create_app(site, https_proxies=[bad])
    create_app(site, https_proxies=["10.0.0.0/24", "::1"])
