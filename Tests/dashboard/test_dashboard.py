"""The dashboard in a real browser: headless Chromium (Debian's chromium and chromium-driver)
driven by Selenium, against the real binary started by k2mock's pytest plugin. Saves
screenshots and the stream's latency in .build/artifacts/."""
import os
import statistics
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from k2mock.receiver import CallbackReceiver

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
        "return r ? r.querySelector('.stage-name').textContent : null", resource_id)


def listed_ids(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#resources tbody tr')].map(r => r.dataset.key.split('/')[1])")


def text(driver, element_id):
    return driver.execute_script("return document.getElementById(arguments[0]).textContent", element_id)


def is_live(driver):
    return text(driver, "live") == "live"


def pay(k2mock, callback_url, amount=20000, token=DOCS_TOKEN):
    created = k2mock.request("POST", "/api/v1/payments", {
        "destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
        "amount": {"currency": "KES", "value": amount}, "metadata": {"notes": "May"},
        "_links": {"callback_url": callback_url}}, token=token)
    assert created.status == 201, created.body
    return created.location.rsplit("/", 1)[1]


def make_sandbox(k2mock, name):
    made = k2mock.request("POST", "/__admin/sandboxes", {"name": name, "clock": "manual"})
    assert made.status == 201, made.body
    return made.json()


def severe_errors(driver):
    """The console's errors, but for the 404s a deleted sandbox's own requests get."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
            and not ("/__admin/sandboxes/" in entry["message"] and "404" in entry["message"])]


@pytest.mark.k2mock(clock="manual", seed=7)
def test_the_page_follows_the_sandbox_live(k2mock, k2mock_receiver, browser):
    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: row(d, DOCS_PAYMENT), "the fixture payment is listed")
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


@pytest.mark.k2mock(clock="manual", seed=7)
def test_a_fixture_row_shows_its_stage_and_a_fixture_tag(k2mock, k2mock_receiver, browser):
    created = pay(k2mock, k2mock_receiver.url())
    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: row(d, DOCS_PAYMENT) and row(d, created), "the fixture and the created payment are listed")
    for resource in k2mock.resources():
        if resource.created_at is not None:
            continue
        # Its stage: the `stage` field, else (a kind without stages) the status its body reports.
        expected = resource.stage or resource.body["data"]["attributes"]["status"]
        assert stage_of(browser, resource.id) == expected, resource.id
        assert expected != "fixture"
    tags = browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#resources tbody tr')].map("
        "r => [r.dataset.key.split('/')[1], [...r.querySelectorAll('.tag')].map(t => t.textContent)]))")
    assert tags[DOCS_PAYMENT] == ["fixture"]
    assert tags[created] == [], "a created payment is no fixture"
    assert stage_of(browser, created) == "Pending"
    # The stage filter finds a fixture by its stage.
    fixture_stage = stage_of(browser, DOCS_PAYMENT)
    browser.execute_script(
        "const s = document.getElementById('stage-filter'); s.value = arguments[0]; s.dispatchEvent(new Event('change'))",
        fixture_stage)
    assert DOCS_PAYMENT in listed_ids(browser) and created not in listed_ids(browser)
    assert severe_errors(browser) == []


@pytest.mark.k2mock(clock="manual", seed=7)
def test_a_chosen_sandbox_shows_its_own_resources_live_and_survives_a_reload(k2mock, k2mock_receiver, browser):
    make_sandbox(k2mock, "w1")
    in_default = pay(k2mock, k2mock_receiver.url())
    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: row(d, in_default), "the default sandbox's payment is listed")
    wait(browser, lambda d: d.execute_script("return document.querySelectorAll('#sandbox option').length") == 2,
         "the picker lists the sandboxes")
    picker = Select(browser.find_element(By.ID, "sandbox"))
    assert [(o.get_attribute("value"), o.text) for o in picker.options] == [("", "default"), ("w1", "w1")]

    # A sandbox made after the page loaded joins the picker (it is read again every few seconds).
    make_sandbox(k2mock, "w2")
    wait(browser, lambda d: "w2" in d.execute_script(
        "return [...document.querySelectorAll('#sandbox option')].map(o => o.value)"), "w2 is offered", timeout=8)

    picker.select_by_value("w1")
    wait(browser, lambda d: DOCS_PAYMENT in listed_ids(d) and in_default not in listed_ids(d),
         "w1's resources and not the default's")
    assert browser.execute_script("return location.hash") == "#sandbox=w1"
    wait(browser, is_live, "w1's change stream is connected")
    browser.execute_script("window.notReloaded = true")

    with CallbackReceiver(api_key="sandbox_api_key-w1") as receiver:
        in_w1 = pay(k2mock, receiver.url(), amount=777, token=DOCS_TOKEN + "-w1")
        wait(browser, lambda d: stage_of(d, in_w1) == "Pending", "a payment made in w1 appears without a reload")
        assert in_default not in listed_ids(browser)
        choose(browser, in_w1)
        # Its clock, advanced by the page's own button, moves w1's payment and calls back.
        browser.find_element(By.CSS_SELECTOR, '#advance button[data-seconds="60"]').click()
        wait(browser, lambda d: stage_of(d, in_w1) == "Transferred", "w1's stage change shows")
        wait(browser, lambda d: d.execute_script(
            "return [...document.querySelectorAll('#callbacks tbody tr')].some(r => r.textContent.includes('delivered'))"),
            "w1's callback row shows")
        receiver.wait_for(1)
        assert receiver.received[0].verified, "signed with w1's API key"
        wait(browser, lambda d: d.execute_script(
            "return document.querySelector('#detail-signature .value')?.title") == receiver.received[0].signature,
            "the chosen payment's last callback signature")
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-sandbox-w1.png"))
    assert browser.execute_script("return window.notReloaded") is True
    # The default sandbox did not move: its payment is still Pending, and the page's clock is w1's.
    assert next(r for r in k2mock.resources() if r.id == in_default).stage == "Pending"
    w1_clock = k2mock.request("GET", "/__admin/sandboxes/w1/clock").json()["now"]
    wait(browser, lambda d: text(d, "now") == w1_clock[:10] + " " + w1_clock[11:19], "w1's clock")
    # Its requests panel lists w1's request only.
    wait(browser, lambda d: d.execute_script("return document.querySelectorAll('#requests tbody tr').length") == 1,
         "w1's one request")

    # A change in the default sandbox does not reach the page showing w1...
    another = pay(k2mock, k2mock_receiver.url(), amount=5)
    time.sleep(0.5)
    assert another not in listed_ids(browser)

    # ...and the choice survives a reload.
    browser.refresh()
    wait(browser, lambda d: row(d, in_w1), "w1's payment after a reload")
    assert Select(browser.find_element(By.ID, "sandbox")).first_selected_option.get_attribute("value") == "w1"
    assert in_default not in listed_ids(browser)

    # Back to default: its resources, its stream.
    Select(browser.find_element(By.ID, "sandbox")).select_by_value("")
    wait(browser, lambda d: row(d, in_default) and row(d, another) and not row(d, in_w1), "the default's resources again")
    assert browser.execute_script("return location.hash") == ""
    wait(browser, is_live, "the default's stream")
    last = pay(k2mock, k2mock_receiver.url(), amount=6)
    wait(browser, lambda d: stage_of(d, last) == "Pending", "the default's live updates")
    assert severe_errors(browser) == []


@pytest.mark.k2mock(clock="manual", seed=7)
def test_a_deleted_sandbox_says_so_and_falls_back_to_default(k2mock, k2mock_receiver, browser):
    make_sandbox(k2mock, "w1")
    in_default = pay(k2mock, k2mock_receiver.url())
    in_w1 = pay(k2mock, k2mock_receiver.url(), token=DOCS_TOKEN + "-w1")
    browser.get(k2mock.origin + "/__admin/#sandbox=w1")
    wait(browser, lambda d: row(d, in_w1) and not row(d, in_default), "the URL chooses w1")
    wait(browser, is_live, "w1's change stream is connected")
    assert browser.execute_script("return document.getElementById('notice').hidden") is True

    assert k2mock.request("DELETE", "/__admin/sandboxes/w1").status == 200
    wait(browser, lambda d: not d.execute_script("return document.getElementById('notice').hidden"),
         "the page says w1 is gone", timeout=10)
    assert "w1" in text(browser, "notice-text") and "default" in text(browser, "notice-text")
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-sandbox-gone.png"))
    wait(browser, lambda d: row(d, in_default) and not row(d, in_w1), "the default's resources")
    assert Select(browser.find_element(By.ID, "sandbox")).first_selected_option.get_attribute("value") == ""
    assert "w1" not in browser.execute_script("return [...document.querySelectorAll('#sandbox option')].map(o => o.value)")
    assert "w1" not in browser.execute_script("return location.hash")
    wait(browser, is_live, "the default's change stream")

    # A URL naming a sandbox that does not exist says so too.
    browser.get(k2mock.origin + "/__admin/#sandbox=nowhere")
    wait(browser, lambda d: "nowhere" in text(d, "notice-text"), "the page says there is no such sandbox")
    wait(browser, lambda d: row(d, in_default), "and shows the default")
    assert severe_errors(browser) == []


# ---- Explanations ("say why"): GET /__admin/explain?request=ID and ?resource=ID ----------------

def stk_push(k2mock, payer_key="subscriber", token=DOCS_TOKEN):
    """An STK push; with payer_key="customer" (not a key K2 reads) it is refused: subscriber is required."""
    return k2mock.request("POST", "/api/v1/incoming_payments", {
        "payment_channel": "M-PESA STK Push", "till_number": "K112233",
        payer_key: {"first_name": "Joe", "phone_number": "+254999999999"},
        "amount": {"currency": "KES", "value": "20000"}, "metadata": {},
        "_links": {"callback_url": "https://example.com/k2/result"}}, token=token)


def last_request_id(k2mock, scope=""):
    return k2mock.request("GET", "/__admin%s/requests" % scope).json()[-1]["id"]


def explanation(k2mock, query, scope=""):
    answered = k2mock.request("GET", "/__admin%s/explain?%s" % (scope, query))
    assert answered.status == 200, answered.body
    return answered.json()


def request_explanation(driver, request_id):
    """A request's row and the explanation row under it, as the page shows them."""
    return driver.execute_script("""
const id = String(arguments[0]);
const row = document.querySelector('#requests tr.request[data-request="' + id + '"]');
const why = document.querySelector('#requests tr.explanation[data-request="' + id + '"]');
if (!row) return null;
const line = why && why.querySelector('.why-line');
return {
  button: row.querySelector('button.why')?.textContent ?? null,
  expanded: row.querySelector('button.why')?.getAttribute('aria-expanded') ?? null,
  line: line ? line.textContent : null, title: line ? line.title : null,
  lineFits: line ? line.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(line).lineHeight || 16) + 2 : null,
  summary: why?.querySelector('.why-summary')?.textContent ?? null,
  details: why ? [...why.querySelectorAll('.why-details li')].map(li => li.textContent) : [],
  ignored: why ? [...why.querySelectorAll('.tag.ignored')].map(t => t.textContent) : [],
  said: why?.querySelector('q')?.textContent ?? null,
};""", request_id)


def click_why(driver, request_id):
    driver.execute_script(
        "document.querySelector('#requests tr.request[data-request=\"' + arguments[0] + '\"] button.why').click()", str(request_id))


def resource_explanation(driver):
    return driver.execute_script("""
const box = document.getElementById('detail-explain');
return {
  summary: box.querySelector('.why-summary')?.textContent ?? null,
  chosenBy: box.querySelector('.timeline-chosen-by')?.textContent ?? null,
  state: box.querySelector('.callback-state .state')?.textContent ?? null,
  why: box.querySelector('.callback-state .callback-why')?.textContent ?? null,
  error: box.querySelector('.why-error')?.textContent ?? null,
};""")


@pytest.mark.k2mock(clock="manual", seed=7)
def test_a_refused_request_and_a_resource_say_why(k2mock, k2mock_receiver, browser):
    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: row(d, DOCS_PAYMENT), "the fixture payment is listed")
    wait(browser, is_live, "the change stream is connected")
    browser.execute_script("window.notReloaded = true")

    # A refused STK push (`customer` where K2 reads `subscriber`): its summary appears under its
    # row without a reload, on one line, the server's words exactly.
    refused = stk_push(k2mock, payer_key="customer")
    assert refused.status == 400, refused.body
    refused_id = last_request_id(k2mock)
    said = explanation(k2mock, "request=%d" % refused_id)
    assert "subscriber" in said["summary"] and "customer" in said["summary"]
    wait(browser, lambda d: (request_explanation(d, refused_id) or {}).get("line") == said["summary"],
         "the refused request's summary is shown under it")
    shown = request_explanation(browser, refused_id)
    assert shown["title"] == said["summary"], "whole on hover"
    assert shown["lineFits"], "one line, cut with an ellipsis"
    assert shown["expanded"] == "false"

    # Opened: all of it, K2's message, the details and the keys K2 ignores.
    click_why(browser, refused_id)
    wait(browser, lambda d: request_explanation(d, refused_id)["summary"] == said["summary"], "the whole explanation")
    shown = request_explanation(browser, refused_id)
    assert shown["expanded"] == "true" and shown["button"] == "hide"
    assert "subscriber" in shown["summary"]
    assert shown["said"] == said["k2_message"] == "subscriber is required"
    assert shown["details"] == said["details"] and shown["ignored"] == said["ignored_keys"] == ["customer"]
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.execute_script("document.getElementById('requests-panel').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-explain-request.png"))
    click_why(browser, refused_id)
    wait(browser, lambda d: request_explanation(d, refused_id)["line"] == said["summary"], "closed again: one line")

    # An accepted request says nothing until asked; asked, it says so.
    payment = pay(k2mock, k2mock_receiver.url())
    payment_request = last_request_id(k2mock)
    wait(browser, lambda d: request_explanation(d, payment_request) is not None, "the payment's request is listed")
    assert request_explanation(browser, payment_request)["line"] is None
    assert request_explanation(browser, payment_request)["summary"] is None
    click_why(browser, payment_request)
    accepted = explanation(k2mock, "request=%d" % payment_request)["summary"]
    wait(browser, lambda d: request_explanation(d, payment_request)["summary"] == accepted, "an accepted request's explanation")
    assert "201" in accepted

    # Text from the server is text: a key that looks like HTML is shown as written, never run.
    html_key = '<img src=x onerror="window.pwned=1">'
    assert stk_push(k2mock, payer_key=html_key).status == 400
    html_request = last_request_id(k2mock)
    wait(browser, lambda d: html_key in ((request_explanation(d, html_request) or {}).get("line") or ""),
         "the HTML-looking key's request is explained, the key as written")
    click_why(browser, html_request)
    wait(browser, lambda d: request_explanation(d, html_request)["ignored"] == [html_key], "its key is shown as text")
    assert browser.execute_script("return document.querySelectorAll('#requests img').length") == 0
    assert browser.execute_script("return window.pwned") is None

    # A resource: chosen, its explanation above its timeline, the server's summary, who chose its
    # timeline and where its callback is and why; it follows the clock.
    choose(browser, payment)
    said = explanation(k2mock, "resource=" + payment)
    assert said["callback"]["state"] == "not due yet"
    wait(browser, lambda d: resource_explanation(d)["summary"] == said["summary"], "the chosen payment's explanation")
    shown = resource_explanation(browser)
    assert said["timeline"]["chosen_by"] in shown["chosenBy"]
    assert shown["state"] == "not due yet" and shown["why"] == said["callback"]["why"]
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-explain-resource.png"))
    k2mock.advance(60)
    wait(browser, lambda d: resource_explanation(d)["state"] == "delivered", "its callback delivered")
    assert resource_explanation(browser)["summary"] == explanation(k2mock, "resource=" + payment)["summary"]
    assert "Transferred" in resource_explanation(browser)["summary"]

    # A fixture: its summary, no timeline, no callback.
    choose(browser, DOCS_PAYMENT)
    fixture = explanation(k2mock, "resource=" + DOCS_PAYMENT)
    assert fixture["timeline"] is None and fixture["callback"] is None
    wait(browser, lambda d: resource_explanation(d)["summary"] == fixture["summary"], "the fixture's explanation")
    assert resource_explanation(browser)["state"] is None and resource_explanation(browser)["chosenBy"] is None
    assert browser.execute_script("return window.notReloaded") is True
    assert browser.execute_script(
        "const p = document.getElementById('requests-panel'); return p.scrollWidth <= p.clientWidth + 1"), "no sideways scroll"
    assert severe_errors(browser) == []


