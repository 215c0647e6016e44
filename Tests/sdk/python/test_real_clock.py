"""The default scenario on its real clock (sped up ten times), as `k2mock serve` runs it:
an SDK user's usual create-then-poll loop sees each request finish and its callback arrive."""
import time

import k2connect
import pytest


def poll(fetch, done, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = fetch()
        if done(result):
            return result
        time.sleep(0.05)
    raise AssertionError("not finished within %.0f s: %r" % (timeout, result))


@pytest.mark.k2mock(scenario="../../../scenarios/default.yaml", time_scale=10, api_key="sandbox_api_key")
def test_default_timelines_finish_on_their_own(k2mock, receiver):
    server = k2mock
    k2connect.initialize("sandbox_client_id", "sandbox_client_secret", server.base_url, api_secret="sandbox_api_key")
    token = k2connect.Tokens.request_access_token()["access_token"]
    incoming = k2connect.IncomingPayments(token)
    location = incoming.create_incoming_payment({
        "payment_channel": "M-PESA STK Push", "till_number": "K000000", "callback_url": receiver.url(),
        "subscriber": {"first_name": "Joe", "last_name": "Buyer", "phone_number": "+254999999999"},
        "amount": {"currency": "KES", "value": 100}})
    send_money = k2connect.SendMoney(token)
    money = send_money.create_payment({
        "source_identifier": None, "currency": "KES", "callback_url": receiver.url(),
        "destinations": [{"type": "till", "till_number": "555555", "amount": 50, "description": "Stock",
                          "nickname": "Shop", "favourite": False}]})
    reference = location.rsplit("/", 1)[1]
    stk = poll(lambda: incoming.view_incoming_payment({"incoming_payment_reference": reference}),
               lambda r: r["data"]["attributes"]["status"] != "Pending")
    assert stk["data"]["attributes"]["status"] == "Success"
    sent = poll(lambda: send_money.query_resource(money),
                lambda r: r["data"]["attributes"]["transfer_batches"]
                and r["data"]["attributes"]["transfer_batches"][0]["status"] == "Transferred")
    assert sent["data"]["attributes"]["status"] == "Processed"
    receiver.wait_for(2)
    receiver.assert_all_verified()
    for headers, body in ((c.headers, c.body) for c in receiver.received):
        k2connect.ResultHandler.process(type("R", (), {"headers": headers, "get_data": lambda self, b=body: b,
                                                       "get_json": lambda self: {}})())
