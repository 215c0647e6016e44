# frozen_string_literal: true

# K2Stk (M-PESA STK push, v2 incoming_payments): send_stk_request, query_status,
# query_resource, and its callback through K2Client + K2ProcessResult (IncomingPayment).
class TestStk < K2Suite::TestCase
  # The README's request.
  def stk_request(amount: "100", phone: "+254712345678")
    {
      payment_channel: "M-PESA STK Push",
      till_number: "K112233",
      first_name: "First",
      middle_name: "Middle",
      last_name: "Last",
      phone_number: phone,
      email: "test_email@email.com",
      currency: "KES",
      amount: amount,
      metadata: { customer_id: "123_456_789", reference: "123_456", notes: "Placeholder text" },
      callback_url: callback_url,
    }
  end

  def test_stk_push_succeeds_and_calls_back
    stk = K2Entity::K2Stk.new(access_token)
    location = stk.send_stk_request(stk_request)
    assert_location(location, "incoming_payments")
    assert_equal location, stk.location_url

    pending = stk.query_status
    assert_same pending, stk.k2_response_body
    assert_equal "incoming_payment", pending.dig(:data, :type)
    assert_equal "Pending", attributes(pending)[:status]
    assert_nil attributes(pending).dig(:event, :resource)
    assert_equal pending, stk.query_resource(location)

    ran = server.advance(5)["ran"]
    assert_includes ran.map { |r| r["stage"] }, "Success"
    final = stk.query_resource(stk.location_url)
    assert_equal "Success", attributes(final)[:status]
    resource = attributes(final).dig(:event, :resource)
    assert_equal "100.0", resource[:amount]
    assert_equal "+254712345678", resource[:sender_phone_number]
    assert_equal "K112233", resource[:till_number]

    delivery = delivery_to(callback_url)
    assert_equal final, JSON.parse(delivery.body, symbolize_names: true), "the callback is not the final status body"

    result = process_result(delivery)
    assert_instance_of Payloads::Transactions::IncomingPayment, result
    assert_valid_payload result
    id = location.split("/").last
    assert_equal id, result.id
    assert_equal "incoming_payment", result.type
    assert_equal "Success", result.status
    assert_equal "2026-03-02T09:00:00.000+03:00", result.initiation_time
    assert_equal "Incoming Payment Request", result.event_type
    assert_match UUID, result.resource_id
    refute_equal id, result.resource_id
    assert_match(/\A[A-Z0-9]{10}\z/, result.transaction_reference)
    assert_equal "2026-03-02T09:00:05+03:00", result.origination_time
    assert_equal "+254712345678", result.sender_phone_number
    assert_equal "100.0", result.amount
    assert_equal "KES", result.currency
    assert_equal "K112233", result.till_number
    assert_equal "Lipa Na M-PESA", result.system
    assert_equal "Received", result.resource_status
    assert_equal "First", result.sender_first_name
    assert_equal "Middle", result.sender_middle_name
    assert_equal "Last", result.sender_last_name
    assert_nil result.k2_errors
    assert_equal({ "customer_id" => "123_456_789", "reference" => "123_456", "notes" => "Placeholder text" }, result.metadata)
    assert_equal location, result.links_self
    assert_equal callback_url, result.callback_url
    assert_equal attributes(final)[:event].deep_stringify_keys, result.event

    # The README's conversions of the decomposed object.
    hash = ProcessResult.return_obj_hash(result)
    assert_equal result.transaction_reference, hash[:transaction_reference]
    assert_equal "Success", hash["status"]
    assert_includes ProcessResult.return_obj_array(result), result.transaction_reference

    assert_verifier_refuses(delivery, :process_result)
  end

  def test_stk_push_fails_and_calls_back_with_the_reason
    stk = K2Entity::K2Stk.new(access_token)
    stk.send_stk_request(stk_request(amount: 404))
    server.advance(5)
    final = stk.query_status
    assert_equal "Failed", attributes(final)[:status]

    result = process_result(delivery_to(callback_url))
    assert_instance_of Payloads::Transactions::IncomingPayment, result
    assert_equal "Failed", result.status
    assert_equal "The balance is insufficient for the transaction", result.k2_errors
    assert_nil result.resource_id
    assert_nil result.transaction_reference
    assert_equal "Incoming Payment Request", result.event_type
  end

  def test_the_server_refuses_an_invalid_phone_with_an_api_error
    # "+254123" has a length the SDK's own phone check does not look at; K2 refuses it.
    error = assert_raises(K2Errors::ApiError) { K2Entity::K2Stk.new(access_token).send_stk_request(stk_request(phone: "+254123")) }
    assert_equal 400, error.code
    assert_equal "Subscriber phone number is an invalid number", error.message
    assert_equal({ "error_code" => 400, "error_message" => "Subscriber phone number is an invalid number" }, error.details)
  end

  def test_the_sdk_refuses_a_request_without_required_fields
    stk = K2Entity::K2Stk.new(access_token)
    error = assert_raises(ArgumentError) { stk.send_stk_request(stk_request.except(:callback_url)) }
    assert_match(/Callback url can't be blank/, error.message)
    assert_raises(ArgumentError) { stk.send_stk_request(stk_request(phone: "+254812345678")) }
  end
end
