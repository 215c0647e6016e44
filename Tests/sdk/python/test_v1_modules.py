"""The v1 modules the k2-connect 2.0.0 wheel still ships (pay, transfers, receive payments,
polling, webhooks), against the real k2mock binary."""
import k2connect
import pytest
from k2connect.pay import PayService
from k2connect.polling import PollingService
from k2connect.receive_payments import ReceivePaymentsService
from k2connect.transfers import TransferService
from k2connect.webhooks import WebhookService

CALLBACK = "https://example.test/k2/result"


@pytest.fixture
def v1(k2mock):
    server = k2mock
    k2connect.initialize("demo-client", "demo-secret", server.base_url, api_secret="demo-api-key")
    return server, k2connect.Tokens.request_access_token()["access_token"]


def test_pay_recipient_then_pay_and_its_status(v1):
    server, token = v1
    pay = PayService(base_url=server.base_url)
    recipient = pay.add_pay_recipient({
        "access_token": token, "recipient_type": "mobile_wallet", "first_name": "Jane", "last_name": "Doe",
        "phone_number": "+254911222536", "email": "jane@example.test", "network": "Safaricom"})
    recipient_id = recipient.rsplit("/", 1)[1]
    # The wheel's stale pay.py calls json_builder.pay, which 2.0.0 no longer has: send_pay fails
    # in the SDK before any request is made, against any server.
    with pytest.raises(AttributeError, match="json_builder"):
        pay.send_pay({
            "access_token": token, "destination_type": "mobile_wallet", "destination_reference": recipient_id,
            "amount": "20000", "currency": "KES", "callback_url": CALLBACK, "description": "Salary",
            "metadata": {"customer_id": "8675309"}})
    # So the payment goes out in the body v1.2.7's send_pay built; its status comes back through the SDK.
    created = server.request("POST", "/api/v1/payments", {
        "destination_type": "mobile_wallet", "destination_reference": recipient_id, "description": "Salary",
        "amount": {"currency": "KES", "value": "20000"}, "metadata": {"customer_id": "8675309"},
        "_links": {"callback_url": CALLBACK}}, token=token)
    assert created.status == 201
    location = created.location
    server.advance(30)
    status = pay.pay_transaction_status(token, location)
    assert status["data"]["attributes"]["transfer_batches"][0]["status"] == "Transferred"


def test_settlement_accounts_and_transfers(v1):
    server, token = v1
    transfers = TransferService(base_url=server.base_url)
    bank = transfers.add_bank_settlement_account({
        "access_token": token, "settlement_method": "EFT", "account_name": "Demo", "account_number": "1234567890",
        "bank_branch_ref": "633aa26c-7b7c-4091-ae28-96c0687cf886"})
    wallet = transfers.add_mobile_wallet_settlement_account({
        "access_token": token, "first_name": "Jane", "last_name": "Doe", "phone_number": "+254911222538",
        "network": "Safaricom"})
    assert bank.startswith(server.origin + "/api/v1/merchant_bank_accounts/")
    assert wallet.startswith(server.origin + "/api/v1/merchant_wallets/")
    location = transfers.settle_funds({
        # No "currency": the wheel's settle_funds only sets it when absent (UnboundLocalError otherwise).
        "access_token": token, "value": "1000", "destination_type": "merchant_bank_account",
        "destination_reference": bank.rsplit("/", 1)[1], "callback_url": CALLBACK})
    server.advance(10)
    status = transfers.transfer_transaction_status(token, location)
    assert status["data"]["type"] == "settlement_transfer"
    assert status["data"]["attributes"]["transfer_batches"][0]["disbursements"][0]["destination_type"] == "Bank Account"


def test_receive_payments_stk_push(v1):
    server, token = v1
    receive = ReceivePaymentsService(base_url=server.base_url)
    location = receive.create_payment_request({
        "access_token": token, "payment_channel": "M-PESA STK Push", "till_number": "K000000",
        "first_name": "Joe", "last_name": "Buyer", "phone_number": "+254999999999", "email": "j@example.test",
        "currency": "KES", "amount": "100", "callback_url": CALLBACK, "metadata": {"reference": "1"}})
    assert location.startswith(server.origin + "/api/v1/incoming_payments/")
    server.advance(10)
    assert receive.payment_request_status(token, location)["data"]["attributes"]["status"] == "Success"


def test_polling_and_webhooks(v1):
    server, token = v1
    polling = PollingService(base_url=server.base_url)
    location = polling.create_polling_request({
        "access_token": token, "scope": "company", "scope_reference": "", "callback_url": CALLBACK,
        "from_time": "2021-01-28T09:00:00+03:00", "to_time": "2021-01-28T11:00:00+03:00"})
    server.advance(5)
    assert polling.polling_request_status(token, location)["data"]["attributes"]["status"] == "Success"
    webhooks = WebhookService(base_url=server.base_url)
    subscription = webhooks.create_subscription({
        "access_token": token, "event_type": "buygoods_transaction_received",
        "webhook_endpoint": "https://example.test/hooks", "scope": "till", "scope_reference": "555555"})
    assert subscription.startswith(server.origin + "/api/v1/webhook_subscriptions/")
