"""The checkout's tests. Each test gets a sandbox of its own (`k2mock_sandbox`) on one k2mock
shared by the whole run, so they may run in parallel (`pytest -n 4`): no test sees another's
payments, clock or callbacks. pytest.ini names the scenario; k2mock's plugin starts the server,
or uses the one at $K2MOCK_URL."""
import urllib.error

import pytest

from checkout import Checkout


@pytest.fixture
def checkout(k2mock_sandbox):
    # All the app needs: the server's URL and its sandbox's credentials (k2mock finds the sandbox by them).
    sandbox = k2mock_sandbox
    return Checkout(sandbox.base_url, sandbox.client_id, sandbox.client_secret, sandbox.api_key)


@pytest.mark.parametrize("phone, amount", [("+254799999999", 1500), ("+254711111111", 20), ("+254722222222", 99000)])
def test_a_paid_stk_push_is_called_back_and_accepted(k2mock_sandbox, k2mock_receiver, checkout, phone, amount):
    location = checkout.ask_for_payment(phone, amount, k2mock_receiver.url())
    assert checkout.status(location) == "Pending"
    k2mock_sandbox.advance(10)                            # the scenario pays after 10 s (this sandbox's clock)
    assert checkout.status(location) == "Success"
    (result,) = k2mock_receiver.received                  # only this test's callback, whatever runs beside it
    assert result.verified                                # signed with this sandbox's API key
    payment_id = location.rsplit("/", 1)[1]
    assert checkout.handle_result(result.headers, result.body) == (payment_id, "Success")
    assert [r.id for r in k2mock_sandbox.resources() if r.created_at] == [payment_id]


def test_a_forged_result_is_refused(k2mock_sandbox, k2mock_receiver, checkout):
    subscription = {"event_type": "buygoods_transaction_received", "url": k2mock_receiver.url(), "scope": "company"}
    answer = k2mock_sandbox.request("POST", "/api/v2/webhook_subscriptions", subscription, token=checkout.token())
    assert answer.status == 201
    k2mock_sandbox.fire_event("buygoods_transaction_received", bad_signature=True)
    (forged,) = k2mock_receiver.received
    with pytest.raises(PermissionError):
        checkout.handle_result(forged.headers, forged.body)


def test_a_wrong_client_secret_is_refused(k2mock_sandbox):
    checkout = Checkout(k2mock_sandbox.base_url, k2mock_sandbox.client_id, "not-the-secret", k2mock_sandbox.api_key)
    with pytest.raises(urllib.error.HTTPError, match="401"):
        checkout.token()


@pytest.mark.k2mock(scenario="../../scenarios/failures.yaml")
def test_a_cancelled_push_is_reported(k2mock_sandbox, k2mock_receiver, checkout):
    location = checkout.ask_for_payment("+254700000001", 100, k2mock_receiver.url())
    k2mock_sandbox.advance(60)
    assert checkout.status(location) == "Failed"
    (result,) = k2mock_receiver.received
    assert checkout.handle_result(result.headers, result.body) == (location.rsplit("/", 1)[1], "Failed")
