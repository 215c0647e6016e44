"""The checkout's tests: k2mock's pytest plugin starts the sandbox (pytest.ini names the scenario)."""
import pytest

from checkout import Checkout


@pytest.fixture
def checkout(k2mock):
    return Checkout(k2mock.base_url, "demo-client", "demo-secret", "demo-api-key")


def test_a_paid_stk_push_is_called_back_and_accepted(k2mock, k2mock_receiver, checkout):
    location = checkout.ask_for_payment("+254799999999", 1500, k2mock_receiver.url())
    assert checkout.status(location) == "Pending"
    k2mock.advance(10)                                    # the scenario pays after 10 s
    assert checkout.status(location) == "Success"
    (result,) = k2mock_receiver.received
    assert result.verified
    assert checkout.handle_result(result.headers, result.body) == (location.rsplit("/", 1)[1], "Success")


def test_a_forged_result_is_refused(k2mock, k2mock_receiver, checkout):
    subscription = {"event_type": "buygoods_transaction_received", "url": k2mock_receiver.url(), "scope": "company"}
    assert k2mock.request("POST", "/api/v2/webhook_subscriptions", subscription, token=checkout.token()).status == 201
    k2mock.fire_event("buygoods_transaction_received", bad_signature=True)
    (forged,) = k2mock_receiver.received
    with pytest.raises(PermissionError):
        checkout.handle_result(forged.headers, forged.body)


@pytest.mark.k2mock(scenario="../../scenarios/failures.yaml")
def test_a_cancelled_push_is_reported(k2mock, k2mock_receiver):
    checkout = Checkout(k2mock.base_url, "demo-client", "demo-secret", "demo-api-key")
    location = checkout.ask_for_payment("+254700000001", 100, k2mock_receiver.url())
    k2mock.advance(60)
    assert checkout.status(location) == "Failed"
