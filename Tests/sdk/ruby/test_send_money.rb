# frozen_string_literal: true

# SendMoney (create_payment to every destination type and the sweep, query_status,
# query_resource) and its callback through K2ProcessResult (SendMoneyPayment).
class TestSendMoney < K2Suite::TestCase
  BRANCH = "633aa26c-7b7c-4091-ae28-96c0687cf886"

  # account_reference of a merchant wallet and a merchant bank account, added through the SDK.
  def merchant_references
    accounts = K2Entity::TransferAccount.new(access_token)
    accounts.add_transfer_account(type: "merchant_wallet", first_name: "First", last_name: "Last",
                                  email: "email@email.com", phone_number: "+254712345678", network: "Safaricom")
    wallet = attributes(accounts.query_status)[:account_reference]
    accounts.add_transfer_account(type: "merchant_bank_account", account_name: "Jane Merchant",
                                  account_number: "1234567890", bank_branch_ref: BRANCH, settlement_method: "RTS")
    bank = attributes(accounts.query_status)[:account_reference]
    [wallet, bank]
  end

  def test_send_money_to_every_destination_type
    wallet_ref, bank_ref = merchant_references
    destinations = [
      { type: "mobile_wallet", phone_number: "254712345678", network: "Safaricom", amount: "1000",
        description: "Salary", nickname: "Jane", favourite: true },
      { type: "bank_account", bank_branch_ref: BRANCH, account_name: "Jane Doe", account_number: "1234567890",
        nickname: "Jane's bank", amount: "1000", description: "send money via K2 Connect" },
      { type: "paybill", paybill_number: "888880", paybill_account_number: "ACC-1", amount: 150,
        description: "Power bill", nickname: "Power", favourite: "false" },
      { type: "till", till_number: "555555", amount: 50, description: "Stock" },
      { type: "merchant_wallet", reference: wallet_ref, amount: "200" },
      { type: "merchant_bank_account", reference: bank_ref, amount: "300" },
    ]
    send_money = K2Entity::SendMoney.new(access_token)
    location = send_money.create_payment(
      destinations: destinations, currency: "KES", source_identifier: nil,
      metadata: { order_no: "ORD192832" }, callback_url: callback_url,
    )
    assert_location(location, "send_money")
    assert_equal location, send_money.payments_location_url

    pending = send_money.query_status
    assert_equal "send_money", pending.dig(:data, :type)
    assert_equal "Pending", attributes(pending)[:status]
    assert_equal %w[mobile_wallet bank_account paybill till merchant_wallet merchant_bank_account],
                 attributes(pending)[:destinations].map { |d| d[:type] }
    assert_equal [], attributes(pending)[:transfer_batches]

    server.advance(2)
    processed = send_money.query_resource(location)
    assert_equal "Processed", attributes(processed)[:status]
    assert_equal ["Pending"] * 6, attributes(processed)[:transfer_batches].map { |b| b[:status] }
    assert_empty receiver.deliveries(path_of(callback_url))

    server.advance(3)
    final = send_money.query_status
    batches = attributes(final)[:transfer_batches]
    assert_equal ["Transferred"] * 6, batches.map { |b| b[:status] }
    assert_equal %w[1000.0 1000.0 150.0 50.0 200.0 300.0], batches.map { |b| b[:amount] }
    disbursements = batches.flat_map { |b| b[:disbursements] }
    assert disbursements.all? { |d| d[:transaction_reference].to_s.match?(/\A[A-Z0-9]{10}\z/) }, disbursements.inspect

    delivery = delivery_to(callback_url)
    assert_equal final, JSON.parse(delivery.body, symbolize_names: true)
    result = process_result(delivery)
    assert_instance_of Payloads::Transactions::SendMoneyPayment, result
    assert_valid_payload result
    assert_equal location.split("/").last, result.id
    assert_equal "send_money", result.type
    assert_equal "Processed", result.status
    assert_equal "2026-03-02T09:00:00.000+03:00", result.created_at
    assert_equal batches.map(&:deep_stringify_keys), result.transfer_batches
    assert_equal({ "order_no" => "ORD192832" }, result.metadata)
    assert_equal location, result.links_self
    assert_equal callback_url, result.callback_url
    # SDK bug (pinned): OutgoingTransaction reads a v1 `amount` object (k2_transaction.rb:49-50),
    # which K2's v2 send_money body does not have (K2's docs and the SDK's own spec fixture
    # carry top-level `currency` and per-batch amounts), so total_value and @currency stay nil.
    assert_nil result.total_value
    assert_nil result.instance_variable_get(:@currency)
    assert_equal "KES", JSON.parse(delivery.body).dig("data", "attributes", "currency")

    assert_verifier_refuses(delivery, :process_result)
  end

  def test_send_money_sweep_to_my_accounts
    send_money = K2Entity::SendMoney.new(access_token)
    location = send_money.create_payment(destinations: [], currency: "KES", source_identifier: nil,
                                         callback_url: callback_url)
    assert_location(location, "send_money")
    server.advance(5)
    final = send_money.query_resource(location)
    assert_equal "Processed", attributes(final)[:status]
    assert_equal [], attributes(final)[:transfer_batches]
    result = process_result(delivery_to(callback_url))
    assert_instance_of Payloads::Transactions::SendMoneyPayment, result
    assert_equal "Processed", result.status
    assert_equal [], result.transfer_batches
  end

  def test_send_money_fails_and_calls_back
    send_money = K2Entity::SendMoney.new(access_token)
    send_money.create_payment(
      destinations: [{ type: "till", till_number: "555555", amount: 404, description: "Stock" }],
      currency: "KES", callback_url: callback_url,
    )
    server.advance(5)
    final = send_money.query_status
    assert_equal "Failed", attributes(final)[:status]
    delivery = delivery_to(callback_url)
    result = process_result(delivery)
    assert_equal "Failed", result.status
    assert_equal "The balance is insufficient for the transaction", JSON.parse(delivery.body).dig("data", "attributes", "errors")
  end

  def test_the_sdk_refuses_invalid_send_money_requests
    send_money = K2Entity::SendMoney.new(access_token)
    assert_raises(ArgumentError) { send_money.create_payment(destinations: [], currency: "USD", callback_url: callback_url) }
    assert_raises(ArgumentError) do
      send_money.create_payment(destinations: [{ type: "mobile_wallet", phone_number: "+254712345678", amount: 1,
                                                 description: "x" }], currency: "KES", callback_url: callback_url)
    end
    assert_raises(ArgumentError) { send_money.create_payment(destinations: [{ type: "card", amount: 1 }], currency: "KES", callback_url: callback_url) }
  end
end
