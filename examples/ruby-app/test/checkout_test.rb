# frozen_string_literal: true

require_relative "test_helper"

# Each test gets a sandbox of its own (k2mock_sandbox) on one k2mock for the whole run, and
# configures the checkout with that sandbox's credentials only; so the tests run in parallel
# threads and never see each other's payments, clocks or callbacks.
class CheckoutTest < Minitest::Test
  include K2Mock::Minitest
  k2mock_options scenario: File.join(SCENARIOS, "happy-path.yaml")
  parallelize_me!

  def checkout(client_secret: k2mock_sandbox.client_secret)
    Checkout.new(base_url: k2mock_sandbox.base_url, client_id: k2mock_sandbox.client_id,
                 client_secret: client_secret, api_key: k2mock_sandbox.api_key)
  end

  [["+254799999999", 1500], ["+254711111111", 20], ["+254722222222", 99_000]].each do |phone, amount|
    define_method("test_a_paid_stk_push_of_#{amount}_is_called_back_and_accepted") do
      shop = checkout
      location = shop.ask_for_payment(phone_number: phone, amount: amount, callback_url: k2mock_receiver.url, order: amount)
      assert_equal "Pending", shop.status(location)
      k2mock_sandbox.advance(10) # the scenario pays after 10 s, on this sandbox's clock only
      assert_equal "Success", shop.status(location)

      assert_equal 1, k2mock_receiver.received.size, "only this test's callback"
      result = k2mock_receiver.received.first
      assert result.verified?, "signed with this sandbox's api key"
      payment_id = location.split("/").last
      assert_equal [payment_id, "Success"], shop.handle_result(result.signature, result.body)
      assert_equal 200, shop.call(rack_env(result.body, result.signature)).first
      assert_equal({ payment_id => "Success" }, shop.results)
      assert_equal [payment_id], k2mock_sandbox.resources.select(&:created?).map(&:id)
      assert_equal amount.to_s, k2mock_sandbox.resources.last.body.dig("data", "attributes", "metadata", "order")
      assert_k2mock_expectations
    end
  end

  def test_a_forged_result_is_refused
    shop = checkout
    shop.ask_for_payment(phone_number: "+254799999999", amount: 100, callback_url: k2mock_receiver.url)
    k2mock_sandbox.advance(10)
    result = k2mock_receiver.received.first
    tampered = result.body.sub('"Success"', '"Suckess"')
    assert_raises(Checkout::BadSignature) { shop.handle_result(result.signature, tampered) }
    assert_raises(Checkout::BadSignature) { shop.handle_result(K2Mock.signature(result.body, "another-key"), result.body) }
    assert_raises(Checkout::BadSignature) { shop.handle_result(nil, result.body) }
    assert_equal 401, shop.call(rack_env(tampered, result.signature)).first
    assert_empty shop.results
  end

  def test_a_webhook_with_a_bad_signature_is_refused
    shop = checkout
    subscription = { event_type: "buygoods_transaction_received", url: k2mock_receiver.url("/hooks"), scope: "company" }
    token = k2mock_sandbox.access_token
    assert_equal 201, k2mock_sandbox.request("POST", "/api/v2/webhook_subscriptions", subscription, token: token).status
    k2mock_sandbox.fire_event("buygoods_transaction_received", bad_signature: true)
    forged = k2mock_receiver.received.first
    refute forged.verified?
    assert_equal 401, shop.call(rack_env(forged.body, forged.signature)).first
  end

  def test_a_wrong_client_secret_is_refused
    error = assert_raises(K2ConnectRuby::K2Errors::UnauthorizedError) do
      checkout(client_secret: "not-the-secret").ask_for_payment(phone_number: "+254799999999", amount: 1,
                                                                callback_url: k2mock_receiver.url)
    end
    assert_equal "Invalid or expired token", error.message
    assert_equal [["POST", "/oauth/token", 401]], k2mock_sandbox.requests.map { |r| [r.http_method, r.path, r.status] }
  end
end

# failures.yaml: the customer on +254700000001 cancels.
class CancelledCheckoutTest < Minitest::Test
  include K2Mock::Minitest
  k2mock_options scenario: File.join(SCENARIOS, "failures.yaml")

  def test_a_cancelled_push_is_reported
    shop = Checkout.new(base_url: k2mock_sandbox.base_url, client_id: k2mock_sandbox.client_id,
                        client_secret: k2mock_sandbox.client_secret, api_key: k2mock_sandbox.api_key)
    location = shop.ask_for_payment(phone_number: "+254700000001", amount: 100, callback_url: k2mock_receiver.url)
    k2mock_sandbox.advance(60)
    assert_equal "Failed", shop.status(location)
    result = k2mock_receiver.received.first
    assert_equal [location.split("/").last, "Failed"], shop.handle_result(result.signature, result.body)
  end
end
