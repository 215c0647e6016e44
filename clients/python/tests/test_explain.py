"""Explanations ("say why"): `explain(request=...)` / `explain(resource=...)` on a `K2Mock` and a
`Sandbox`, request ids, and the plugin's `k2mock: why requests were refused` report section,
against the real binary ($K2MOCK_BIN). Manual clocks and seeds throughout."""
import os
import re
import textwrap

import pytest

from k2mock import CallbackReceiver, K2Mock, K2MockNotFoundError, RecordedRequest
from k2mock.pytest_plugin import REFUSALS_SECTION

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HAPPY = os.path.join(ROOT, "scenarios", "happy-path.yaml")
DOCS_TOKEN = "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"


def stk_push(callback_url="http://127.0.0.1:9/results", payer="subscriber"):
    """An STK push; `payer="customer"` is the classic mistake (K2 reads `subscriber`)."""
    return {"payment_channel": "M-PESA STK Push", "till_number": "K000000",
            payer: {"phone_number": "+254799999999"}, "amount": {"currency": "KES", "value": 100},
            "_links": {"callback_url": callback_url}}


@pytest.fixture(scope="module")
def server():
    with K2Mock(clock="manual", seed=3) as started:
        yield started


@pytest.fixture
def k2(server):
    server.reset()
    return server


def test_a_refused_stk_push_is_explained_and_names_subscriber(k2):
    answer = k2.request("POST", "/api/v1/incoming_payments", stk_push(payer="customer"), token=DOCS_TOKEN)
    assert answer.status == 400
    (refused,) = k2.requests()
    assert refused == RecordedRequest(id=1, at=refused.at, method="POST", path="/api/v1/incoming_payments", status=400)

    why = k2.explain(request=refused.id)
    assert why["request"] == {"id": 1, "at": refused.at, "method": "POST", "path": "/api/v1/incoming_payments",
                              "status": 400}
    assert why["k2_message"] == "subscriber is required"
    assert why["summary"].startswith("subscriber is required: ")
    assert "`customer` where K2 reads `subscriber`" in why["summary"]
    assert why["ignored_keys"] == ["customer"]
    assert k2.explain(request=refused) == why, "a RecordedRequest stands for its id"


def test_a_sandbox_explains_its_own_requests(server):
    with server.sandbox(name="explained", scenario=HAPPY, seed=7) as sandbox:
        answer = server.request("POST", "/api/v2/incoming_payments", stk_push(payer="customer"), token=sandbox.token)
        assert answer.status == 400
        (refused,) = sandbox.requests()
        assert refused.id == 1
        why = sandbox.explain(request=1)
        assert why["request"]["path"] == "/api/v2/incoming_payments" and "subscriber" in why["summary"]
        with pytest.raises(K2MockNotFoundError, match="No request 2: "):
            sandbox.explain(request=2)


def test_a_resource_is_explained_from_pending_to_its_delivered_callback(k2):
    with CallbackReceiver(api_key="sandbox_api_key") as receiver:
        answer = k2.request("POST", "/api/v1/incoming_payments", stk_push(receiver.url()), token=DOCS_TOKEN)
        assert answer.status == 201
        payment = [r for r in k2.resources() if r.created_at][-1]

        why = k2.explain(resource=payment.id)
        assert why["resource"] == {"kind": "incoming_payment", "id": payment.id, "path": payment.path,
                                   "stage": "Pending", "created_at": payment.created_at}
        assert why["summary"].startswith("incoming_payment %s is Pending; Success is due at " % payment.id)
        assert [(s["stage"], s["reached"]) for s in why["timeline"]["steps"]] == [("Pending", True),
                                                                                   ("Success", False)]
        assert why["callback"]["state"] == "not due yet" and why["callback"]["url"] == receiver.url()
        assert "advance" in why["callback"]["why"]
        assert k2.explain(resource=payment) == why, "a Resource stands for its id"

        k2.advance(10)
        why = k2.explain(resource=payment.id)
        assert why["resource"]["stage"] == "Success"
        assert why["callback"]["state"] == "delivered"
        assert [a["status"] for a in why["callback"]["attempts"]] == [200]


def test_a_fixture_has_no_timeline_nor_callback(k2):
    fixture = next(r for r in k2.resources() if r.created_at is None)
    why = k2.explain(resource=fixture.id)
    assert why["resource"]["stage"] is None and "fixture" in why["summary"]
    assert why["timeline"] is None and why["callback"] is None


def test_no_such_request_or_resource_is_not_found_with_k2mocks_message(k2):
    with pytest.raises(K2MockNotFoundError) as raised:
        k2.explain(request=99)
    assert raised.value.status == 404
    assert raised.value.message.startswith("No request 99: ")
    with pytest.raises(K2MockNotFoundError, match="No resource nope"):
        k2.explain(resource="nope")