@pytest.mark.k2mock(clock="manual", seed=7)
def test_a_chosen_sandbox_explains_its_own_requests_and_resources(k2mock, k2mock_receiver, browser):
    make_sandbox(k2mock, "w1")
    assert stk_push(k2mock, payer_key="customer").status == 400      # in the default sandbox
    in_w1 = pay(k2mock, k2mock_receiver.url(), token=DOCS_TOKEN + "-w1")
    refused = k2mock.request("POST", "/api/v1/incoming_payments", {"customer": {}}, token=DOCS_TOKEN + "-w1")
    assert refused.status == 400
    refused_id = last_request_id(k2mock, "/sandboxes/w1")
    said = explanation(k2mock, "request=%d" % refused_id, "/sandboxes/w1")
    assert refused_id == 2 and said["k2_message"] != "subscriber is required", "w1's own request 2, not the default's"
    browser.get(k2mock.origin + "/__admin/#sandbox=w1")
    wait(browser, lambda d: (request_explanation(d, refused_id) or {}).get("line") == said["summary"],
         "w1's refused request explained by w1")
    choose(browser, in_w1)
    resource = explanation(k2mock, "resource=" + in_w1, "/sandboxes/w1")
    wait(browser, lambda d: resource_explanation(d)["summary"] == resource["summary"], "w1's payment explained by w1")
    assert severe_errors(browser) == []


