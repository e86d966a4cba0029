"""Access to the web page: first-start password, sign-in, sessions, form tokens, unit links."""
from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.conftest import LOCAL, PASSWORD, PERIOD, csrf_of, setup_code, sign_in
from xltasks.web.app import PASSWORD_KEY, SESSION_COOKIE
from xltasks.web.security import check_password, hash_password

OFFICE_PAGES = ["/", "/tasks", "/issue", "/returns", "/returns/board", "/compile", "/issue/all.zip",
                f"/issue/template?period={PERIOD}&unit=市发改委", "/compile/download/xlsx", "/returns/file/1"]
OFFICE_POSTS = ["/logout", "/issue/generate", "/issue/link", "/returns/upload", "/compile"]


def test_password_is_stored_as_a_salted_scrypt_hash(app, anon):
    sign_in(anon)
    stored = app.state.web.store.setting(PASSWORD_KEY)
    assert PASSWORD not in stored and stored.startswith("scrypt$")
    assert check_password(PASSWORD, stored) and not check_password(PASSWORD + "x", stored)
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # salted


def test_first_start_asks_for_a_password_and_refuses_a_short_one(anon):
    r = anon.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/setup")
    page = anon.get("/setup")
    r = anon.post("/setup", data={"csrf": csrf_of(page.text), "code": setup_code(anon), "password": "short",
                                  "again": "short"})
    assert r.status_code == 400 and "密码至少 8 位" in r.text
    r = anon.post("/setup", data={"csrf": csrf_of(page.text), "code": setup_code(anon), "password": "abcdefgh1",
                                  "again": "abcdefgh2"})
    assert "两次输入的密码不一致" in r.text


def test_setup_is_refused_from_another_machine(app):
    with TestClient(app, client=("192.168.1.20", 4000)) as remote:
        r = remote.get("/setup")
        assert r.status_code == 403 and "只能在运行 xltasks 的这台电脑上进行" in r.text


