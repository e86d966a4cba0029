"""Fixtures of the web tests: a small workspace (the collect tests' register of 5 units), its app, clients."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from tests.builders import CLEAN, PERIOD, make_register
from xltasks.core.register_io import write_register  # noqa: E402
from xltasks.issuing.fill import Entry, fill_template  # noqa: E402
from xltasks.web.adapter import Site, issued_templates  # noqa: E402
from xltasks.workspace import Workspace  # noqa: E402
from xltasks.web.app import Limits, create_app  # noqa: E402

PASSWORD = "督查室-2021-secret"
LOCAL = ("127.0.0.1", 50000)
TEST_LIMITS = Limits(file_bytes=2 * 1024 * 1024, body_bytes=5 * 1024 * 1024, unit_files=4, office_files=20)
# 市发改委's 1.1 block: its first entry row is 4; a text in 目标值 (I) is an error at I4
PLANTED = [Entry("1.1", "地铁建设", "新增地铁运营里程", "公里", "七十五", 60)]


def new_workspace(root: Path, register, *, title: str, deadline: dt.date, office: str = "",
                  contact: str = "") -> Site:
    """A workspace (xltasks init) holding `register`, whose 2021Q3 is due on `deadline`, templates issued."""
    import dataclasses

    with Workspace.init(root, title=title, year=2021, office=office, contact=contact) as ws:
        ws.config.periods = [dataclasses.replace(p, deadline=deadline) if p.name == PERIOD else p
                             for p in ws.config.periods]
        ws.save_config()
        write_register(register, ws.register_path)
    site = Site(root=root.resolve())
    site.issue_templates(PERIOD)
    return site


def make_workspace(root: Path, *, deadline: dt.date = dt.date(2099, 10, 10)) -> Site:
    return new_workspace(root / "ws", make_register(), title="2021年政府工作报告重点工作督查", deadline=deadline,
                         office="市政府督查室", contact="督查室 张三 0571-12345678")


def csrf_of(html: str, name: str = "csrf") -> str:
    m = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert m, f"no {name} field in the page"
    return m.group(1)


def setup_code(client: TestClient) -> str:
    """The first start's one-time code, which `xltasks serve` prints on its console."""
    return client.app.state.web.setup_code


def sign_in(client: TestClient, password: str = PASSWORD) -> None:
    page = client.get("/setup")
    if "设置督查室密码" in page.text:
        r = client.post("/setup", data={"csrf": csrf_of(page.text), "code": setup_code(client), "password": password,
                                        "again": password}, follow_redirects=False)
    else:
        page = client.get("/login")
        r = client.post("/login", data={"csrf": csrf_of(page.text), "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text


@pytest.fixture
def site(tmp_path):
    return make_workspace(tmp_path)


@pytest.fixture
def app(site):
    return create_app(site, limits=TEST_LIMITS)


@pytest.fixture
def office(app):
    with TestClient(app, client=LOCAL) as client:
        sign_in(client)
        yield client


@pytest.fixture
def anon(app):
    with TestClient(app, client=LOCAL) as client:
        yield client


@pytest.fixture
def links(app, site):
    return app.state.web.store.ensure_tokens(list(issued_templates(site, PERIOD)), PERIOD)


@pytest.fixture
def returns(tmp_path, site):
    """Clean returns of every unit that has one (CLEAN), and 市发改委's return with a planted error."""
    templates = issued_templates(site, PERIOD)
    out = tmp_path / "filled"
    out.mkdir()
    files = {}
    for unit, entries in CLEAN.items():
        files[unit] = out / f"{unit}-三季度报送.xlsx"
        fill_template(templates[unit], files[unit], entries)
    files["planted"] = out / "市发改委-有错误.xlsx"
    fill_template(templates["市发改委"], files["planted"], PLANTED)
    return files


def form_token(client, token: str) -> str:
    """The form token of a unit's upload page (bound to its link)."""
    return csrf_of(client.get(f"/u/{token}").text, "form_token")


def upload(client, token: str, files: list[tuple[str, bytes]], *, htmx: bool = False, token_field: str | None = None):
    """POST `files` to a unit's upload form (the page's own form token unless `token_field` is given)."""
    data = {"form_token": token_field if token_field is not None else form_token(client, token)}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/u/{token}/upload", data=data, headers=headers,
                       files=[("files", (name, body, "application/octet-stream")) for name, body in files])
