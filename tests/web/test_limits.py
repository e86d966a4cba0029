"""Rate limits of the page: a unit's uploads per window, unknown links per address, wrong first-start codes —
each refusal a 429 with a Chinese message naming the wait and a Retry-After header; memory only, one
Throttle class for all of them (a fake clock here instead of waiting out the windows)."""
from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import LOCAL, PERIOD, TEST_LIMITS, csrf_of, setup_code, upload
from xltasks.web.app import PASSWORD_KEY, Limits, create_app
from xltasks.web.security import Throttle, new_setup_code, same_setup_code

UPLOADS, MISSES = 3, 4
LIMITS = dataclasses.replace(TEST_LIMITS, unit_uploads=UPLOADS, link_misses=MISSES)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited(site):
    """The app with small limits and its throttles on a clock the test moves."""
    app = create_app(site, limits=LIMITS)
    clock = Clock()
    web = app.state.web
    for throttle in (web.throttle, web.upload_throttle, web.link_throttle):
        throttle.clock = clock
    links = web.store.ensure_tokens(["市发改委", "市住建局"], PERIOD)
    return app, clock, links


def test_throttle_counts_a_sliding_window_and_says_how_long_to_wait():
    clock = Clock()
    t = Throttle(limit=2, window=600, clock=clock)
    assert t.take("a") == 0
    clock.now += 100
    assert t.take("a") == 0
    assert t.take("a") == 500 and t.retry_after("a") == 500  # refused, and the refusal was not counted
    assert t.take("b") == 0  # another key has its own count
    clock.now += 250
    assert t.retry_after("a") == 250
    t.hit("b")
    assert t.blocked("b")
    t.clear("b")
    assert not t.blocked("b")
    clock.now += 250  # the first event left the window: one more is allowed, then the second one's wait
    assert t.take("a") == 0 and t.take("a") == 100


def test_throttle_forgets_idle_keys_when_flooded_with_new_ones():
    clock = Clock()
    t = Throttle(limit=1, window=10, clock=clock)
    t.MAX_KEYS = 50
    for i in range(50):
        t.hit(f"10.0.0.{i}")
    clock.now += 11
    t.hit("10.0.1.1")
    assert len(t._events) == 1  # the 50 stale addresses went, memory stays bounded


def test_unit_uploads_past_the_limit_wait_with_a_chinese_429(limited, site, returns):
    app, clock, links = limited
    with TestClient(app, client=LOCAL) as unit:
        token = links["市住建局"]
        codes = [upload(unit, token, [("市住建局.xlsx", returns["市住建局"].read_bytes())]).status_code]
        codes += [upload(unit, token, []).status_code for _ in range(UPLOADS - 1)]  # empty tries count too
        assert codes == [200] + [400] * (UPLOADS - 1)
        r = upload(unit, token, [("市住建局.xlsx", returns["市住建局"].read_bytes())])
        assert r.status_code == 429
        assert "本单位 10 分钟内已上传 3 次，达到上限，本次未接收。请 10 分钟后" in r.text
        assert r.headers["retry-after"] == "600"
        assert len(app.state.web.store.uploads(PERIOD, "市住建局")) == 1  # the refused one was not stored
        assert len(list(site.returns_dir(PERIOD).iterdir())) == 1
        # htmx gets the result fragment with the same reason (app.js swaps it into the page)
        r = upload(unit, token, [("市住建局.xlsx", b"x")], htmx=True)
        assert r.status_code == 429 and "达到上限" in r.text and "<html" not in r.text
        assert r.headers["retry-after"] == "600"
        # the page itself still opens, and another unit's uploads are not affected
        assert unit.get(f"/u/{token}").status_code == 200
        assert upload(unit, links["市发改委"], []).status_code == 400
        clock.now += 599  # one second before the window ends, still waiting
        assert upload(unit, token, []).headers.get("retry-after") == "1"
        clock.now += 1
        r = upload(unit, token, [("市住建局.xlsx", returns["市住建局"].read_bytes())])
        assert r.status_code == 200 and "已接收" in r.text


