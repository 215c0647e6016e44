# frozen_string_literal: true

# How the SDK fails against k2mock: no token, a bad token, an unknown resource (404), an
# unknown route, a server that is not there; each with the SDK's own error type.
class TestErrors < K2Suite::TestCase
  MISSING = "00000000-0000-4000-8000-000000000000"

  def stk_request
    { payment_channel: "M-PESA STK Push", till_number: "K000000", phone_number: "+254712345678",
      amount: "100", currency: "KES", callback_url: callback_url }
  end

  def test_no_token
    # The entities that check it refuse before any request...
    assert_raises(ArgumentError) { K2Entity::K2Polling.new(nil) }
    assert_raises(ArgumentError) { K2Entity::K2Subscribe.new("") }
    # ...the others send `Bearer ` and K2 answers 401.
    error = assert_raises(K2Errors::UnauthorizedError) { K2Entity::K2Stk.new(nil).send_stk_request(stk_request) }
    assert_equal "Invalid or expired token", error.message
    assert_raises(K2Errors::UnauthorizedError) do
      K2Entity::SendMoney.new(nil).create_payment(destinations: [], currency: "KES", callback_url: callback_url)
    end
    assert_raises(K2Errors::UnauthorizedError) { K2Entity::K2Token.new(CLIENT_ID, CLIENT_SECRET).token_info(nil) }
    last = server.admin("GET", "/requests").last(3).map { |r| r["status"] }
    assert_equal [401, 401, 401], last
  end

  def test_a_bad_token
    location = K2Entity::K2Stk.new(access_token).send_stk_request(stk_request)
    bad = "not-a-token-#{'x' * 38}"
    assert_raises(K2Errors::UnauthorizedError) { K2Entity::K2Stk.new(bad).query_resource(location) }
    assert_raises(K2Errors::UnauthorizedError) { K2Entity::K2Stk.new(bad).send_stk_request(stk_request) }
    assert_raises(K2Errors::UnauthorizedError) { K2Entity::K2Polling.new(bad).query_resource_url(location) }
    assert_raises(K2Errors::UnauthorizedError) do
      K2Entity::K2Subscribe.new(bad).webhook_subscribe(event_type: "customer_created", url: callback_url, scope: "company")
    end
    assert_raises(K2Errors::UnauthorizedError) do
      K2Entity::PaymentLink.new(bad).create_payment_link(till_number: "4321", currency: "KES", amount: 10, callback_url: callback_url)
    end
    assert_raises(K2Errors::UnauthorizedError) do
      K2Entity::Reversal.new(bad).initiate_reversal(transaction_reference: "X", reason: "y", callback_url: callback_url)
    end
    assert_raises(K2Errors::UnauthorizedError) do
      K2Entity::TransferAccount.new(bad).add_transfer_account(type: "merchant_bank_account", account_name: "A",
                                                              account_number: "1", bank_branch_ref: "b", settlement_method: "EFT")
    end
    assert_raises(K2Errors::UnauthorizedError) do
      K2Entity::ExternalRecipient.new(bad).add_external_recipient(type: "till", till_name: "T", till_number: "1")
    end
    assert_equal({ active: false }, K2Entity::K2Token.new(CLIENT_ID, CLIENT_SECRET).introspect_token(bad))
  end

  # Every entity's query of an unknown id raises the SDK's NotFoundError.
  def test_unknown_resource_ids_are_not_found
    token = access_token
    lookups = {
      "incoming_payments" => ->(url) { K2Entity::K2Stk.new(token).query_resource(url) },
      "send_money" => ->(url) { K2Entity::SendMoney.new(token).query_resource(url) },
      "external_recipients" => ->(url) { K2Entity::ExternalRecipient.new(token).query_resource(url) },
      "merchant_wallets" => ->(url) { K2Entity::TransferAccount.new(token).query_resource(url) },
      "merchant_bank_accounts" => ->(url) { K2Entity::TransferAccount.new(token).query_resource(url) },
      "reversals" => ->(url) { K2Entity::Reversal.new(token).query_resource(url) },
      "payment_links" => ->(url) { K2Entity::PaymentLink.new(token).query_resource(url) },
      "polling" => ->(url) { K2Entity::K2Polling.new(token).query_resource_url(url) },
      "webhook_subscriptions" => ->(url) { K2Entity::K2Subscribe.new(token).query_resource_url(url) },
    }
    lookups.each do |collection, lookup|
      error = assert_raises(K2Errors::NotFoundError, collection) { lookup.call("#{origin}/api/v2/#{collection}/#{MISSING}") }
      assert_equal "Entity not found", error.message
    end
    assert_raises(K2Errors::NotFoundError) { K2Entity::K2Entity.new(token).query_status("#{origin}/api/v2/send_money/#{MISSING}") }
    assert_raises(K2Errors::NotFoundError) do
      K2Entity::PaymentLink.new(token).cancel_payment_link("#{origin}/api/v2/payment_links/#{MISSING}")
    end
    # An existing one through the base class, for contrast.
    location = K2Entity::K2Stk.new(token).send_stk_request(stk_request)
    assert_equal "Pending", attributes(K2Entity::K2Entity.new(token).query_status(location))[:status]
  end

  def test_an_unknown_route_is_not_found
    error = assert_raises(K2Errors::NotFoundError) { K2Entity::K2Stk.new(access_token).query_resource("#{origin}/api/v2/no_such_things/#{MISSING}") }
    assert_equal "Entity not found", error.message
  end

  def test_a_server_that_is_not_there
    closed = TCPServer.new("127.0.0.1", 0)
    port = closed.addr[1]
    closed.close
    K2Suite.use_base_url("http://127.0.0.1:#{port}/")
    assert_raises(K2Errors::ConnectionError) { K2Entity::K2Token.new(CLIENT_ID, CLIENT_SECRET).request_token }
  ensure
    K2Suite.use_base_url(server.base_url)
  end

  def test_the_sdk_refuses_an_invalid_base_url
    error = assert_raises(ArgumentError) { K2ConnectRuby::K2Utilities::Config::K2Config.base_url = "ftp://127.0.0.1/" }
    assert_equal "Invalid URL Format.", error.message
    assert_equal server.base_url, K2ConnectRuby::K2Utilities::Config::K2Config.base_url
  end
end