@pytest.mark.k2mock(admin_token="s3cret", clock="manual")
def test_with_an_admin_token_explanations_come_with_it(k2mock, browser):
    assert stk_push(k2mock, payer_key="customer").status == 400
    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: d.find_element(By.ID, "token-dialog").get_attribute("open") is not None, "the page asks")
    browser.find_element(By.ID, "token").send_keys("s3cret")
    browser.find_element(By.CSS_SELECTOR, "#token-form button").click()
    wait(browser, lambda d: "subscriber" in ((request_explanation(d, 1) or {}).get("line") or ""),
         "the refused request's explanation, fetched with the token")
    choose(browser, DOCS_PAYMENT)
    wait(browser, lambda d: "fixture" in (resource_explanation(d)["summary"] or ""), "the fixture's explanation")
    assert browser.find_element(By.ID, "token-dialog").get_attribute("open") is None, "asked once"


# The script that reads, for every row of the tables and every header button, how many lines
# each piece of text takes (its text's boxes, grouped where they overlap vertically: a tag or a
# button beside text sits a little higher or lower, but on the same line), and the panes' widths.
LAYOUT = """
const lines = (node) => {
  const rects = [];
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(text);
    rects.push(...[...range.getClientRects()].filter(r => r.width > 0 && r.height > 0));
  }
  rects.sort((a, b) => a.top - b.top);
  let count = 0, bottom = -Infinity;
  for (const r of rects) {
    if (r.top >= bottom - 1) { count += 1; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
  }
  return count;
};
const wrapped = [];
for (const button of document.querySelectorAll('header button, tbody button')) {
  if (button.offsetParent && lines(button) !== 1) wrapped.push('button ' + button.textContent);
}
for (const cell of document.querySelectorAll('#resources tbody td, #callbacks tbody td, #requests tbody td')) {
  const parts = cell.classList.contains('attempts') ? [...cell.children] : [cell];
  for (const part of parts) if (part.textContent && lines(part) > 1) wrapped.push(cell.closest('table').id + ': ' + part.textContent);
}
// A button sits on its row's text line: its middle within the first text line of the row.
const offsets = [...document.querySelectorAll('#callbacks tbody tr')].map(tr => {
  const button = tr.querySelector('button').getBoundingClientRect(), first = tr.children[0].getBoundingClientRect();
  return {row: tr.dataset.id, button: button.height, buttonTop: button.top - first.top, rowHeight: tr.getBoundingClientRect().height};
});
const box = (selector) => document.querySelector(selector).getBoundingClientRect();
// A panel whose content is wider than it scrolls sideways: none should.
const sideways = [...document.querySelectorAll('main section')].filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.id);
const signature = document.querySelector('#detail-signature .value');
return {
  wrapped, offsets, sideways,
  body: box('#body-pane').width, callback: box('#callback-pane').width, columns: box('#detail-panel .columns').width,
  detail: box('#detail-panel').width, resources: box('#resources-panel').width,
  signature: signature ? {shown: signature.clientWidth, whole: signature.scrollWidth, title: signature.title} : null,
  pageWidth: document.documentElement.scrollWidth, windowWidth: window.innerWidth,
  headerHeight: box('header').height, lineHeight: parseFloat(getComputedStyle(document.body).lineHeight) || 20,
};
"""


