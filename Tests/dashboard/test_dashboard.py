"""The dashboard in a real browser: headless Chromium (Debian's chromium and chromium-driver)
driven by Selenium, against the real binary started by k2mock's pytest plugin. Saves a
screenshot and the stream's latency in .build/artifacts/."""
import os
import statistics
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARTIFACTS = os.path.join(ROOT, ".build", "artifacts")
DOCS_TOKEN = "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"
DOCS_PAYMENT = "c6fda139-2480-4a93-95ed-f72c66b92364"


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1250", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    yield driver
    driver.quit()


def wait(driver, condition, what, timeout=10):
    return WebDriverWait(driver, timeout, poll_frequency=0.02).until(lambda d: condition(d), message=what)


# The tables are redrawn on every change, so rows are read and clicked in one script each
# (an element found first and read later may be gone by then).
def row(driver, resource_id):
    return driver.execute_script(
        "return !!document.querySelector('#resources tbody tr[data-key$=\"/' + arguments[0] + '\"]')", resource_id)


def choose(driver, resource_id):
    driver.execute_script(
        "document.querySelector('#resources tbody tr[data-key$=\"/' + arguments[0] + '\"]').click()", resource_id)


def stage_of(driver, resource_id):
    return driver.execute_script(
        "const r = document.querySelector('#resources tbody tr[data-key$=\"/' + arguments[0] + '\"]');"
        "return r ? r.children[2].textContent : null", resource_id)


def pay(k2mock, callback_url, amount=20000):
    created = k2mock.request("POST", "/api/v1/payments", {
        "destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
        "amount": {"currency": "KES", "value": amount}, "metadata": {"notes": "May"},
        "_links": {"callback_url": callback_url}}, token=DOCS_TOKEN)
    assert created.status == 201, created.body
    return created.location.rsplit("/", 1)[1]


@pytest.mark.k2mock(clock="manual", seed=7)
def test_the_page_follows_the_sandbox_live(k2mock, k2mock_receiver, browser):
    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: row(d, DOCS_PAYMENT), "the fixture payment is listed")
    assert stage_of(browser, DOCS_PAYMENT) == "fixture"
    wait(browser, lambda d: d.execute_script("return document.getElementById('live').textContent") == "live",
         "the change stream is connected")
    browser.execute_script("window.notReloaded = true")

    payment = pay(k2mock, k2mock_receiver.url())
    wait(browser, lambda d: stage_of(d, payment) == "Pending", "a created payment appears without a reload")
    choose(browser, payment)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#lane circle[data-state="due"]'), "its due stages are drawn")

    browser.find_element(By.CSS_SELECTOR, '#advance button[data-seconds="60"]').click()
    wait(browser, lambda d: stage_of(d, payment) == "Transferred", "the stage change shows")
    wait(browser, lambda d: d.execute_script("return document.querySelector('#callbacks').textContent.includes('delivered')"),
         "the callback row shows")
    assert browser.execute_script("return window.notReloaded") is True
    reached = browser.execute_script(
        "return [...document.querySelectorAll('#lane circle[data-state=\"reached\"]')].map(c => c.dataset.stage)")
    assert reached == ["Pending", "Processed", "Transferred"]
    assert browser.find_elements(By.CSS_SELECTOR, "#lane .now"), "the now line is drawn"
    assert browser.find_elements(By.CSS_SELECTOR, "#lane rect.attempt-ok"), "the callback attempt is drawn"
    assert k2mock_receiver.received and k2mock_receiver.received[0].verified

    # Filters: a stage the chosen kind lacks is dropped, and the table follows the dropdowns.
    def pick(select_id, value):
        browser.execute_script(
            "const s = document.getElementById(arguments[0]); s.value = arguments[1];"
            "s.dispatchEvent(new Event('change'))", select_id, value)
    pick("stage-filter", "Transferred")
    assert browser.execute_script("return document.querySelectorAll('#resources tbody tr').length") == 1
    pick("kind-filter", "pay_recipient")
    assert browser.execute_script("return document.getElementById('stage-filter').value") == ""
    assert browser.execute_script("return document.querySelectorAll('#resources tbody tr').length") == 1
    pick("kind-filter", "")

    # A second payment half way along its timeline, chosen, for the screenshot: reached and due
    # stages on one lane, and the now line between them.
    second = pay(k2mock, k2mock_receiver.url(), amount=1500)
    k2mock.advance(3)
    wait(browser, lambda d: stage_of(d, second) == "Processed", "the second payment is processed")
    choose(browser, second)
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#lane circle[data-state="due"]')
         and d.find_elements(By.CSS_SELECTOR, '#lane circle[data-state="reached"]'), "reached and due stages")
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard.png"))

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors


@pytest.mark.k2mock(clock="manual", seed=7)
def test_stage_changes_reach_the_page_within_a_second(k2mock, k2mock_receiver, browser):
    """The time from an advance that changes a stage to the page showing it, over 20 changes."""
    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: d.execute_script("return document.getElementById('live').textContent") == "live",
         "the change stream is connected")
    latencies = []
    for _ in range(10):
        payment = pay(k2mock, k2mock_receiver.url())
        wait(browser, lambda d: stage_of(d, payment) == "Pending", "the payment appears")
        for seconds, stage in ((2, "Processed"), (3, "Transferred")):
            started = time.time() * 1000
            k2mock.advance(seconds)
            wait(browser, lambda d: stage_of(d, payment) == stage, "%s shows" % stage)
            rendered = float(browser.execute_script("return document.body.dataset.renderedAt"))
            latencies.append(rendered - started)
    median = statistics.median(latencies)
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "dashboard-latency.txt"), "w") as out:
        out.write("stage change to page, ms, over %d changes: median %.1f, max %.1f\n" % (len(latencies), median, max(latencies)))
    print("stage change to page: median %.1f ms, max %.1f ms over %d changes" % (median, max(latencies), len(latencies)))
    assert median < 1000, latencies


@pytest.mark.k2mock(admin_token="s3cret")
def test_with_an_admin_token_the_page_asks_for_it_once(k2mock, browser):
    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: d.find_element(By.ID, "token-dialog").get_attribute("open") is not None, "the page asks")
    browser.find_element(By.ID, "token").send_keys("s3cret")
    browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
    wait(browser, lambda d: row(d, DOCS_PAYMENT), "with the token the resources load")
    wait(browser, lambda d: d.execute_script("return document.getElementById('live').textContent") == "live",
         "and the stream connects")
    assert browser.find_element(By.ID, "token-dialog").get_attribute("open") is None
