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

    def row_boxes():
        boxes = browser.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
        return [b for b in boxes if (b.get_attribute("aria-label") or "").startswith("Press Space to toggle row")]

    boxes = _wait(browser, lambda: row_boxes() if len(row_boxes()) >= 2 else None, what="run checkboxes")
    for box in boxes[:2]:
        browser.execute_script("arguments[0].click();", box)
    compare = _wait(browser, lambda: next((b for b in browser.find_elements(By.TAG_NAME, "button")
                                            if b.text.strip().startswith("Compare")), None), what="Compare button")
    compare.click()
    _wait(browser, lambda: "compare-runs" in browser.current_url, what="the compare view")
    _wait(browser, lambda: "dev_macro_f1" in body() and "Run details" in body(), what="metrics in compare view")
    text = body()
    for result in runs:
        f1 = result.evaluations["dev"].metrics["macro_f1"]
        assert f"{f1:.3f}" in text, (f1, text[:2000])
        assert result.run_id in text
