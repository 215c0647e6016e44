# frozen_string_literal: true

require_relative "test_helper"
require_relative "support/ruby_sdk"

# clients/parity.json: the cases every k2mock kit must pass. One test per case id; a case id
# without an implementation here fails (so does an implementation of a case the file lacks).
class ParityTest < KitTest::Test
  # K2MOCK_PARITY: another file, for the test that a case without an implementation fails.
  PARITY = ENV.fetch("K2MOCK_PARITY", File.join(KitTest::REPO, "clients", "parity.json"))
  CASES = JSON.parse(File.read(PARITY)).fetch("cases").map { |c| c.fetch("id") }

  def self.implementation(id)
    "parity_#{id.tr('-', '_')}"
  end

  CASES.each do |id|
    define_method("test_parity_#{id.tr('-', '_')}") do
      method = self.class.implementation(id)
      flunk("parity case #{id} (#{PARITY}) has no implementation: define #{method} in #{__FILE__}") unless respond_to?(method, true)
      send(method)
    end
  end

  def test_a_case_without_an_implementation_fails
    cases = JSON.parse(File.read(File.join(REPO, "clients", "parity.json")))
    cases["cases"] << { "id" => "not-implemented-anywhere", "does" => "nothing" }
    parity = scenario_file(JSON.generate(cases), "parity.json")
    output, status = Open3.capture2e({ "K2MOCK_PARITY" => parity },
                                     *ruby_command(File.join(__dir__, "run.rb"), "-n", "/test_parity_(not_implemented_anywhere|version)\\z/"))
    refute status.success?, output
    assert_includes output, "parity case not-implemented-anywhere (#{parity}) has no implementation: " \
                            "define parity_not_implemented_anywhere"
    assert_includes output, "2 runs, "
    assert_includes output, "1 failures"
  end

  def test_every_implementation_is_a_case_of_parity_json
    implemented = private_methods.map(&:to_s).grep(/\Aparity_/).map { |m| m.delete_prefix("parity_").tr("_", "-") }
    assert_empty implemented - CASES, "implemented here, but not in #{PARITY}"
    refute_empty CASES
  end

  private

  def parity_start_stop
    k2 = K2Mock.start(clock: :manual)
    pid = k2.pid
    port = k2.port
    assert_equal "http://127.0.0.1:#{port}/", k2.base_url
    assert_equal "manual", k2.clock["mode"]
    answer = k2.request("GET", DOCS_PAYMENT, token: DOCS_TOKEN)
    assert_equal 200, answer.status
    assert_equal "Processed", answer.json.dig("data", "attributes", "status")
    answer = Net::HTTP.get_response(URI("#{k2.base_url}#{DOCS_PAYMENT.delete_prefix('/')}"))
    assert_equal 401, answer.code.to_i, "base_url + a K2 path, joined as the Ruby SDK joins them"
    assert k2.running?

    assert_equal 0, k2.stop, "k2mock exits 0 on SIGTERM"
    refute k2.running?
    assert_raises(Errno::ESRCH, "its pid is gone") { Process.kill(0, pid) }
    refute port_open?(port), "nothing listens on its port any more"
    assert_equal 0, k2.stop, "stop again: the same status, nothing more"
  end

  def parity_missing_binary
    Dir.mktmpdir do |empty|
      with_env("K2MOCK_BIN" => "/nonexistent/k2mock", "PATH" => empty) do
        error = assert_raises(K2Mock::BinaryNotFoundError) { K2Mock.start(clock: :manual) }
        assert_kind_of K2Mock::Error, error
        assert_includes error.message, "k2mock not found at /nonexistent/k2mock (from K2MOCK_BIN)"
        assert_includes error.message, "PATH"
        assert_match %r{dist/k2mock-#{Regexp.escape(K2Mock::VERSION)}-linux-\w+\.tar\.gz}, error.message
        assert_includes error.message, "make dist"
      end
      with_env("K2MOCK_BIN" => nil, "PATH" => empty) do
        error = assert_raises(K2Mock::BinaryNotFoundError) { K2Mock.start }
        assert_includes error.message, "K2MOCK_BIN is not set and there is no k2mock on PATH"
        assert_includes error.message, "release tarball"
      end
    end
  end

  def parity_sdk_token
    pristine = RubySDK.pristine_config_digest
    output, errors, status = Open3.capture3(*ruby_command(File.join(__dir__, "support", "sdk_token.rb")))
    assert status.success?, "the SDK run failed:\n#{output}#{errors}"
    result = JSON.parse(output.lines.last)
    assert_match(/\A[A-Za-z0-9]{50}\z/, result["token"])
    assert_equal true, result["active"]
    assert_equal "#{result['origin']}/", result["base_url"]
    assert_equal result["base_url"], result["sdk_base_url"], "the SDK took the kit's base_url as it is"
    assert_equal [["POST", "/oauth/token", 200], ["POST", "/oauth/introspect", 200]], result["requests"]
    assert_empty result["offences"], "Ruby warnings about keys while the SDK ran"
    assert_equal pristine, RubySDK.pristine_config_digest, ".build/sdks' k2_config.yml was left as it was"
  end

  def parity_create_advance_callback
    K2Mock.start(clock: :manual) do |k2|
      K2Mock::CallbackReceiver.open(api_key: "sandbox_api_key") do |receiver|
        answer = k2.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url), token: DOCS_TOKEN)
        assert_equal 201, answer.status
        id = answer.location.split("/").last
        assert_empty k2.callbacks

        ran = k2.advance(10)["ran"]
        assert_equal %w[Success delivered], ran.map { |entry| entry["stage"] || entry["outcome"] }
        deliveries = k2.callbacks
        assert_equal 1, deliveries.size
        delivery = deliveries.first
        assert_instance_of K2Mock::Delivery, delivery
        assert_equal ["callback", "incoming_payment", id, "delivered"],
                     [delivery.kind, delivery.resource, delivery.resource_id, delivery.outcome]
        assert delivery.delivered?
        assert_equal [200], delivery.attempts.map(&:status)
        assert_equal 1, receiver.received.size
        received = receiver.received.first
        assert_equal delivery.body.b, received.body, "the receiver got exactly the journal's body"
        assert_equal delivery.signature, received.signature
        assert received.verified?
        assert_equal "/k2/result", received.path
        assert_equal "Success", received.json.dig("data", "attributes", "status")
      end
    end
  end

  def parity_receiver_verifies
    K2Mock::CallbackReceiver.open(api_key: "the-api-key") do |receiver|
      body = '{"data":{"id":"1","type":"incoming_payment","attributes":{"status":"Success"}}}'
      assert_equal 200, post_signed(receiver.url, body, K2Mock.signature(body, "the-api-key"))
      assert_equal 200, post_signed(receiver.url, body.sub("Success", "Suckess"), K2Mock.signature(body, "the-api-key"))
      assert_equal 200, post_signed(receiver.url, body, K2Mock.signature(body, "another-key"))
      got = receiver.wait_for(3, timeout: 5)
      assert_equal [true, false, false], got.map(&:verified)
      assert_equal OpenSSL::HMAC.hexdigest("SHA256", "the-api-key", body), got.first.signature

      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      error = assert_raises(K2Mock::TimeoutError) { receiver.wait_for(4, timeout: 0.2) }
      assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :>=, 0.2
      assert_equal "3 callbacks arrived at #{receiver.url('')} within 0.2 s, not 4", error.message
      assert_kind_of K2Mock::Error, error
    end
  end

  def parity_reset
    K2Mock.start(clock: :manual) do |k2|
      fixtures = k2.resources
      assert fixtures.all?(&:fixture?)
      assert_equal 201, k2.request("POST", "/api/v2/incoming_payments", stk_push("http://127.0.0.1:9/x"), token: DOCS_TOKEN).status
      k2.advance(10)
      refute_empty created(k2.resources)
      refute_empty k2.callbacks

      k2.reset
      assert_equal fixtures, k2.resources, "the scenario's fixtures only"
      assert_empty k2.callbacks
      assert_empty k2.requests
    end
  end

  def parity_fire_event
    K2Mock.start(clock: :manual) do |k2|
      K2Mock::CallbackReceiver.open(api_key: "sandbox_api_key") do |receiver|
        subscription = { event_type: "buygoods_transaction_received", url: receiver.url("/hooks"), scope: "company" }
        assert_equal 201, k2.request("POST", "/api/v2/webhook_subscriptions", subscription, token: DOCS_TOKEN).status

        fired = k2.fire_event("buygoods_transaction_received", { amount: "250.0" })
        assert_equal "buygoods_transaction_received", fired["event"]
        assert_equal 1, receiver.received.size, "made before fire_event answered (manual clock)"
        webhook = receiver.received.first
        assert webhook.verified?
        assert_equal "/hooks", webhook.path
        assert_equal "250.0", webhook.json.dig("event", "resource", "amount")

        (delivery,) = k2.callbacks
        assert_equal ["webhook", "buygoods_transaction_received", fired["id"], "delivered"],
                     [delivery.kind, delivery.topic, delivery.event_id, delivery.outcome]
        assert delivery.webhook?
        assert_equal webhook.body, delivery.body.b
        assert_equal K2Mock.signature(delivery.body, "sandbox_api_key"), delivery.signature
      end
    end
  end

  def parity_expectations
    scenario = scenario_file(<<~YAML)
      version: 1
      clock: { mode: manual, start: "2021-01-28T10:00:00+03:00" }
      credentials:
        - { client_id: exp-client, client_secret: exp-secret, api_key: exp-key }
      tokens:
        - { value: exp-token, client_id: exp-client }
      expect:
        - { requests: { method: POST, path: /api/v2/incoming_payments }, count: 2 }
    YAML
    K2Mock.start(scenario: scenario) do |k2|
      before = k2.expectations
      refute before.passed?
      assert_equal 1, before.results.size
      result = before.failures.first
      assert_equal [2, 0, false], [result.expected, result.actual, result.passed?]
      assert_equal "requests POST /api/v2/incoming_payments: expected 2, got 0 (#{scenario}:8)", result.description
      error = assert_raises(K2Mock::ExpectationError) { k2.verify! }
      assert_includes error.message, "expected 2, got 0"
      assert_same false, error.verification.passed?

      2.times { k2.request("POST", "/api/v2/incoming_payments", stk_push("http://127.0.0.1:9/x"), token: "exp-token") }
      after = k2.expectations
      assert after.passed?
      assert_empty after.failures
      assert_equal [[2, 2]], after.results.map { |r| [r.expected, r.actual] }
      assert_equal after, k2.verify!
    end
  end

  def parity_admin_token_refused
    K2Mock.start(clock: :manual, admin_token: "s3cret") do |k2|
      assert_equal "manual", k2.clock["mode"], "the kit sends its admin token"
      assert_equal 401, k2.request("GET", "/__admin/clock").status, "the server does want one"

      error = assert_raises(K2Mock::AdminTokenError) { K2Mock.connect(k2.origin) }
      assert_equal 401, error.status
      assert_includes error.message, "none was given"
      error = assert_raises(K2Mock::AdminTokenError) { K2Mock.connect(k2.origin, admin_token: "wrong") }
      assert_includes error.message, "wrong token"
      assert_kind_of K2Mock::APIError, error

      connected = K2Mock.connect(k2.origin, admin_token: "s3cret")
      assert_equal 0, connected.advance(5)["ran"].size
      assert_empty connected.callbacks
      k2.admin_token = "wrong"
      assert_raises(K2Mock::AdminTokenError) { k2.reset }
      k2.admin_token = "s3cret"
      assert_equal "manual", k2.reset.fetch("mode", "manual")
    end
  end

  def parity_unreachable
    url = "http://127.0.0.1:#{closed_port}"
    error = assert_raises(K2Mock::ConnectionError) { K2Mock.connect(url, timeout: 0.2) }
    assert_equal url, error.url
    assert_includes error.message, "k2mock at #{url} does not answer (GET /__admin/health)"
    assert_includes error.message, "waited 0.2 s"
    assert_kind_of K2Mock::Error, error
  end

  def parity_scenario_error
    bad = scenario_file(BAD_YAML, "bad.yaml")
    error = assert_raises(K2Mock::ScenarioError) { K2Mock.start(scenario: bad) }
    assert_match(/^#{Regexp.escape(bad)}:3:\d+: unknown stage 'Sent' for payment/, error.message)
    assert_equal 1, error.problems.size
    assert_match(/\A#{Regexp.escape(bad)}:3:\d+: /, error.problems.first)
    assert_equal 1, error.status
    assert_kind_of K2Mock::StartError, error
  end

  def parity_connect_sandbox_isolation
    pid, url, out = start_separately("--clock", "manual")
    server = K2Mock.connect(url)
    assert server.connected?
    a = server.sandbox(name: "a")
    b = server.sandbox(name: "b")
    assert_equal %w[sandbox_client_id-a sandbox_client_secret-a sandbox_api_key-a], a.credentials.first.values_at("client_id", "client_secret", "api_key")
    assert_equal "sandbox_client_id-b", b.credentials.first["client_id"]
    assert_equal server.base_url, a.base_url

    token_a = a.access_token
    token_b = b.access_token
    answer = server.request("POST", "/api/v2/incoming_payments", stk_push("http://127.0.0.1:9/x"), token: token_a)
    assert_equal 201, answer.status
    path = URI(answer.location).path
    assert_equal [path], created(a.resources).map(&:path)
    assert_empty created(b.resources)
    assert_empty created(server.resources)
    assert_equal 404, server.request("GET", path, token: token_b).status
    assert_equal 200, server.request("GET", path, token: token_a).status

    a.delete
    assert_equal 401, server.request("GET", path, token: token_a).status
    assert_equal 401, server.request("GET", path, token: a.token).status
    assert_equal ["b"], server.sandboxes.map(&:id)
    b.delete
    assert_nil server.stop
    assert server.running?, "a connected server is left running"
  ensure
    stop_separately(pid, out) if pid
  end

  def parity_transcript_snapshot
    dir = Dir.mktmpdir("k2mock-snapshots")
    (@temporary_dirs ||= []) << dir
    path = File.join(dir, "nested", "transcript-snapshot.yaml")
    first_server = K2Mock.start(clock: :manual)
    second_server = K2Mock.start(clock: :manual)
    with_env("K2MOCK_UPDATE_SNAPSHOTS" => nil) do
      # Run 1: the file is missing, so it is written (its folder made) and the assertion passes.
      written = pay_on_a_sandbox(first_server, 1500) { |sandbox, _| sandbox.assert_transcript(path) }
      assert_equal :written, written.outcome
      assert File.file?(path)
      snapshot = File.binread(path)
      assert_equal written.transcript.b, snapshot
      assert_includes snapshot, 'sandbox: "transcript-snapshot"'
      assert_includes snapshot, "{k2mock-port}"
      refute_includes snapshot, ":#{first_server.port}/", "ports are placeholders"

      # Run 2: a new sandbox of that name on another server, a new receiver on another port.
      K2Mock::CallbackReceiver.open(api_key: "unused") do |held_open| # the next receiver cannot get its port
        matched = pay_on_a_sandbox(second_server, 1500) do |sandbox, receiver|
          refute_equal held_open.port, receiver.port
          sandbox.assert_transcript(path)
        end
        assert_equal :matched, matched.outcome
      end
      assert_equal snapshot, File.binread(path), "a passing run leaves the file as it was"

      # Run 3: another amount fails, listing k2mock's differences, both amounts named.
      error = assert_raises(K2Mock::TranscriptMismatchError) do
        pay_on_a_sandbox(first_server, 2500) { |sandbox, _| sandbox.assert_transcript(path) }
      end
      assert_kind_of K2Mock::Error, error
      assert_equal path, error.path
      assert_equal :differs, error.comparison.outcome
      assert_includes error.message, "k2mock transcript differs from the snapshot #{path} ("
      assert_includes error.message,
                      "  entry 2, POST /api/v2/incoming_payments: request_body.amount.value: \"1500\" → \"2500\"\n"
      assert(error.differences.any? { |d| d.include?('"1500.0" → "2500.0"') }, error.message)
      error.differences.each { |difference| assert_includes error.message, "\n  #{difference}\n" }
      assert error.message.end_with?("run the test again with K2MOCK_UPDATE_SNAPSHOTS=1."), error.message
      assert_equal snapshot, File.binread(path), "a failing run leaves the file as it was"

      # Run 4: with K2MOCK_UPDATE_SNAPSHOTS=1 the same run rewrites the file, and passes.
      with_env("K2MOCK_UPDATE_SNAPSHOTS" => "1") do
        updated = pay_on_a_sandbox(first_server, 2500) { |sandbox, _| sandbox.assert_transcript(path) }
        assert_equal :updated, updated.outcome
        assert_equal updated.transcript.b, File.binread(path)
      end
      assert_includes File.read(path), '"2500"'
      assert_equal :matched, pay_on_a_sandbox(second_server, 2500) { |sandbox, _| sandbox.assert_transcript(path) }.outcome

      # A real clock: k2mock's 409, as the kit's ConflictError; nothing is written.
      real_path = File.join(dir, "real.yaml")
      first_server.sandbox(name: "transcript-real", clock: :real) do |sandbox|
        error = assert_raises(K2Mock::ConflictError) { sandbox.assert_transcript(real_path) }
        assert_equal 409, error.status
        assert_match(/\AThis sandbox runs a real clock: .*For a snapshot, run it on a manual clock/, error.error_message)
        assert_includes error.message, error.error_message
        refute File.exist?(real_path)
      end
    end
  ensure
    first_server&.stop
    second_server&.stop
  end

  # On `server`, a manual-clock, seeded sandbox named "transcript-snapshot" (happy-path.yaml): an
  # access token, an STK push of `value` KES called back to a new receiver, 10 s advanced; then
  # the block, given the sandbox and the receiver; the sandbox is deleted afterwards.
  def pay_on_a_sandbox(server, value)
    server.sandbox(name: "transcript-snapshot", scenario: HAPPY, clock: :manual, seed: 7) do |sandbox|
      K2Mock::CallbackReceiver.open(api_key: sandbox.api_key) do |receiver|
        token = sandbox.access_token
        answer = server.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url, value: value.to_s), token: token)
        assert_equal 201, answer.status
        sandbox.advance(10)
        assert_equal [true], receiver.received.map(&:verified?)
        yield sandbox, receiver
      end
    end
  end

  def parity_version
    version = File.read(File.join(REPO, "VERSION")).strip
    assert_equal version, K2Mock::VERSION
    spec = Dir.chdir(KIT) { Gem::Specification.load(File.join(KIT, "k2mock.gemspec")) }
    refute_nil spec, "k2mock.gemspec loads"
    assert_equal version, spec.version.to_s
    assert_equal "k2mock", spec.name
    assert_empty spec.runtime_dependencies
  end
end
