"""`make serve`'s workspace: the bundled example (Hangzhou register, 2021Q3, the 57 bundled returns) served."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import LOCAL, sign_in
from xltasks.web.adapter import open_site
from xltasks.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_example_workspace_serves_the_bundled_round(tmp_path):
    spec = importlib.util.spec_from_file_location("serve_example", ROOT / "scripts" / "serve_example.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    site = open_site(example.build(tmp_path / "ws"))
    with TestClient(create_app(site), client=LOCAL) as office:
        sign_in(office)
        board = office.get("/returns?period=2021Q3").text
        counts = dict(re.findall(r'data-count="([^"]+)">(\d+)<', board))
        assert counts == {"已报送": "57", "有错误退回": "0", "未报送": "0", "逾期": "49"}
        assert "逾期报送" not in board  # the bundled returns came in before the 2021-10-10 deadline
        overview = office.get("/").text
        assert "2021年第三季度" in overview and "超序时" in overview
        issue = office.get("/issue?period=2021Q3").text
        assert "分发清单（106 个单位）" in issue and issue.count("/u/") >= 106
