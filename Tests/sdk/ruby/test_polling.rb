# frozen_string_literal: true

# K2Polling (poll, query_resource, query_resource_url) and its callback: the SDK's verifier
# accepts it, but K2ProcessResult has no polling payload (it raises "No Other Specified
# Payment Type!"), so the body is read as the status GET's.
class TestPolling < K2Suite::TestCase
  def polling_params(scope: "company", scope_reference: "")
    { scope: scope, scope_reference: scope_reference, from_time: "2026-03-02T08:00:00+03:00",
      to_time: "2026-03-02T10:00:00+03:00", callback_url: callback_url }
  end

  def test_polling_lists_received_transactions_and_calls_back
    fired = server.fire("buygoods_transaction_received", resource: { amount: "250.0", reference: "QPL0000001" })
    server.fire("buygoods_transaction_received", resource: { amount: "75.0", reference: "QPL0000002", till_number: "111111" })

    polling = K2Entity::K2Polling.new(access_token)
    location = polling.poll(polling_params)
    assert_location(location, "polling")
    assert_equal location, polling.location_url

    pending = polling.query_resource
    assert_same pending, polling.k2_response_body
    assert_equal "polling", pending.dig(:data, :type)
    assert_equal "Pending", attributes(pending)[:status]

    server.advance(2)
    final = polling.query_resource_url(location)
    attrs = attributes(final)
    assert_equal "Success", attrs[:status]
    assert_equal "Company", attrs[:scope]
    assert_equal "2026-03-02T08:00:00+03:00", attrs[:from_time]
    assert_equal "2026-03-02T10:00:00+03:00", attrs[:to_time]
    references = attrs[:transactions].map { |t| t.dig(:resource, :reference) }
    assert_equal %w[QPL0000001 QPL0000002], references.sort
    first = attrs[:transactions].find { |t| t.dig(:resource, :reference) == "QPL0000001" }
    assert_equal "Buygoods Transaction", first[:type]
    assert_equal "250.0", first.dig(:resource, :amount)
    assert_match UUID, fired["id"]

    delivery = delivery_to(callback_url)
    assert_equal final, JSON.parse(delivery.body, symbolize_names: true)
    parser = K2ConnectRuby::K2Services::K2Client.new(API_KEY)
    parser.parse_request(delivery.rack_request)
    assert_equal true, Authenticator.authenticate(parser.hash_body, API_KEY, parser.k2_signature)
    error = assert_raises(ArgumentError) { ProcessResult.process(parser.hash_body, API_KEY, parser.k2_signature) }
    assert_equal "No Other Specified Payment Type!", error.message
    # Refused before the type is even looked at:
    assert_verifier_refuses(delivery, :process_result)
  end

  def test_till_scoped_polling_lists_that_till_only
    server.fire("buygoods_transaction_received", resource: { reference: "QPL0000001", till_number: "000000" })
    server.fire("buygoods_transaction_received", resource: { reference: "QPL0000002", till_number: "111111" })
    polling = K2Entity::K2Polling.new(access_token)
    polling.poll(polling_params(scope: "till", scope_reference: "111111"))
    server.advance(2)
    attrs = attributes(polling.query_resource)
    assert_equal "Success", attrs[:status]
    assert_equal ["QPL0000002"], attrs[:transactions].map { |t| t.dig(:resource, :reference) }
  end

  def test_the_sdk_refuses_incomplete_polling_requests
    polling = K2Entity::K2Polling.new(access_token)
    assert_raises(ArgumentError) { polling.poll(polling_params(scope: "till", scope_reference: nil)) }
    assert_raises(ArgumentError) { polling.poll(polling_params(scope: "everywhere")) }
    assert_raises(ArgumentError) { polling.poll(polling_params.except(:from_time)) }
  end
end