def test_unknown_links_from_one_address_wait_then_every_link_waits(limited):
    app, clock, links = limited
    live = links["市发改委"]
    with TestClient(app, client=("198.51.100.7", 5000)) as guesser:
        codes = [guesser.get(f"/u/guess-{i}").status_code for i in range(MISSES)]
        assert codes == [404] * MISSES
        r = guesser.get("/u/guess-next")
        assert r.status_code == 429 and "无效链接的尝试次数过多，请 10 分钟后再试" in r.text
        assert r.headers["retry-after"] == "600" and "退出登录" not in r.text
        # a live link answers the same 429 from this address: the answer does not tell a hit from a miss
        for path in (f"/u/{live}", f"/u/{live}/template", f"/u/{live}/uploads/1"):
            r = guesser.get(path)
            assert r.status_code == 429 and "市发改委" not in r.text, path
        assert guesser.post(f"/u/{live}/upload", data={"form_token": "x"}).status_code == 429
    with TestClient(app, client=("198.51.100.8", 5000)) as other:  # another address is not affected
        assert other.get(f"/u/{live}").status_code == 200
        assert other.get("/u/guess-0").status_code == 404
    clock.now += 600
    with TestClient(app, client=("198.51.100.7", 5000)) as guesser:
        assert guesser.get(f"/u/{live}").status_code == 200


def test_a_units_own_pages_are_not_counted_as_misses(limited):
    app, clock, links = limited
    with TestClient(app, client=LOCAL) as unit:
        token = links["市发改委"]
        for _ in range(3 * MISSES):
            assert unit.get(f"/u/{token}").status_code == 200
            upload_page = unit.get(f"/u/{token}/uploads/999")
            assert upload_page.status_code == 404  # its own unknown record: not a link miss
        assert unit.get(f"/u/{token}/template").status_code == 200


def test_default_limits_leave_room_for_deadline_day():
    limits = Limits()
    # 57 units each re-sending a corrected file a few times (and a unit that sends its 10 files one by one)
    assert limits.unit_uploads >= 3 * 10 and limits.upload_window_s <= 600
    assert limits.link_misses >= 20 and limits.sign_in_failures == 5


def test_setup_needs_the_one_time_code(app):
    store = app.state.web.store
    with TestClient(app, client=LOCAL) as c:
        code = setup_code(c)
        page = c.get("/setup")
        assert 'name="code" value=""' in page.text
        for wrong in (None, "", "ABCD-EFGH"):
            data = {"csrf": csrf_of(page.text), "password": "督查室-新的密码2021", "again": "督查室-新的密码2021"}
            if wrong is not None:
                data["code"] = wrong
            r = c.post("/setup", data=data, follow_redirects=False)
            assert r.status_code == 403 and "一次性验证码不正确" in r.text
        assert store.setting(PASSWORD_KEY) is None
        # the console's link fills it in; typed in lower case without the dash it is the same code
        assert f'name="code" value="{code}"' in c.get(f"/setup?code={code}").text
        r = c.post("/setup", data={"csrf": csrf_of(page.text), "code": code.lower().replace("-", ""),
                                   "password": "督查室-新的密码2021", "again": "督查室-新的密码2021"}, follow_redirects=False)
        assert r.status_code == 303 and store.setting(PASSWORD_KEY) is not None


def test_wrong_setup_codes_are_throttled(app):
    with TestClient(app, client=LOCAL) as c:
        page = c.get("/setup")
        data = {"csrf": csrf_of(page.text), "code": "WRNG-CODE", "password": "督查室-新的密码2021", "again": "督查室-新的密码2021"}
        codes = [c.post("/setup", data=data).status_code for _ in range(TEST_LIMITS.sign_in_failures)]
        assert codes == [403] * TEST_LIMITS.sign_in_failures
        r = c.post("/setup", data={**data, "code": setup_code(c)})  # even the right code waits now
        assert r.status_code == 429 and "验证码错误次数过多，请 5 分钟后再试" in r.text
        assert r.headers["retry-after"] == "300"
        assert app.state.web.store.setting(PASSWORD_KEY) is None


def test_setup_codes_are_fresh_and_unambiguous():
    codes = {new_setup_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 9 and c[4] == "-" and not set(c) & set("01OI") for c in codes)
    code = new_setup_code()
    assert same_setup_code(f" {code.lower()} ", code) and not same_setup_code(code[:-1], code)


def test_sign_in_refusal_carries_retry_after(office, app):
    with TestClient(app, client=("127.0.0.1", 9)) as c:
        page = c.get("/login")
        for i in range(TEST_LIMITS.sign_in_failures):
            c.post("/login", data={"csrf": csrf_of(page.text), "password": f"wrong{i}"})
        r = c.post("/login", data={"csrf": csrf_of(page.text), "password": "wrong"})
        assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 300

