"""Every service of the official Python SDK (k2-connect 2.0.0) against the real k2mock binary
on a manual clock, with nothing changed but the base URL."""
import json

import k2connect
import pytest
from k2connect import exceptions, payload_decomposer

CALLBACK = "https://example.test/k2/result"


@pytest.fixture
def sdk(k2mock):
    server = k2mock
    k2connect.initialize("demo-client", "demo-secret", server.base_url, api_secret="demo-api-key")
    token = k2connect.Tokens.request_access_token()["access_token"]
    return server, token


def test_tokens_issue_introspect_info_and_revoke(sdk):
    server, _ = sdk
    issued = k2connect.Tokens.request_access_token()
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600
    token = issued["access_token"]
    assert k2connect.Tokens.introspect_access_token(token)["active"] is True
    assert k2connect.Tokens.request_token_info(token)["application"]["uid"] == "demo-client"
    assert k2connect.Tokens.revoke_access_token(token) == {}
    assert k2connect.Tokens.introspect_access_token(token) == {"active": False}


def test_external_recipients_and_send_money(sdk):
    server, token = sdk
    send_money = k2connect.SendMoney(token)
    location = send_money.add_external_recipient({
        "type": "mobile_wallet", "first_name": "Jane", "last_name": "Doe", "phone_number": "+254911222536",
        "email": "jane@example.test", "network": "Safaricom", "nickname": "Jane"})
    assert location.startswith(server.origin + "/api/v2/external_recipients/")
    location = send_money.create_payment({
        "source_identifier": None, "currency": "KES", "callback_url": CALLBACK, "metadata": {"notes": "Salary"},
        "destinations": [{"type": "mobile_wallet", "phone_number": "+254911222536", "network": "Safaricom",
                          "amount": 1000, "description": "Salary", "favourite": True, "nickname": "Jane"}]})
    assert location.startswith(server.origin + "/api/v2/send_money/")
    server.advance(30)
    status = send_money.query_resource(location)
    assert status["data"]["attributes"]["status"] == "Processed"
    assert status["data"]["attributes"]["transfer_batches"][0]["status"] == "Transferred"


def test_stk_push_and_its_status(sdk):
    server, token = sdk
    incoming = k2connect.IncomingPayments(token)
    location = incoming.create_incoming_payment({
        "payment_channel": "M-PESA STK Push", "till_number": "K000000", "callback_url": CALLBACK,
        "subscriber": {"first_name": "Joe", "last_name": "Buyer", "phone_number": "+254999999999", "email": "j@x.test"},
        "amount": {"currency": "KES", "value": 20000}, "metadata": {"customer_id": "123"}})
    reference = location.rsplit("/", 1)[1]
    assert incoming.view_incoming_payment({"incoming_payment_reference": reference})["data"]["attributes"]["status"] == "Pending"
    server.advance(10)
    status = incoming.view_incoming_payment({"incoming_payment_reference": reference})
    assert status["data"]["attributes"]["status"] == "Success"
    decomposed = payload_decomposer.decompose(json.dumps(status))
    assert decomposed.amount == "20000.0" and decomposed.sender_phone_number == "+254999999999"


def test_webhook_subscriptions(sdk):
    server, token = sdk
    location = k2connect.Webhooks(token).create_subscription({
        "event_type": "buygoods_transaction_received", "webhook_uri": "https://example.test/hooks",
        "scope": "till", "scope_reference": "555555"})
    assert location.startswith(server.origin + "/api/v2/webhook_subscriptions/")
    assert server.request("GET", location[len(server.origin):], token=token).status == 200


