# frozen_string_literal: true

# Reversal (initiate_reversal, query_status, query_resource) and PaymentLink
# (create_payment_link, query_status, query_resource, cancel_payment_link), with their
# callbacks through K2ProcessResult (Transactions::Reversal, Transactions::PaymentLink).
class TestReversalsAndPaymentLinks < K2Suite::TestCase
  def reversal_params(metadata: { order_no: "ORD192832" })
    { transaction_reference: "Y7T2990R11", reason: "Erroneous payment", metadata: metadata, callback_url: callback_url }
  end

  def payment_link_params(amount: 1000)
    { till_number: "4321", currency: "KES", amount: amount, payment_reference: "INV02932922",
      note: "Payment for monthly internet subscription", metadata: { account_number: "1234567" },
      callback_url: callback_url }
  end

  def test_reversal_is_processed_and_calls_back
    reversal = K2Entity::Reversal.new(access_token)
    location = reversal.initiate_reversal(reversal_params)
    assert_location(location, "reversals")
    assert_equal location, reversal.reversal_location_url

    received = reversal.query_status
    assert_equal "reversal", received.dig(:data, :type)
    attrs = attributes(received)
    assert_equal "Received", attrs[:status]
    assert_equal "Y7T2990R11", attrs[:transaction_reference]
    assert_equal "Erroneous payment", attrs[:reason]
    assert_nil attrs[:reversal_bulk_payment]

    server.advance(5)
    final = reversal.query_resource(location)
    assert_equal "Processed", attributes(final)[:status]
    bulk = attributes(final)[:reversal_bulk_payment]
    refute_nil bulk

    delivery = delivery_to(callback_url)
    assert_equal final, JSON.parse(delivery.body, symbolize_names: true)
    result = process_result(delivery)
    assert_instance_of Payloads::Transactions::Reversal, result
    assert_valid_payload result
    assert_equal location.split("/").last, result.id
    assert_equal "reversal", result.type
    assert_equal "Y7T2990R11", result.transaction_reference
    assert_equal "Erroneous payment", result.reason
    assert_equal "Processed", result.status
    assert_equal "2026-03-02T09:00:00.000+03:00", result.created_at
    assert_equal bulk, result.reversal_bulk_payment
    assert_equal "Transferred", result.reversal_bulk_payment[:status]
    assert_match(/\A[A-Z0-9]{10}\z/, result.reversal_bulk_payment[:transaction_reference])
    assert_equal "2026-03-02T09:00:05.000+03:00", result.reversal_bulk_payment[:origination_time]
    assert_nil result.request_errors
    assert_equal({ order_no: "ORD192832" }, result.metadata)
    assert_equal location, result.links_self
    assert_equal callback_url, result.callback_url

    assert_verifier_refuses(delivery, :process_result)
  end

  # K2 reports the reversed amount in reversal_bulk_payment (the SDK's own spec fixture:
  # "amount":"201.0"); here the reversed transaction is one the sandbox received (a fired
  # buygoods_transaction_received event of 250.0), so its amount is known.
  def test_reversal_of_a_received_transaction_reports_its_amount
    event = server.fire("buygoods_transaction_received", resource: { amount: "250.0", reference: "QWE1234567" })
    assert_match UUID, event["id"]
    reversal = K2Entity::Reversal.new(access_token)
    reversal.initiate_reversal(reversal_params.merge(transaction_reference: "QWE1234567"))
    server.advance(5)
    result = process_result(delivery_to(callback_url))
    assert_equal "Processed", result.status
    assert_equal "250.0", result.reversal_bulk_payment[:amount],
                 "k2mock: reversal_bulk_payment.amount is null (Sources/K2Sandbox/Kinds/Reversal.swift:37), K2 gives the reversed amount"
  end

  def test_reversal_fails_and_calls_back
    reversal = K2Entity::Reversal.new(access_token)
    reversal.initiate_reversal(reversal_params(metadata: { outcome: "fail" }))
    server.advance(5)
    assert_equal "Failed", attributes(reversal.query_status)[:status]
    result = process_result(delivery_to(callback_url))
    assert_instance_of Payloads::Transactions::Reversal, result
    assert_valid_payload result
    assert_equal "Failed", result.status
    assert_equal "The transaction cannot be reversed", result.request_errors
    assert_nil result.reversal_bulk_payment
  end

  def test_the_sdk_refuses_a_reversal_without_a_reason
    error = assert_raises(ArgumentError) { K2Entity::Reversal.new(access_token).initiate_reversal(reversal_params.except(:reason)) }
    assert_match(/Reason can't be blank/, error.message)
  end

  def test_payment_link_is_paid_and_calls_back
    links = K2Entity::PaymentLink.new(access_token)
    location = links.create_payment_link(payment_link_params(amount: 202))
    assert_location(location, "payment_links")
    assert_equal location, links.payment_link_location_url

    active = links.query_status
    assert_equal "payment_link", active.dig(:data, :type)
    attrs = attributes(active)
    assert_equal "Processed", attrs[:status]
    assert_equal "Active", attrs.dig(:payment_link, :status)
    assert_equal "4321", attrs[:till_number]
    assert_equal "INV02932922", attrs[:payment_reference]
    assert_equal active, links.query_resource(location)

    server.advance(5)
    final = links.query_status
    assert_equal "Paid", attributes(final).dig(:payment_link, :status)

    delivery = delivery_to(callback_url)
    assert_equal final, JSON.parse(delivery.body, symbolize_names: true)
    result = process_result(delivery)
    assert_instance_of Payloads::Transactions::PaymentLink, result
    assert_valid_payload result
    assert_equal location.split("/").last, result.id
    assert_equal "payment_link", result.type
    assert_equal attributes(final)[:status], result.status
    assert_equal "2026-03-02T09:00:00.000+03:00", result.created_at
    refute_nil result.till_name
    assert_equal "KES", result.currency
    assert_includes [202, "202", "202.0"], result.amount
    assert_equal "INV02932922", result.payment_reference
    assert_equal "Payment for monthly internet subscription", result.note
    link = result.payment_link
    assert_equal "Paid", link[:status]
    assert_match(/\A[A-Z0-9]{10}\z/, link[:transaction_reference].to_s)
    refute_nil link[:sender_phone_number]
    assert_match TIME, link[:origination_time]
    refute_nil link[:expires_at]
    refute_nil link[:link]
    assert_nil result.request_errors
    assert_equal({ account_number: "1234567" }, result.metadata)
    assert_equal location, result.links_self
    assert_equal callback_url, result.callback_url

    # A paid link cannot be cancelled.
    error = assert_raises(K2Errors::ApiError) { links.cancel_payment_link(location) }
    assert_equal 400, error.code

    assert_verifier_refuses(delivery, :process_result)
  end

  def test_payment_link_is_cancelled
    links = K2Entity::PaymentLink.new(access_token)
    location = links.create_payment_link(payment_link_params)
    assert_equal "Payment link cancelled.", links.cancel_payment_link(location)
    cancelled = links.query_resource(location)
    assert_equal "Cancelled", attributes(cancelled).dig(:payment_link, :status)
    # A cancelled link is never paid, and never calls back.
    server.advance(60)
    assert_equal "Cancelled", attributes(links.query_status).dig(:payment_link, :status)
    assert_empty receiver.deliveries(path_of(callback_url))
  end

  def test_the_sdk_refuses_a_payment_link_in_another_currency
    error = assert_raises(ArgumentError) { K2Entity::PaymentLink.new(access_token).create_payment_link(payment_link_params.merge(currency: "USD")) }
    assert_match(/Currency must be 'KES'/, error.message)
  end
end
