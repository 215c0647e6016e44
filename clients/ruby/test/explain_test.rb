# frozen_string_literal: true

require_relative "test_helper"

# "Why was it refused?": explain(request:) and explain(resource:) on a Server and a Sandbox. One
# server on the default scenario, a manual clock (it starts at 2026-01-01T03:00 in Nairobi), seed
# 3 and an admin token, reset before each test: every answer is the same in each run.
class ExplainTest < KitTest::Test
  START = "2026-01-01T03:00:00.000+03:00"
  CALLBACK = "https://shop.example/k2/result"

  def server
    @@server ||= K2Mock.start(clock: :manual, seed: 3, admin_token: "adm")
  end

  def setup
    server.reset
    server.sandboxes.each(&:delete)
  end

  Minitest.after_run { @@server&.stop if defined?(@@server) }

  # An STK push as K2's docs have it, but with the payer under `customer`, where K2 reads `subscriber`.
  def with_customer
    body = stk_push(CALLBACK)
    body[:customer] = body.delete(:subscriber)
    body
  end

  # Sends the refused push, then a good one; answers the good one's id.
  def refused_then_paid(api, token)
    refused = api.request("POST", "/api/v1/incoming_payments", with_customer, token: token)
    assert_equal 400, refused.status, refused.body
    assert_equal "subscriber is required", refused.json["error_message"]
    paid = api.request("POST", "/api/v1/incoming_payments", stk_push(CALLBACK), token: token)
    assert_equal 201, paid.status, paid.body
    paid.location.split("/").last
  end

  def assert_refusal_explained(api)
    first, second = api.requests
    assert_equal K2Mock::RecordedRequest.new(id: 1, at: START, http_method: "POST", path: "/api/v1/incoming_payments",
                                             status: 400), first
    assert_equal [2, 201], [second.id, second.status]
    why = api.explain(request: first.id)
    assert_instance_of Hash, why
    assert_equal({ "id" => 1, "at" => START, "method" => "POST", "path" => "/api/v1/incoming_payments", "status" => 400 },
                 why["request"])
    assert_equal "subscriber is required", why["k2_message"]
    assert_match(/\Asubscriber is required: /, why["summary"])
    assert_includes why["summary"], "`customer` where K2 reads `subscriber`"
    assert_equal ["customer"], why["ignored_keys"]
    assert_kind_of Array, why["details"]
    fine = api.explain(request: second.id)
    assert_equal [nil, [], 201], [fine["k2_message"], fine["ignored_keys"], fine.dig("request", "status")]
  end

  def test_a_refused_stk_push_with_customer_for_subscriber_is_explained
    refused_then_paid(server, DOCS_TOKEN)
    assert_refusal_explained(server)
    # k2mock's log line for the refusal ends with the same summary; the log comes in batches.
    line = "POST /api/v1/incoming_payments 400 — #{server.explain(request: 1)['summary']}"
    wait_until("the refusal's log line") { server.log.any? { |logged| logged.end_with?(line) } }
  end

  def test_a_resource_is_explained_before_and_after_its_callback_is_due
    id = refused_then_paid(server, DOCS_TOKEN)
    pending = server.explain(resource: id)
    assert_equal({ "kind" => "incoming_payment", "id" => id, "path" => "/api/v1/incoming_payments/#{id}",
                   "stage" => "Pending", "created_at" => START }, pending["resource"])
    assert pending["summary"].start_with?("incoming_payment #{id} is Pending; Success is due at 2026-01-01T03:00:05.000+03:00"),
           pending["summary"]
    assert_equal [["Pending", START, true], ["Success", "2026-01-01T03:00:05.000+03:00", false]],
                 pending.dig("timeline", "steps").map { |step| step.values_at("stage", "at", "reached") }
    assert_equal START, pending.dig("timeline", "now")
    assert_kind_of String, pending.dig("timeline", "chosen_by")
    assert_equal ["not due yet", CALLBACK, "sandbox_client_id"],
                 [pending.dig("callback", "state"), pending.dig("callback", "url"), pending.dig("callback", "signed_with", "client")]
    assert_includes pending.dig("callback", "why"), "manual clock"

    server.advance(5) # Success; the callback's first attempt fails: shop.example does not resolve
    success = server.explain(resource: id)
    assert_equal %w[Success retrying], [success.dig("resource", "stage"), success.dig("callback", "state")]
    assert_equal [[1, "2026-01-01T03:00:05.000+03:00", nil, "failed"]],
                 success.dig("callback", "attempts").map { |a| a.values_at("attempt", "at", "status", "outcome") }
    assert_equal server.callbacks.first.id, success.dig("callback", "delivery")

    fixture = server.explain(resource: DOCS_PAYMENT.split("/").last)
    assert_equal ["payment", nil, nil, nil],
                 [fixture.dig("resource", "kind"), fixture.dig("resource", "stage"), fixture["timeline"], fixture["callback"]]
    assert_includes fixture["summary"], "fixture"
  end

  def test_an_unknown_id_raises_not_found_with_k2mocks_message
    error = assert_raises(K2Mock::NotFoundError) { server.explain(request: 99) }
    assert_equal 404, error.status
    assert_match(/\ANo request 99: /, error.error_message)
    assert_equal "GET /__admin/explain?request=99 answered 404: #{error.error_message}", error.message
    error = assert_raises(K2Mock::NotFoundError) { server.explain(resource: "no-such-payment") }
    assert_equal "No resource no-such-payment in this sandbox", error.error_message
  end

  def test_explain_takes_exactly_one_keyword
    [{}, { request: 1, resource: "x" }, { requests: 1 }].each do |given|
      error = assert_raises(ArgumentError, given.inspect) { server.explain(**given) }
      assert_match(/\Aexplain takes exactly one of request: .* or resource: /, error.message)
    end
    [["1", :request], [1.5, :request], [nil, :request], ["", :resource], [7, :resource]].each do |id, key|
      assert_raises(ArgumentError, [key, id].inspect) { server.explain(key => id) }
    end
  end

  def test_a_sandbox_explains_its_own_requests_and_resources_only
    sandbox = server.sandbox(name: "explained", seed: 3, clock: :manual) do |explained|
      id = refused_then_paid(explained, explained.token)
      assert_refusal_explained(explained)
      assert_equal "Pending", explained.explain(resource: id).dig("resource", "stage")
      assert_raises(K2Mock::NotFoundError, "the server's own sandbox answered none") { server.explain(request: 1) }
      assert_raises(K2Mock::NotFoundError) { server.explain(resource: id) }
      explained
    end
    assert sandbox.deleted?
    error = assert_raises(K2Mock::NotFoundError) { sandbox.explain(request: 1) }
    assert_match(/\ASandbox explained was deleted/, error.error_message)
  end
end