def test_merchant_bank_accounts_and_wallets(sdk):
    server, token = sdk
    accounts = k2connect.TransferAccount(token)
    bank = accounts.add_transfer_account({
        "type": "merchant_bank_account", "account_name": "Demo", "account_number": "1234567890",
        "bank_branch_ref": "633aa26c-7b7c-4091-ae28-96c0687cf886", "settlement_method": "EFT"})
    wallet = accounts.add_transfer_account({
        "type": "merchant_wallet", "first_name": "Jane", "last_name": "Doe", "phone_number": "+254911222538",
        "network": "Safaricom"})
    for location, kind in ((bank, "merchant_bank_account"), (wallet, "merchant_wallet")):
        data = accounts.query_resource(location)["data"]
        assert data["type"] == kind and data["attributes"]["status"] == "Approved"


def test_polling_lists_received_transactions(sdk):
    server, token = sdk
    server.fire_event("buygoods_transaction_received", {"till_number": "555555"})
    location = k2connect.Polling(token).initiate_polling_request({
        "scope": "company", "scope_reference": "", "callback_url": CALLBACK,
        "from_time": "2021-01-28T09:00:00+03:00", "to_time": "2021-01-28T11:00:00+03:00"})
    server.advance(5)
    attributes = k2connect.Polling(token).polling_request_status(location)["data"]["attributes"]
    assert attributes["status"] == "Success"
    assert len(attributes["transactions"]) == 1


def test_reversals(sdk):
    server, token = sdk
    reversals = k2connect.Reversals(token)
    location = reversals.initiate_reversal({
        "transaction_reference": "TQ2L262026", "reason": "Erroneous payment", "callback_url": CALLBACK,
        "metadata": {"ticket": "1"}})
    reference = location.rsplit("/", 1)[1]
    server.advance(10)
    status = reversals.get_status({"reversal-reference": reference})
    assert status["data"]["type"] == "reversal" and status["data"]["attributes"]["status"] == "Processed"


def test_payment_links_create_view_and_cancel(sdk):
    server, token = sdk
    links = k2connect.PaymentLinks(token)
    location = links.create_payment_link({
        "currency": "KES", "amount": 20000, "till_number": "65328", "payment_reference": "INVOICE-01",
        "note": "TV", "callback_url": CALLBACK, "metadata": {"key": "value"}})
    reference = location.rsplit("/", 1)[1]
    assert links.get_status({"payment-link-reference": reference})["data"]["attributes"]["payment_link"]["status"] == "Active"
    links.cancel_payment_link({"payment-link-reference": reference})
    assert links.get_status({"payment-link-reference": reference})["data"]["attributes"]["payment_link"]["status"] == "Cancelled"


def test_transaction_sms_notifications(sdk):
    server, token = sdk
    location = k2connect.TransactionNotifications.send_transaction_sms_notification({
        "access_token": token, "webhook_event_reference": "d81312b9-4c0e-4347-971f-c3d5b14bdbe4",
        "message": "Thanks for your payment", "callback_url": CALLBACK})
    server.advance(5)
    status = k2connect.TransactionNotifications.transaction_notification_status(token, location)
    assert status["data"]["attributes"]["status"] == "Success"


def test_refusals_reach_the_sdk_as_k2_errors(sdk):
    server, token = sdk
    with pytest.raises(exceptions.K2Error):
        k2connect.IncomingPayments("not-a-token").view_incoming_payment({"incoming_payment_reference": "x"})
    with pytest.raises(exceptions.K2Error):
        k2connect.Reversals(token).get_status({"reversal-reference": "00000000-0000-4000-8000-000000000000"})
    k2connect.initialize("demo-client", "wrong-secret", server.base_url)
    with pytest.raises(exceptions.K2Error):
        k2connect.Tokens.request_access_token()
    # Malformed JSON and an unknown id, straight through the SDK's HTTP library.
    import requests
    bad = requests.post(server.origin + "/api/v2/send_money", data=b'{"currency":',
                        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error_code"] == 400
    missing = requests.get(server.origin + "/api/v2/send_money/nope", headers={"Authorization": "Bearer " + token})
    assert missing.status_code == 404 and missing.json()["error_code"] == 404