def test_setup_cannot_replace_a_password_once_set(app, office):
    with TestClient(app, client=LOCAL) as other:
        r = other.get("/setup", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        r = other.post("/setup", data={"csrf": "x", "password": "newpassword", "again": "newpassword"},
                       follow_redirects=False)
        assert r.status_code == 303
    assert check_password(PASSWORD, app.state.web.store.setting(PASSWORD_KEY))


def test_sign_in_wrong_password_then_right(app, office):
    with TestClient(app, client=LOCAL) as c:
        page = c.get("/login")
        r = c.post("/login", data={"csrf": csrf_of(page.text), "password": "wrong-password"})
        assert r.status_code == 401 and "密码不正确" in r.text
        assert c.get("/", follow_redirects=False).status_code == 303
        r = c.post("/login?next=/tasks", data={"csrf": csrf_of(page.text), "password": PASSWORD},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/tasks"
        assert c.get("/").status_code == 200


def test_sign_in_is_throttled_after_repeated_failures(app, office):
    with TestClient(app, client=("127.0.0.1", 7)) as c:
        page = c.get("/login")
        token = csrf_of(page.text)
        codes = [c.post("/login", data={"csrf": token, "password": f"wrong{i}"}).status_code for i in range(6)]
        assert codes[:5] == [401] * 5 and codes[5] == 429
        r = c.post("/login", data={"csrf": token, "password": PASSWORD})
        assert r.status_code == 429 and "5 分钟后再试" in r.text  # even the right password waits


def test_login_next_never_leaves_the_site(app, office):
    with TestClient(app, client=LOCAL) as c:
        page = c.get("/login")
        r = c.post("/login?next=//evil.example/x", data={"csrf": csrf_of(page.text), "password": PASSWORD},
                   follow_redirects=False)
        assert r.headers["location"] == "/"


def test_session_cookie_is_signed_httponly_and_samesite(app, anon):
    page = anon.get("/setup")
    r = anon.post("/setup", data={"csrf": csrf_of(page.text), "code": setup_code(anon), "password": PASSWORD,
                                  "again": PASSWORD}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE + "=") and "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    # a cookie edited by hand (signature broken) is no session
    value = anon.cookies.get(SESSION_COOKIE)
    assert anon.get("/", follow_redirects=False).status_code == 200
    anon.cookies.clear()
    anon.cookies.set(SESSION_COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert anon.get("/", follow_redirects=False).status_code == 303


def test_every_office_page_needs_the_session(app, office, links):
    with TestClient(app, client=LOCAL) as c:
        for path in OFFICE_PAGES:
            r = c.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
        for path in OFFICE_POSTS:
            r = c.post(path, data={"csrf": "x"}, follow_redirects=False)
            assert r.status_code == 403, path


def test_a_unit_link_opens_no_office_page(app, office, links):
    token = links["市发改委"]
    with TestClient(app, client=LOCAL) as c:
        c.get(f"/u/{token}")  # a unit that visited its own page first
        for path in OFFICE_PAGES:
            for variant in (path, path + ("&" if "?" in path else "?") + f"token={token}"):
                r = c.get(variant, follow_redirects=False, headers={"Authorization": f"Bearer {token}"})
                assert r.status_code in (303, 403), variant
                assert "市住建局" not in r.text and "市交通局" not in r.text, variant


def test_office_forms_refuse_a_missing_or_wrong_token(office, site):
    templates_before = sorted(p.name for p in site.templates_dir(PERIOD).iterdir())
    for data in ({"period": PERIOD}, {"period": PERIOD, "csrf": "forged"}):
        r = office.post("/issue/generate", data=data)
        assert r.status_code == 403 and "表单已过期或来源不明" in r.text
        r = office.post("/issue/link", data={**data, "unit": "市发改委", "action": "revoke"})
        assert r.status_code == 403
        r = office.post("/logout", data=data, follow_redirects=False)
        assert r.status_code == 403
    assert office.get("/").status_code == 200  # still signed in: the forged logout did nothing
    assert sorted(p.name for p in site.templates_dir(PERIOD).iterdir()) == templates_before


def test_logout_ends_the_session(office):
    page = office.get("/")
    r = office.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert office.get("/", follow_redirects=False).status_code == 303


def test_unknown_and_revoked_links_are_404_and_reissue_gives_a_new_one(office, links):
    assert office.get("/u/not-a-token").status_code == 404
    old = links["市交通局"]
    assert office.get(f"/u/{old}").status_code == 200
    page = office.get(f"/issue?period={PERIOD}")
    r = office.post("/issue/link", data={"csrf": csrf_of(page.text), "period": PERIOD, "unit": "市交通局",
                                         "action": "reissue"})
    assert r.status_code == 200 and "重新生成上传链接" in r.text
    r = office.get(f"/u/{old}")
    assert r.status_code == 404 and "链接无效或已停用" in r.text
    new = re.findall(r"/u/([A-Za-z0-9_-]{20,})", r.text) or re.findall(
        r"/u/([A-Za-z0-9_-]{20,})", office.get(f"/issue?period={PERIOD}").text)
    fresh = office.app.state.web.store.token_of("市交通局", PERIOD)
    assert fresh != old and fresh in office.get(f"/issue?period={PERIOD}").text and new
    assert office.get(f"/u/{fresh}").status_code == 200
    page = office.get(f"/issue?period={PERIOD}")
    office.post("/issue/link", data={"csrf": csrf_of(page.text), "period": PERIOD, "unit": "市交通局",
                                     "action": "revoke"})
    assert office.get(f"/u/{fresh}").status_code == 404


def test_security_headers(office, links):
    r = office.get(f"/u/{links['市发改委']}")
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert "<script>" not in r.text  # no inline script: the CSP would block it
    js = office.get("/static/htmx.min.js")
    assert js.status_code == 200 and js.text.startswith("var htmx=function()")


def test_unit_page_never_shows_the_office_menu(office, links):
    r = office.get(f"/u/{links['市发改委']}")  # even in a browser where the office is signed in
    assert r.status_code == 200 and "退出登录" not in r.text and 'href="/tasks"' not in r.text
    r = office.get("/u/unknown-token")
    assert r.status_code == 404 and "退出登录" not in r.text