@pytest.mark.k2mock(clock="manual", seed=7)
def test_at_1280_wide_rows_stay_on_one_line_and_the_body_pane_keeps_its_width(k2mock, k2mock_receiver, browser):
    browser.set_window_size(1280, 800)
    make_sandbox(k2mock, "w1")
    long_path = "/k2/result/" + "a-rather-long-callback-path-segment/" * 4
    # Callbacks: delivered ones to a long URL, one retried after two 500s, one to a closed port,
    # and a webhook event; a 64-character signature on the chosen payment's last callback.
    k2mock_receiver.respond_with(500, 500)
    retried = pay(k2mock, k2mock_receiver.url(long_path))
    pay(k2mock, "http://127.0.0.1:9/closed/" + "x" * 60, amount=300)
    for amount in (1500, 2500, 3500):
        pay(k2mock, k2mock_receiver.url(long_path), amount=amount)
    subscribed = k2mock.request("POST", "/api/v2/webhook_subscriptions", {
        "event_type": "buygoods_transaction_received", "url": k2mock_receiver.url("/hooks" + long_path),
        "scope": "company"}, token=DOCS_TOKEN)
    assert subscribed.status == 201, subscribed.body
    k2mock.fire_event("buygoods_transaction_received", {"amount": "250.0"})
    k2mock.advance(3600)
    chosen = pay(k2mock, k2mock_receiver.url(long_path), amount=4500)
    k2mock.advance(60)

    browser.get(k2mock.origin + "/__admin/")
    wait(browser, lambda d: stage_of(d, chosen) == "Transferred", "the payments are listed")
    choose(browser, chosen)
    wait(browser, lambda d: d.execute_script("return !!document.querySelector('#detail-signature .value')"),
         "the chosen payment's last callback and its signature")
    wait(browser, lambda d: d.execute_script("return document.querySelectorAll('#callbacks tbody tr').length") >= 7,
         "every callback and the webhook event are listed")
    assert any(d.outcome == "failed" or len(d.attempts) > 1 for d in k2mock.callbacks())
    assert any(len(d.attempts) > 1 for d in k2mock.callbacks() if d.resource_id == retried)

    layout = browser.execute_script(LAYOUT)
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-1280.png"))
    browser.execute_script("document.getElementById('callbacks-panel').scrollIntoView()")
    browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-1280-callbacks.png"))
    print("layout at 1280:", {k: v for k, v in layout.items() if k != "offsets"})
    assert layout["wrapped"] == [], layout["wrapped"]
    line = layout["lineHeight"]
    for entry in layout["offsets"]:
        assert entry["button"] < 2 * line, entry            # one line of text in the button
        assert abs(entry["buttonTop"]) < line, entry        # level with its row's first line
    assert layout["pageWidth"] <= layout["windowWidth"], "nothing pushes the page sideways"
    assert layout["sideways"] == [], "no panel scrolls sideways"
    # The 64-character signature is cut, whole on hover, and does not squeeze the body pane:
    # the two panes stay equal halves of the detail panel.
    signature = layout["signature"]
    assert len(signature["title"]) == 64 and signature["whole"] >= signature["shown"]
    assert layout["body"] >= 300 and abs(layout["body"] - layout["callback"]) <= 2, layout
    assert layout["body"] >= 0.45 * layout["columns"], layout
    assert layout["resources"] >= 450, layout
    assert layout["headerHeight"] < 3 * line, "the header stays one row"
    assert severe_errors(browser) == []
