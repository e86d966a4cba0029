"""Shared fixtures: the seed documents, LibreOffice, and the cached-versus-recalculated check."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.builders import PERIOD, make_register
from xltasks.core.libreoffice import find_soffice, has_component
from xltasks.issuing.templates import make_templates

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seeds"
SEED_000 = SEEDS / "000_hangzhou_2021_decomposition.txt"
SEED_002 = SEEDS / "002_hangzhou_2021_q3_compilation.txt"
SEED_003 = SEEDS / "003_huzhou_2021_decomposition.txt"
SEED_004 = SEEDS / "004_yuhang_2018_decomposition.txt"


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice binary. Mandatory when XLTASKS_REQUIRE_LIBREOFFICE is set (CI): a test that
    needs it fails there instead of skipping, so it can never pass vacuously."""
    path = find_soffice()
    if path:
        return path
    if os.environ.get("XLTASKS_REQUIRE_LIBREOFFICE"):
        pytest.fail("LibreOffice is required (XLTASKS_REQUIRE_LIBREOFFICE=1) but soffice was not found")
    pytest.skip("LibreOffice (soffice) is not installed: install libreoffice-calc-nogui to run this check")


@pytest.fixture(scope="session")
def soffice_writer(soffice) -> str:
    """LibreOffice with Writer (Word documents to PDF). Debian packages Writer apart from Calc: where only Calc
    is installed these tests skip with that reason, and fail where LibreOffice is mandatory (CI)."""
    if has_component(soffice, "writer"):
        return soffice
    if os.environ.get("XLTASKS_REQUIRE_LIBREOFFICE"):
        pytest.fail("LibreOffice Writer is required (XLTASKS_REQUIRE_LIBREOFFICE=1) but is not installed")
    pytest.skip("LibreOffice Writer is not installed: install libreoffice-writer-nogui to convert Word documents")


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """The small register (tests/builders.py) and its templates, by unit."""
    reg = make_register()
    out = tmp_path_factory.mktemp("templates")
    run = make_templates(reg, out, PERIOD, deadline=None)
    return reg, {t.unit: t for t in run.issued}
