# frozen_string_literal: true

require_relative "test_helper"

# Server#sandbox and Sandbox: isolation, credentials, deletion, and the server's refusals as
# typed errors. One server (happy-path.yaml) for the class.
class SandboxTest < KitTest::Test
  DEMO_A = { "client_id" => "demo-client-a", "client_secret" => "demo-secret-a", "api_key" => "demo-api-key-a" }.freeze

  def server
    @@server ||= K2Mock.start(scenario: HAPPY)
  end

  def setup
    server.reset
    server.sandboxes.each(&:delete)
  end

  Minitest.after_run { @@server&.stop if defined?(@@server) }

  def test_two_sandboxes_are_isolated_and_found_by_their_own_credentials
    server.sandbox(name: "a", scenario: HAPPY) do |a|
      server.sandbox(name: "b", scenario: HAPPY) do |b|
        K2Mock::CallbackReceiver.open(api_key: a.api_key) do |receiver|
          assert_equal ["a", "a", HAPPY, 42], [a.id, a.name, a.scenario, a.seed]
          assert_equal [DEMO_A], a.credentials
          assert_equal DEMO_A.values, [a.client_id, a.client_secret, a.api_key]
          assert_equal [{ "value" => "demo-token-a", "client_id" => "demo-client-a" }], a.tokens
          assert_equal "demo-token-a", a.token
          assert_equal [server.base_url, server.base_urls], [a.base_url, a.base_urls]
          assert_equal "#{server.origin}/__admin/sandboxes/a", a.admin_url
          assert_equal "#<K2Mock::Sandbox a on #{server.origin}>", a.inspect

          answer = server.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url), token: a.access_token)
          assert_equal 201, answer.status
          path = URI(answer.location).path
          assert_equal [path], created(a.resources).map(&:path)
          assert_empty created(b.resources)
          assert_empty created(server.resources)
          assert_equal 404, server.request("GET", path, token: b.token).status, "b cannot read a's payment"

          assert_equal %w[Success delivered], a.advance(10)["ran"].map { |e| e["stage"] || e["outcome"] }
          assert_equal "2021-01-28T10:00:10.000+03:00", a.clock["now"]
          assert_equal ["2021-01-28T10:00:00.000+03:00"] * 2, [b.clock["now"], server.clock["now"]]
          assert receiver.received.first.verified?, "signed with a's own api key"
          refute K2Mock.valid_signature?(receiver.received.first.body, receiver.received.first.signature, "demo-api-key")
          assert_equal ["delivered"], a.callbacks.map(&:outcome)
          assert_empty b.callbacks
          assert_equal [["POST", "/oauth/token", 200], ["POST", "/api/v2/incoming_payments", 201]],
                       a.requests.map { |r| [r.http_method, r.path, r.status] }
          assert_equal [[path, 404]], b.requests.map { |r| [r.path, r.status] }
          assert a.expectations.passed?

          a.reset
          assert_empty created(a.resources)
          assert_empty a.callbacks
        end
      end
    end
    assert_empty server.sandboxes, "both deleted when their blocks ended"
  end

  def test_a_deleted_sandbox_drops_its_deliveries_and_its_credentials
    sandbox = server.sandbox(name: "gone", scenario: HAPPY)
    subscription = { event_type: "customer_created", url: "http://127.0.0.1:9/hooks", scope: "company" }
    assert_equal 201, server.request("POST", "/api/v2/webhook_subscriptions", subscription, token: sandbox.token).status
    sandbox.fire_event("customer_created", delay: "30s")
    assert_equal ["gone"], server.sandboxes.map(&:id)
    assert_equal sandbox.credentials, server.fetch_sandbox("gone").credentials

    assert_equal({ "id" => "gone", "deleted" => true, "dropped_deliveries" => 1 }, sandbox.delete)
    assert sandbox.deleted?
    assert_includes sandbox.inspect, "(deleted)"
    assert_equal 401, server.request("POST", "/api/v2/webhook_subscriptions", subscription, token: sandbox.token).status
    error = assert_raises(K2Mock::APIError) { sandbox.access_token }
    assert_equal 401, error.status
    error = assert_raises(K2Mock::NotFoundError) { sandbox.clock }
    assert_equal [404, "Sandbox gone was deleted; 1 pending delivery was dropped"], [error.status, error.error_message]
    assert_raises(K2Mock::NotFoundError) { sandbox.delete }
    assert_nil sandbox.close, "closing a deleted one does nothing"
    assert_empty server.sandboxes
  end

  def test_the_block_form_deletes_when_the_block_raises_and_keeps_the_error
    error = assert_raises(RuntimeError) do
      server.sandbox(name: "raising") { raise "the test's own failure" }
    end
    assert_equal "the test's own failure", error.message
    assert_empty server.sandboxes

    error = assert_raises(RuntimeError) do
      server.sandbox(name: "deleted-inside") do |sandbox|
        sandbox.delete
        raise "still this one"
      end
    end
    assert_equal "still this one", error.message
  end

  def test_the_servers_refusals_are_typed_and_carry_k2s_message
    server.sandbox(name: "taken") do |sandbox|
      error = assert_raises(K2Mock::ConflictError) { server.sandbox(name: "taken") }
      assert_kind_of K2Mock::APIError, error
      assert_equal [409, "A sandbox named taken exists already", "POST", "/__admin/sandboxes"],
                   [error.status, error.error_message, error.http_method, error.path]
      assert_equal "POST /__admin/sandboxes answered 409: A sandbox named taken exists already", error.message
      assert_equal server.health["scenario"], sandbox.scenario, "no scenario: the server's own"
    end
    error = assert_raises(K2Mock::NotFoundError) { server.fetch_sandbox("nope") }
    assert_equal "No sandbox nope", error.error_message
    assert_raises(K2Mock::NotFoundError) { K2Mock::Sandbox.new(server, { "id" => "nope" }).advance(1) }

    error = assert_raises(K2Mock::BadRequestError) { server.sandbox(scenario_yaml: BAD_YAML) }
    assert_equal 400, error.status
    assert_match(/\AThe scenario is not valid: scenario_yaml:3:\d+: .*unknown stage 'Sent' for payment/, error.error_message)
    bad = scenario_file(BAD_YAML, "bad.yaml")
    error = assert_raises(K2Mock::BadRequestError) { server.sandbox(scenario: bad) }
    assert_match(/#{Regexp.escape(bad)}:3:\d+:/, error.error_message)
    assert_raises(K2Mock::BadRequestError) { server.sandbox(name: "not a name") }
    error = assert_raises(K2Mock::BadRequestError) { server.sandbox(ttl: "soon") }
    assert_match(/ttl must be a duration/, error.error_message)
    assert_empty server.sandboxes, "nothing half-made is left"
  end

  def test_a_sandbox_takes_its_own_scenario_seed_clock_and_ttl
    yaml = "version: 1\nclock: { mode: real, start: \"2021-01-28T10:00:00+03:00\" }\n" \
           "credentials:\n  - { client_id: c, client_secret: s, api_key: k }\n"
    server.sandbox(scenario_yaml: yaml, seed: 7, clock: :manual, time_scale: 2, ttl: 3600) do |sandbox|
      assert_match(/\Asandbox-\d+\z/, sandbox.id)
      assert_equal sandbox.id, sandbox.name
      assert_equal ["scenario_yaml", 7, "1h"], [sandbox.scenario, sandbox.seed, sandbox.ttl]
      assert_equal [{ "client_id" => "c-#{sandbox.id}", "client_secret" => "s-#{sandbox.id}", "api_key" => "k-#{sandbox.id}" }],
                   sandbox.credentials
      assert_empty sandbox.tokens
      assert_nil sandbox.token
      assert_equal({ "now" => "2021-01-28T10:00:00.000+03:00", "mode" => "manual", "scale" => 2.0 }, sandbox.clock)
    end
    server.sandbox(scenario: FAILURES, ttl: "30m") do |sandbox|
      assert_equal [7, "30m", "demo-client-#{sandbox.id}"], [sandbox.seed, sandbox.ttl, sandbox.client_id]
      answer = server.request("POST", "/api/v2/incoming_payments", stk_push("http://127.0.0.1:9/x", phone: "+254700000001"),
                              token: sandbox.token)
      assert_equal 201, answer.status
      sandbox.advance(60)
      assert_equal "Failed", created(sandbox.resources).first.stage, "failures.yaml's cancelled push"
    end
  end

  def test_a_connected_server_sends_its_admin_token_for_its_sandboxes
    K2Mock.start(scenario: HAPPY, admin_token: "s3cret") do |guarded|
      connected = K2Mock.connect(guarded.origin, admin_token: "s3cret")
      connected.sandbox(name: "w1") do |sandbox|
        assert_equal "s3cret", sandbox.admin_token
        assert_equal "manual", sandbox.clock["mode"]
        connected.admin_token = "wrong"
        assert_raises(K2Mock::AdminTokenError) { sandbox.clock }
        connected.admin_token = "s3cret"
      end
      assert_empty connected.sandboxes
    end
  end
end