def test_explain_takes_exactly_one_of_request_and_resource(k2):
    with pytest.raises(ValueError, match="exactly one of request= .* or resource= .*neither"):
        k2.explain()
    with pytest.raises(ValueError, match="exactly one .*both"):
        k2.explain(request=1, resource="x")
    with pytest.raises(TypeError, match="a request's id"):
        k2.explain(request="1")
    with pytest.raises(TypeError, match="a resource's id"):
        k2.explain(resource=7)


# The report section, in a pytest run of its own (pytester).

REPORTED_TESTS = """
import pytest

def stk_push(payer):
    return {"payment_channel": "M-PESA STK Push", "till_number": "K000000", payer: {"phone_number": "+254799999999"},
            "amount": {"currency": "KES", "value": 100}, "_links": {"callback_url": "http://127.0.0.1:9/x"}}

def push(api, token, payer):
    return api.request("POST", "/api/v2/incoming_payments", stk_push(payer), token=token).status

@pytest.mark.k2mock(seed=3, clock="manual")
def test_fails_after_a_refusal(k2mock_sandbox):
    assert push(k2mock_sandbox, k2mock_sandbox.token, "subscriber") == 201
    assert push(k2mock_sandbox, k2mock_sandbox.token, "customer") == 201

@pytest.mark.k2mock(seed=3, clock="manual")
def test_passes_after_a_refusal(k2mock_sandbox):
    assert push(k2mock_sandbox, k2mock_sandbox.token, "customer") == 400

@pytest.mark.k2mock(seed=3, clock="manual")
def test_fails_without_a_refusal(k2mock_sandbox):
    assert push(k2mock_sandbox, k2mock_sandbox.token, "subscriber") == 400

@pytest.mark.k2mock(seed=3, clock="manual")
def test_fails_when_the_explanation_cannot_be_read(k2mock_sandbox, monkeypatch):
    assert push(k2mock_sandbox, k2mock_sandbox.token, "customer") == 400
    def broken(**_):
        raise RuntimeError("k2mock went away")
    monkeypatch.setattr(k2mock_sandbox, "explain", broken)
    assert False, "fails"

@pytest.mark.k2mock(scenario=%(happy)r, clock="manual", seed=3)
def test_fails_with_a_server_of_its_own(k2mock):
    assert push(k2mock, "demo-token", "customer") == 400
    assert k2mock.request("GET", "/api/v2/incoming_payments/nope", token="demo-token").status == 404
    assert False, "fails"

@pytest.mark.k2mock(scenario=%(happy)r, clock="manual", seed=3, scope="session")
@pytest.mark.parametrize("run", [1, 2])
def test_a_shared_server_explains_only_this_tests_requests(k2mock, run):
    assert push(k2mock, "demo-token", "customer") == 400
    assert run == 1
"""


def sections(result, test):
    """The text of the report section under `test`'s failure, or None."""
    out = result.stdout.str()
    block = re.search(r"_{3,} %s\S* _{3,}\n(.*?)(?=\n_{3,} |\n={3,} )" % re.escape(test), out, re.S)
    assert block, "no failure shown for %s in:\n%s" % (test, out)
    found = re.search(r"-{3,} %s -{3,}\n(.*)" % re.escape(REFUSALS_SECTION), block.group(1), re.S)
    return found.group(1).rstrip("\n").split("\n") if found else None


@pytest.mark.parametrize("parallel", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_failed_test_reports_why_its_requests_were_refused_and_a_passing_one_nothing(pytester, parallel):
    if parallel:
        pytest.importorskip("xdist")
    pytester.makepyfile(test_reported=REPORTED_TESTS % {"happy": HAPPY})
    pytester.makeini("[pytest]\nk2mock_scenario = %s\n" % HAPPY)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA", *parallel)
    result.assert_outcomes(passed=2, failed=5)
    out = result.stdout.str()
    assert out.count(REFUSALS_SECTION) == 4, out

    (line,) = sections(result, "test_fails_after_a_refusal")
    assert line.startswith("#2 POST /api/v2/incoming_payments → 400: subscriber is required: "), line
    assert "`customer` where K2 reads `subscriber`" in line
    assert sections(result, "test_fails_without_a_refusal") is None, "no refusal: no section"
    assert sections(result, "test_fails_when_the_explanation_cannot_be_read") == [
        "#1 POST /api/v2/incoming_payments → 400: the explanation could not be read: RuntimeError: k2mock went away"]
    first, second = sections(result, "test_fails_with_a_server_of_its_own")
    assert first.startswith("#1 POST /api/v2/incoming_payments → 400: subscriber is required: ")
    assert second.startswith("#2 GET /api/v2/incoming_payments/nope → 404: ")
    (shared,) = sections(result, "test_a_shared_server_explains_only_this_tests_requests")
    assert shared.startswith("#1 POST /api/v2/incoming_payments → 400: subscriber is required"), \
        "the earlier test's refusal is not this one's"
    passes = out[out.index("= PASSES ="):] if "= PASSES =" in out else ""
    assert REFUSALS_SECTION not in passes and "test_passes_after_a_refusal" in out
