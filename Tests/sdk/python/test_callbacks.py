"""Callbacks checked with the Python SDK's own verifier (k2connect.ResultHandler)."""
import json

import k2connect
import pytest
from k2connect import exceptions, payload_decomposer


class FlaskLikeRequest:
    """What ResultProcessor.process reads: get_data(), headers, get_json()."""

    def __init__(self, headers, body):
        self.headers = headers
        self._body = body

    def get_data(self):
        return self._body

    def get_json(self):
        return json.loads(self._body)


def stk_push(receiver):
    return {"payment_channel": "M-PESA STK Push", "till_number": "K000000",
            "subscriber": {"first_name": "Joe", "middle_name": None, "last_name": "Buyer",
                           "phone_number": "+254999999999", "email": "jbuyer@mail.net"},
            "amount": {"currency": "KES", "value": 20000}, "metadata": {"customer_id": "123456789"},
            "_links": {"callback_url": receiver.url()}}


def test_sdk_verifies_the_callback_signature_and_rejects_a_tampered_body(k2mock, receiver):
    server = k2mock
    k2connect.initialize("demo-client", "demo-secret", server.base_url, api_secret="demo-api-key")
    token = k2connect.Tokens.request_access_token()["access_token"]
    created = server.request("POST", "/api/v2/incoming_payments", stk_push(receiver), token=token)
    assert created.status == 201
    server.advance(10)
    assert len(receiver.received) == 1
    callback_headers, body = receiver.received[0].headers, receiver.received[0].body
    assert receiver.received[0].verified, "the plugin's receiver checks the signature too"

    # The body is the status GET's, byte for byte.
    assert body == server.request("GET", created.location[len(server.origin):], token=token).body

    # The SDK's verifier accepts it...
    processed = k2connect.ResultHandler.process(FlaskLikeRequest(callback_headers, body))
    assert json.loads(processed)["data"]["attributes"]["status"] == "Success"
    # ...its decomposer reads it...
    result = payload_decomposer.decompose(body.decode())
    assert result.status == "Success"
    # ...and it refuses the same body with one byte changed.
    tampered = body.replace(b'"Success"', b'"Succesz"')
    with pytest.raises(exceptions.InvalidArgumentError):
        k2connect.ResultHandler.process(FlaskLikeRequest(callback_headers, tampered))


def test_payment_callback_verifies_with_the_api_key_only(k2mock, receiver):
    server = k2mock
    payment = {"destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
               "amount": {"currency": "KES", "value": 20000}, "_links": {"callback_url": receiver.url()}}
    assert server.request("POST", "/api/v1/payments", payment, token="demo-token").status == 201
    server.advance(30)
    headers, body = receiver.received[0].headers, receiver.received[0].body
    k2connect.initialize("demo-client", "demo-secret", server.base_url, api_secret="demo-api-key")
    k2connect.ResultHandler.process(FlaskLikeRequest(headers, body))
    k2connect.initialize("demo-client", "demo-secret", server.base_url, api_secret="demo-secret")
    with pytest.raises(exceptions.InvalidArgumentError):
        k2connect.ResultHandler.process(FlaskLikeRequest(headers, body))


@pytest.mark.parametrize("topic", ["buygoods_transaction_received", "buygoods_transaction_reversed",
                                   "b2b_transaction_received", "customer_created", "settlement_transfer_completed"])
def test_sdk_verifies_and_decomposes_webhook_events(k2mock, receiver, topic):
    server = k2mock
    subscription = {"event_type": topic, "url": receiver.url(), "scope": "company"}
    assert server.request("POST", "/api/v2/webhook_subscriptions", subscription, token="demo-token").status == 201
    fired = server.fire_event(topic)
    assert fired["event"] == topic and len(fired["deliveries"]) == 1
    headers, event = receiver.received[0].headers, receiver.received[0].body
    assert server.callbacks()[0].topic == topic
    k2connect.initialize("demo-client", "demo-secret", server.base_url, api_secret="demo-api-key")
    k2connect.ResultHandler.process(FlaskLikeRequest(headers, event))
    decomposed = payload_decomposer.decompose(event.decode())
    assert decomposed.topic == topic
    assert decomposed.id == json.loads(event)["id"]
