"""The experiment comparison UI, driven in headless Chromium: MLflow's UI on a store with two training runs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.mlflow, pytest.mark.spacy_model, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not CHROMIUM or not CHROMEDRIVER:
        return "Chromium is absent (apt-get install chromium chromium-driver; .ci/run does this)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def browser():
    why = _missing()
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1600,1000"):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={Path(os.environ.get('TMPDIR', '/tmp')) / f'coder-chromium-{os.getpid()}'}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture()
def mlflow_ui(mlflow_runs):
    uri, results = mlflow_runs
    port = _free_port()
    mlflow_bin = str(Path(sys.executable).with_name("mlflow"))
    proc = subprocess.Popen([mlflow_bin, "ui", "--backend-store-uri", uri, "--host", "127.0.0.1", "--port",
                             str(port), "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                pytest.fail("mlflow ui did not start")
            time.sleep(1)
        yield base, uri, results
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait(driver, predicate, timeout: float = 60.0, what: str = ""):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # elements re-render while the React app loads
            pass
        time.sleep(0.5)
    driver.save_screenshot(str(Path(os.environ.get("TMPDIR", "/tmp")) / "coder-ui-failure.png"))
    pytest.fail(f"timed out waiting for {what}")


def test_compare_two_runs_in_mlflow_ui(browser, mlflow_ui) -> None:
    import mlflow
    from selenium.webdriver.common.by import By

    base, uri, results = mlflow_ui
    runs = [results["default"], results["no_rules"]]
    experiment_id = mlflow.MlflowClient(tracking_uri=uri).get_run(runs[0].run_id).info.experiment_id
    browser.get(f"{base}/#/experiments/{experiment_id}/runs")
    body = lambda: browser.find_element(By.TAG_NAME, "body").text  # noqa: E731
    _wait(browser, lambda: "default" in body() and "no_rules" in body(), what="both runs in the runs table")

    # The store also holds tuning and evaluation runs: tick exactly the rows of the two training runs.
    for name in ("default", "no_rules"):
        box = _wait(browser, lambda: browser.execute_script(_ROW_CHECKBOX_JS, name), what=f"checkbox of run {name}")
        browser.execute_script("arguments[0].click();", box)
    compare = _wait(browser, lambda: next((b for b in browser.find_elements(By.TAG_NAME, "button")
                                            if b.text.strip().startswith("Compare")), None), what="Compare button")
    compare.click()
    _wait(browser, lambda: "compare-runs" in browser.current_url, what="the compare view")
    _wait(browser, lambda: "dev_macro_f1" in body() and "Run details" in body(), what="metrics in compare view")
    order = next(line for line in body().splitlines() if line.startswith("Run ID:")).removeprefix("Run ID:").split()
    assert sorted(order) == sorted(r.run_id for r in runs)
    names, values = _metrics_grid_seen(browser)
    assert "dev_macro_f1" in names
    for result in runs:
        f1 = result.evaluations["dev"].metrics["macro_f1"]
        assert any(abs(v - f1) <= 6e-4 for v in values), (f1, sorted(values))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# The selection checkbox on the runs-table row whose run name is exactly arguments[0] (ag-grid keeps the
# pinned checkbox column and the name column in separate containers, joined by row-index).
_ROW_CHECKBOX_JS = """
const cell = Array.from(document.querySelectorAll('a, span, div'))
  .find(e => e.childElementCount === 0 && e.textContent.trim() === arguments[0] && e.closest('[row-index]'));
if (!cell) return null;
const idx = cell.closest('[row-index]').getAttribute('row-index');
return document.querySelector(`[row-index="${idx}"] input[type=checkbox]`);
"""
# The metrics section: the nearest ancestor of the name grid wide enough to hold the value grids too.
_SECTION_JS = """
let e = arguments[0];
while (e && e.getBoundingClientRect().width < arguments[0].getBoundingClientRect().width * 2.2) e = e.parentElement;
return e;
"""
# Text cells (top, left, text) inside the section's box.
_CELLS_JS = """
const out = [];
const box = arguments[0].getBoundingClientRect();
document.body.querySelectorAll('*').forEach(e => {
  const own = Array.from(e.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
  if (!own) return;
  const r = e.getBoundingClientRect();
  if (r.height > 0 && r.top >= box.top - 2 && r.bottom <= box.bottom + 2 && r.left >= box.left - 2
      && r.right <= box.right + 2)
    out.push([Math.round(r.top), Math.round(r.left), own]);
});
return out;
"""
# Scroll the value grids inside the section by 100 px (ScrollSync moves the name column with them).
_SCROLL_JS = """
arguments[0].querySelectorAll('*').forEach(e => {
  if (e !== arguments[1] && e.scrollHeight > e.clientHeight + 5) e.scrollTop += 40;
});
"""
_SCROLLER_JS = """
let e = arguments[0];
while (e && !(e.scrollHeight > e.clientHeight + 5 && getComputedStyle(e).overflowY !== 'visible')) e = e.parentElement;
return e;
"""


def _metrics_grid_seen(browser) -> tuple[set[str], set[float]]:
    """Metric names and values shown in the compare view's metrics grid, read while scrolling through it
    (the grid is virtualised: rows are rendered only as they scroll into view)."""
    from selenium.webdriver.common.by import By

    name_cell = browser.find_element(By.XPATH, "//*[normalize-space(text())='cv_macro_f1_mean']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", name_cell)
    time.sleep(0.5)
    scroller = browser.execute_script(_SCROLLER_JS, name_cell)
    assert scroller is not None, "metrics grid not found"
    section = browser.execute_script(_SECTION_JS, scroller)
    names: set[str] = set()
    values: set[float] = set()
    for _ in range(80):
        for _top, _left, text in browser.execute_script(_CELLS_JS, section):
            if _is_number(text):
                values.add(float(text))
            else:
                names.add(text)
        before = browser.execute_script("return arguments[0].scrollTop", scroller)
        browser.execute_script(_SCROLL_JS, section, scroller)
        time.sleep(0.4)
        if browser.execute_script("return arguments[0].scrollTop", scroller) == before:
            break
    return names, values
