"""A real browser (Debian's chromium + chromium-driver through selenium) on the running server: a unit opens
its page and uploads a good return and one with a planted error, sees the cell-level problem on the page,
and the office's 报送情况 board, open in another tab, changes by itself (htmx polling).

Skipped with a reason where chromium or chromium-driver is missing; mandatory where XLTASKS_REQUIRE_CHROMIUM
is set (CI). Screenshots are saved as test artefacts in build/test-artefacts/web/ (or $XLTASKS_ARTEFACTS).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, PERIOD
from xltasks.web.app import PASSWORD_KEY, create_app
from xltasks.web.security import hash_password
from xltasks.web.server import background_server

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("XLTASKS_ARTEFACTS") or ROOT / "build" / "test-artefacts" / "web")
WAIT_S = 30


def _missing(reason: str):
    if os.environ.get("XLTASKS_REQUIRE_CHROMIUM"):
        pytest.fail(f"chromium is required (XLTASKS_REQUIRE_CHROMIUM=1): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install '.[test]')")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        _missing("Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1366,768", "--lang=zh-CN", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    # the browser's own words (the file chooser's button) in Chinese, as on an office's machine
    service = Service(executable_path=driver_path, env={**os.environ, "LANGUAGE": "zh_CN"})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    import base64

    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": 1366, "height": min(max(768, size["height"]), 3000), "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                              "clip": clip})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def print_pdf(driver, name: str) -> Path:
    import base64

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.pdf"
    data = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"]
    path.write_bytes(base64.b64decode(data))
    return path


def board_status(driver, unit: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'tr[data-unit="{unit}"] td.state').text


def test_unit_uploads_and_the_office_board_follows(browser, site, returns):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    app = create_app(site)
    app.state.web.store.set_setting(PASSWORD_KEY, hash_password(PASSWORD))
    links = app.state.web.store.ensure_tokens(["市发改委", "市交通局", "市应急局", "市住建局", "市农业农村局"], PERIOD)
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    # the board is swapped in by htmx every few seconds: an element read during a swap is stale, look again
    wait = WebDriverWait(browser, WAIT_S, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))
    with background_server(app) as base:
        # the office signs in and opens 报送情况: 市发改委 has not reported
        browser.get(f"{base}/returns")
        assert "/login" in browser.current_url
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form button").click()
        wait.until(lambda d: "报送情况" in d.title)
        assert board_status(browser, "市发改委") == "未报送"
        shot(browser, "1-office-board-before")
        office_tab = browser.current_window_handle

        # the unit opens its own link in another tab
        browser.switch_to.new_window("tab")
        browser.get(f"{base}/u/{links['市发改委']}")
        assert "市发改委" in browser.title and "市交通局" not in browser.page_source
        shot(browser, "2-unit-page")

        def send(path: Path):
            box = browser.find_element(By.CSS_SELECTOR, "input[type=file]")
            box.clear()
            box.send_keys(str(path))
            browser.find_element(By.CSS_SELECTOR, ".upload-box button").click()

        send(returns["市发改委"])
        wait.until(lambda d: "已接收：" in d.find_element(By.ID, "result").text)
        assert "检查通过" in browser.find_element(By.ID, "result").text
        assert browser.current_url.endswith(links["市发改委"])  # htmx: the result came into the same page
        shot(browser, "3-unit-accepted")

        browser.switch_to.window(office_tab)
        wait.until(lambda d: board_status(d, "市发改委") == "已报送")  # the board refreshed itself
        shot(browser, "4-office-board-reported")

        browser.switch_to.window(browser.window_handles[1])
        send(returns["planted"])
        wait.until(lambda d: "有错误，已退回" in d.find_element(By.ID, "result").text)
        result = browser.find_element(By.ID, "result")
        cells = [c.text for c in result.find_elements(By.CSS_SELECTOR, "table.problems td.where")]
        assert "I4" in cells and "填报" in cells
        row = next(r for r in result.find_elements(By.CSS_SELECTOR, "table.problems tbody tr")
                   if "I4" in r.text)
        assert "目标值" in row.text and "错误" in row.text
        assert "此前已通过的报送表仍然有效" in result.text
        history = browser.find_element(By.ID, "history").text
        assert history.count("市发改委-") == 2 and "有错误退回" in history
        shot(browser, "5-unit-planted-error")

        browser.switch_to.window(office_tab)
        wait.until(lambda d: board_status(d, "市发改委") == "有错误退回")
        shot(browser, "6-office-board-rejected")
        browser.get(f"{base}/")
        assert "总览" in browser.title
        shot(browser, "7-office-overview")

        # printed (A4 landscape by the print style sheet): the board without menus, forms or buttons
        browser.get(f"{base}/returns")
        pdf = print_pdf(browser, "8-office-board-print")
        from pypdf import PdfReader

        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "市发改委" in text and "有错误退回" in text and "市农业农村局" in text
        for hidden in ("退出登录", "代单位上传", "选择文件", "总览"):
            assert hidden not in text, hidden


def test_a_refused_upload_shows_its_reason_in_the_page(browser, site, returns):
    """Past the unit's upload limit the 429 answer's reason comes into the page (htmx swaps only 2xx by
    default; app.js lets a refused upload's fragment through), as does the 400 of an empty upload."""
    import dataclasses

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from xltasks.web.app import Limits

    app = create_app(site, limits=dataclasses.replace(Limits(), unit_uploads=1))
    token = app.state.web.store.ensure_tokens(["市交通局"], PERIOD)["市交通局"]
    with background_server(app) as base:
        browser.get(f"{base}/u/{token}")
        box = browser.find_element(By.CSS_SELECTOR, "input[type=file]")
        box.send_keys(str(returns["市交通局"]))
        browser.find_element(By.CSS_SELECTOR, ".upload-box button").click()
        WebDriverWait(browser, WAIT_S).until(lambda d: "已接收：" in d.find_element(By.ID, "result").text)
        box = browser.find_element(By.CSS_SELECTOR, "input[type=file]")
        box.clear()
        box.send_keys(str(returns["市交通局"]))
        browser.find_element(By.CSS_SELECTOR, ".upload-box button").click()
        WebDriverWait(browser, WAIT_S).until(lambda d: "达到上限" in d.find_element(By.ID, "result").text)
        result = browser.find_element(By.ID, "result").text
        assert "本单位 10 分钟内已上传 1 次，达到上限，本次未接收。请 10 分钟后" in result
        assert browser.current_url.endswith(token) and "本单位的报送记录" in result
        assert len(app.state.web.store.uploads(PERIOD, "市交通局")) == 1
        shot(browser, "9-unit-upload-limit")
