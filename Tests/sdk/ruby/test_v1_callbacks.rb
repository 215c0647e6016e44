# frozen_string_literal: true

# The callback kinds the v2 Ruby SDK cannot create (v1 payments, settlement transfers and
# transaction SMS notifications: "deprecated on v2" in its README). They are created here over
# plain HTTP; their callbacks still go through the SDK: its verifier accepts them,
# K2ProcessResult refuses their types ("No Other Specified Payment Type!"), and the SDK's own
# payload classes for the first two (Transactions::OutgoingPayment, Transactions::Transfer)
# decompose them.
class TestV1Callbacks < K2Suite::TestCase
  def create(path, body)
    response = server.request("POST", path, body: body, token: access_token)
    assert_equal 201, response.code.to_i, "POST #{path}: #{response.body}"
    response["location"]
  end

  def verify_and_refuse_type(delivery)
    parser = K2ConnectRuby::K2Services::K2Client.new(API_KEY)
    parser.parse_request(delivery.rack_request)
    assert_equal true, Authenticator.authenticate(parser.hash_body, API_KEY, parser.k2_signature)
    error = assert_raises(ArgumentError) { ProcessResult.process(parser.hash_body, API_KEY, parser.k2_signature) }
    assert_equal "No Other Specified Payment Type!", error.message
    assert_verifier_refuses(delivery, :process_result)
    parser.hash_body
  end

  def test_v1_payment_callback
    location = create("/api/v1/payments", {
      destination_type: "mobile_wallet", destination_reference: PAY_RECIPIENT,
      amount: { currency: "KES", value: 20_000 }, description: "Salary payment", category: "salaries",
      metadata: { notes: "Salary" }, _links: { callback_url: callback_url },
    })
    server.advance(5)
    hash_body = verify_and_refuse_type(delivery_to(callback_url))
    result = Payloads::Transactions::OutgoingPayment.new(hash_body)
    assert_valid_payload result
    assert_equal location.split("/").last, result.id
    assert_equal "payment", result.type
    assert_equal "Processed", result.status
    assert_match TIME, result.created_at
    assert_equal 20_000, result.total_value
    assert_equal "KES", result.instance_variable_get(:@currency)
    batch = result.transfer_batches.first
    assert_equal "Transferred", batch["status"]
    disbursement = batch["disbursements"].first
    assert_equal "20000.0", disbursement["amount"]
    assert_match(/\A[A-Z0-9]{10}\z/, disbursement["transaction_reference"])
    assert_equal({ "notes" => "Salary" }, result.metadata)
    assert_equal location, result.links_self
    assert_equal callback_url, result.callback_url
  end

  def test_v1_settlement_transfer_callback
    accounts = K2Entity::TransferAccount.new(access_token)
    accounts.add_transfer_account(type: "merchant_bank_account", account_name: "Jane Merchant", account_number: "1234567890",
                                  bank_branch_ref: "633aa26c-7b7c-4091-ae28-96c0687cf886", settlement_method: "EFT")
    reference = attributes(accounts.query_status)[:account_reference]
    location = create("/api/v1/settlement_transfers", {
      amount: { currency: "KES", value: "5000" }, destination_type: "merchant_bank_account",
      destination_reference: reference, _links: { callback_url: callback_url },
    })
    server.advance(5)
    hash_body = verify_and_refuse_type(delivery_to(callback_url))
    result = Payloads::Transactions::Transfer.new(hash_body)
    assert_valid_payload result
    assert_equal location.split("/").last, result.id
    assert_equal "settlement_transfer", result.type
    assert_equal "Processed", result.status
    assert_match TIME, result.created_at
    assert_equal 5000, result.total_value
    assert_equal "KES", result.instance_variable_get(:@currency)
    assert_equal "Transferred", result.transfer_batches.first["status"]
    assert_equal "5000.0", result.transfer_batches.first["disbursements"].first["amount"]
    assert_equal location, result.links_self
    assert_equal callback_url, result.callback_url
  end

  def test_v1_transaction_sms_notification_callback
    event = server.fire("buygoods_transaction_received")
    location = create("/api/v1/transaction_sms_notifications", {
      webhook_event_reference: event["id"], message: "Thank you for your payment",
      _links: { callback_url: callback_url },
    })
    server.advance(2)
    hash_body = verify_and_refuse_type(delivery_to(callback_url))
    assert_equal "transaction_sms_notification", hash_body.dig("data", "type")
    assert_equal "Success", hash_body.dig("data", "attributes", "status")
    assert_equal event["id"], hash_body.dig("data", "attributes", "webhook_event_reference")
    assert_equal location, hash_body.dig("data", "attributes", "_links", "self")
  end
end
