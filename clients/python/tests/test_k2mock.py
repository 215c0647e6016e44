"""k2mock's Python package and pytest plugin, against the real binary ($K2MOCK_BIN)."""
import json
import os
import textwrap

import pytest

from k2mock import (CallbackReceiver, K2Mock, K2MockAdminTokenError, K2MockError, find_binary,
                    kopo_kopo_signature)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HAPPY = os.path.join(ROOT, "scenarios", "happy-path.yaml")
CI = os.path.join(ROOT, "scenarios", "ci-pipeline.yaml")
DOCS_PAYMENT = "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"


def stk_push(callback_url):
    return {"payment_channel": "M-PESA STK Push", "till_number": "K000000",
            "subscriber": {"phone_number": "+254799999999"}, "amount": {"currency": "KES", "value": 100},
            "_links": {"callback_url": callback_url}}


def test_the_fixture_serves_the_built_in_scenario_without_a_marker(k2mock):
    assert k2mock.clock()["mode"] == "real"
    answer = k2mock.request("GET", DOCS_PAYMENT, token="0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q")
    assert answer.status == 200
    assert answer.json()["data"]["attributes"]["status"] == "Processed"
    assert k2mock.base_urls == {"python": k2mock.origin + "/", "ruby": k2mock.origin + "/",
                                "node": k2mock.origin, "php": k2mock.origin}


@pytest.mark.k2mock(scenario=HAPPY, api_key="demo-api-key")
def test_a_marked_scenario_is_driven_and_read_through_typed_values(k2mock, k2mock_receiver):
    created = k2mock.request("POST", "/api/v2/incoming_payments", stk_push(k2mock_receiver.url()), token="demo-token")
    assert created.status == 201 and created.location.startswith(k2mock.origin + "/api/v2/incoming_payments/")
    stk = k2mock.resources()[-1]
    assert (stk.kind, stk.stage, stk.created_at) == ("incoming_payment", "Pending", "2021-01-28T10:00:00.000+03:00")
    assert k2mock.callbacks() == []

    ran = k2mock.advance(10)
    assert [entry.get("stage") or entry.get("outcome") for entry in ran["ran"]] == ["Success", "delivered"]
    (delivery,) = k2mock.callbacks()
    assert (delivery.kind, delivery.resource, delivery.outcome) == ("callback", "incoming_payment", "delivered")
    assert delivery.attempts[0].status == 200 and delivery.attempts[0].due == "2021-01-28T10:00:10.000+03:00"
    (received,) = k2mock_receiver.received
    assert received.verified and received.body == delivery.body.encode()
    assert received.signature == delivery.signature == kopo_kopo_signature(received.body, "demo-api-key")
    assert k2mock.resources()[-1].body == received.json()
    assert [(r.method, r.status) for r in k2mock.requests()] == [("POST", 201)]

    k2mock.reset()
    assert k2mock.resources() == [r for r in k2mock.resources() if r.created_at is None]
    assert k2mock.callbacks() == [] and k2mock.requests() == []


@pytest.mark.k2mock(scenario=HAPPY)
def test_the_receiver_flags_a_bad_signature(k2mock):
    with CallbackReceiver(api_key="demo-api-key") as receiver:
        subscription = {"event_type": "customer_created", "url": receiver.url("/hooks"), "scope": "company"}
        assert k2mock.request("POST", "/api/v2/webhook_subscriptions", subscription, token="demo-token").status == 201
        k2mock.fire_event("customer_created")
        k2mock.fire_event("customer_created", bad_signature=True)
        assert [c.verified for c in receiver.received] == [True, False]
        with pytest.raises(AssertionError, match="1 callbacks with a wrong signature"):
            receiver.assert_all_verified()
    with CallbackReceiver(api_key="demo-api-key", statuses=[503]) as receiver:
        created = k2mock.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url()), token="demo-token")
        assert created.status == 201
        k2mock.advance(10)
        assert k2mock.callbacks()[-1].attempts[0].status == 503, "a scripted status is answered"


@pytest.mark.k2mock(scenario=HAPPY, args="--clock real --time-scale 10")
def test_marker_args_may_be_one_command_line(k2mock):
    assert k2mock.clock()["mode"] == "real" and k2mock.clock()["scale"] == 10.0


@pytest.mark.k2mock(scenario=CI)
def test_expectations_are_verified_and_named_when_they_fail(k2mock):
    verification = k2mock.verify()
    assert not verification.passed
    assert [f.description for f in verification.failures] == [
        "requests POST /api/v1/payments: expected 4, got 0 (%s:24)" % CI,
        "callbacks outcome=delivered kind=callback: expected 3, got 0 (%s:25)" % CI]
    assert [(f.expected, f.actual) for f in verification.failures] == [(4, 0), (3, 0)]
    with pytest.raises(AssertionError, match="requests POST /api/v1/payments: expected 4, got 0"):
        k2mock.assert_expectations()


def test_an_invalid_scenario_fails_to_start_saying_where(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n")
    with pytest.raises(K2MockError, match=r"exited with status 1:\n.*bad\.yaml:3") as raised:
        K2Mock(bad)
    assert "Sent" in str(raised.value)


def test_a_missing_binary_is_named(monkeypatch):
    monkeypatch.setenv("K2MOCK_BIN", "/nonexistent/k2mock")
    with pytest.raises(K2MockError, match="k2mock not found at /nonexistent/k2mock .from K2MOCK_BIN"):
        find_binary()
    monkeypatch.delenv("K2MOCK_BIN")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(K2MockError, match="put it on PATH or set K2MOCK_BIN"):
        find_binary()


def test_a_refused_admin_token_is_said_as_such():
    with K2Mock(HAPPY, admin_token="s3cret") as server:
        assert server.clock()["mode"] == "manual"
        assert server.request("GET", "/__admin/clock").status == 401
        server.admin_token = "wrong"
        with pytest.raises(K2MockAdminTokenError, match="wrong token"):
            server.advance(1)
    assert server.stop() == 0 and not server.running


def test_session_scope_shares_one_server_reset_before_each_test(pytester):
    pytester.makepyfile(textwrap.dedent("""
        import pytest
        seen = []

        @pytest.mark.k2mock(scenario=%r, scope="session")
        @pytest.mark.parametrize("run", [1, 2])
        def test_shared(k2mock, run):
            seen.append(k2mock.port)
            assert [r for r in k2mock.resources() if r.created_at] == [], "reset before each test"
            assert k2mock.request("POST", "/api/v2/incoming_payments", {"till_number": "K1", "subscriber": {"phone_number": "0712345678"}, "amount": {"currency": "KES", "value": 1}, "_links": {"callback_url": "http://127.0.0.1:9/x"}}, token="demo-token").status == 201
            assert len(set(seen)) == 1, "one server for both"

        def test_own(k2mock):
            assert k2mock.port not in seen and k2mock.clock()["mode"] == "real"
    """ % HAPPY))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_an_unknown_marker_option_is_a_usage_error(pytester):
    pytester.makepyfile("""
        import pytest
        @pytest.mark.k2mock(scenaro="x.yaml")
        def test_typo(k2mock):
            pass
    """)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    assert "has no option scenaro" in result.stdout.str() + result.stderr.str()
