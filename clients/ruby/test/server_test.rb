# frozen_string_literal: true

require_relative "test_helper"

# K2Mock.start / K2Mock.connect and the admin API, beyond the parity cases: options, typed
# results, failure paths, and the child process's lifetime.
class ServerTest < KitTest::Test
  def test_the_block_form_stops_and_answers_the_blocks_value
    server = nil
    value = K2Mock.start(scenario: HAPPY) do |k2|
      server = k2
      assert_equal HAPPY, k2.scenario
      refute k2.connected?
      assert_equal "#<K2Mock::Server started at #{k2.origin} pid=#{k2.pid}>", k2.inspect
      :done
    end
    assert_equal :done, value
    refute server.running?
    assert server.process_status.success?
    assert_raises(K2Mock::ConnectionError) { server.clock }
  end

  def test_the_block_form_stops_when_the_block_raises
    server = nil
    assert_raises(RuntimeError) do
      K2Mock.start do |k2|
        server = k2
        raise "boom"
      end
    end
    refute server.running?
    assert_raises(Errno::ESRCH) { Process.kill(0, server.pid) }
  end

  def test_serve_options_reach_k2mock
    K2Mock.start(scenario: HAPPY, clock: :real, time_scale: 10, seed: 7, log_format: "none", args: ["--max-sandboxes", "1"]) do |k2|
      clock = k2.clock
      assert_equal ["real", 10.0], clock.values_at("mode", "scale")
      assert_equal 7, k2.sandbox(name: "one").seed, "a sandbox takes the server's seed"
      assert_raises(K2Mock::TooManySandboxesError) { k2.sandbox }
    end
    K2Mock.start(clock: "manual", bin: K2Mock.find_binary) { |k2| assert_equal "manual", k2.health["clock"] }
    K2Mock.start(host: "0.0.0.0") do |k2|
      assert_equal "http://127.0.0.1:#{k2.port}", k2.origin, "every interface; reached on loopback"
      assert_equal "ok", k2.health["status"]
    end
  end

  def test_the_base_url_in_each_sdks_form
    K2Mock.start(clock: :manual) do |k2|
      assert_match(%r{\Ahttp://127\.0\.0\.1:\d+/\z}, k2.base_url)
      assert_equal({ ruby: k2.base_url, python: k2.base_url, node: k2.origin, php: k2.origin }, k2.base_urls)
      assert_equal k2.origin, "http://127.0.0.1:#{k2.port}"
    end
  end

  def test_typed_results_from_the_journals
    K2Mock.start(scenario: HAPPY) do |k2|
      K2Mock::CallbackReceiver.open(api_key: "demo-api-key") do |receiver|
        answer = k2.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url, metadata: { order: "42" }), token: "demo-token")
        assert_equal 201, answer.status
        assert_equal answer.location, answer.header("Location")
        id = answer.location.split("/").last
        stk = k2.resources.last
        assert_equal ["incoming_payment", id, "Pending", "2021-01-28T10:00:00.000+03:00"], [stk.kind, stk.id, stk.stage, stk.created_at]
        assert stk.created?
        assert_equal "/api/v2/incoming_payments/#{id}", stk.path
        assert_equal({ "order" => "42" }, stk.body.dig("data", "attributes", "metadata"))
        assert_equal [["Pending", true], ["Success", false]], stk.timeline.map { |step| [step["stage"], step["reached"]] }
        assert stk.frozen?

        k2.advance(10)
        (request,) = k2.requests
        assert_equal [1, "POST", "/api/v2/incoming_payments", 201, "2021-01-28T10:00:00.000+03:00"],
                     [request.id, request.http_method, request.path, request.status, request.at]
        (delivery,) = k2.callbacks
        attempt = delivery.attempts.first
        assert_equal [1, "2021-01-28T10:00:10.000+03:00", false, 200, nil, "delivered"],
                     [attempt.attempt, attempt.due, attempt.redelivery?, attempt.status, attempt.error, attempt.outcome]
        assert_equal receiver.url, delivery.url
        assert_equal k2.resources.last.body, delivery.json
        assert_equal [delivery], k2.callbacks(resource_id: id)
        assert_empty k2.callbacks(resource_id: "nope")
        assert_equal [delivery], k2.callbacks(limit: 1)
        assert_equal [request], k2.requests(limit: 5)
      end
    end
  end

  def test_redeliver_and_a_receivers_scripted_failures
    K2Mock.start(scenario: HAPPY) do |k2|
      K2Mock::CallbackReceiver.open(api_key: "demo-api-key", statuses: [503]) do |receiver|
        k2.request("POST", "/api/v2/incoming_payments", stk_push(receiver.url), token: "demo-token")
        k2.advance(10)
        (delivery,) = k2.callbacks
        assert_equal [[503, "failed"]], delivery.attempts.map { |a| [a.status, a.outcome] }
        assert delivery.pending?, "a retry is due"

        again = k2.redeliver(delivery.id)
        assert_instance_of K2Mock::Delivery, again
        assert again.delivered?
        assert_equal [false, true], again.attempts.map(&:redelivery?)
        assert_equal 2, receiver.received.size
        assert_equal [true, true], receiver.received.map(&:verified?)
        assert_raises(K2Mock::NotFoundError) { k2.redeliver(99) }
      end
    end
  end

  def test_fire_event_options
    K2Mock.start(scenario: HAPPY) do |k2|
      K2Mock::CallbackReceiver.open(api_key: "demo-api-key") do |receiver|
        subscription = { event_type: "customer_created", url: receiver.url("/hooks"), scope: "company" }
        assert_equal 201, k2.request("POST", "/api/v2/webhook_subscriptions", subscription, token: "demo-token").status

        delayed = k2.fire_event("customer_created", delay: 30)
        assert_empty receiver.received, "delayed 30 s"
        assert_equal 1, k2.health.dig("deliveries", "pending")
        k2.advance(30)
        assert_equal 1, receiver.received.size
        k2.fire_event(:customer_created, duplicates: 1)
        k2.fire_event("customer_created", bad_signature: true)
        assert_equal [true, true, true, false], receiver.received.map(&:verified?)
        ids = k2.callbacks.map(&:event_id)
        assert_equal delayed["id"], ids.first
        assert_equal ids[1], ids[2], "a duplicate is the same event"

        error = assert_raises(K2Mock::BadRequestError) { k2.fire_event("no_such_topic") }
        assert_equal 400, error.status
        assert_match(/\Atopic must be one of .*customer_created/, error.error_message)
        assert_equal k2.topics.sort, error.error_message[/one of (.*)/, 1].split(", ").sort
      end
    end
  end

  def test_verify_names_what_failed
    K2Mock.start(scenario: CI) do |k2|
      error = assert_raises(K2Mock::ExpectationError) { k2.verify! }
      assert_equal <<~TEXT.chomp, error.message
        k2mock expectations failed:
          requests POST /api/v1/payments: expected 4, got 0 (#{CI}:24)
          callbacks outcome=delivered kind=callback: expected 3, got 0 (#{CI}:25)
      TEXT
      assert_equal 3, error.verification.results.size
      assert_equal "passed: callbacks outcome=failed: expected 0, got 0 (#{CI}:26)", error.verification.to_s.lines.last
    end
  end

  def test_admin_reads_and_the_raw_request
    K2Mock.start(scenario: HAPPY) do |k2|
      assert_equal "ok", k2.health["status"]
      assert_includes k2.kinds.map { |k| k["kind"] }, "incoming_payment"
      assert_includes k2.topics, "buygoods_transaction_received"
      assert_equal [], k2.admin_request("GET", "/requests")

      refused = k2.request("GET", DOCS_PAYMENT)
      assert_equal 401, refused.status, "a status is answered, not raised"
      assert_equal({ "error_code" => 401, "error_message" => "The access token is missing" }, refused.json)
      raw = k2.request("POST", "/api/v2/incoming_payments", "{not json", token: "demo-token")
      assert_equal 400, raw.status, "a String body goes as it is"

      token = k2.access_token(client_id: "demo-client", client_secret: "demo-secret")
      assert_match(/\A[A-Za-z0-9]{50}\z/, token)
      error = assert_raises(K2Mock::APIError) { k2.access_token(client_id: "demo-client", client_secret: "wrong") }
      assert_instance_of K2Mock::APIError, error, "a K2 401 is not the admin token's"
      assert_equal [401, "POST", "/oauth/token"], [error.status, error.http_method, error.path]
    end
  end

  def test_a_bad_option_is_k2mocks_usage_error
    error = assert_raises(K2Mock::StartError) { K2Mock.start(clock: :sometimes) }
    assert_equal 64, error.status
    assert_includes error.message, "k2mock exited with status 64 before it listened"
    assert_includes error.output, "The value 'sometimes' is invalid for '--clock <clock>'"
    refute_kind_of K2Mock::ScenarioError, error
    assert_raises(ArgumentError) { K2Mock.start(scenaro: HAPPY) }
  end

  def test_a_missing_scenario_file_is_a_scenario_error
    error = assert_raises(K2Mock::ScenarioError) { K2Mock.start(scenario: "/nonexistent/app.yaml") }
    assert_equal ["/nonexistent/app.yaml:1:1: cannot read the file"], error.problems
  end

  def test_a_binary_that_never_listens_is_killed_after_the_start_timeout
    Dir.mktmpdir do |dir|
      quiet = File.join(dir, "k2mock")
      File.write(quiet, "#!/bin/sh\necho starting >&2\nexec sleep 60\n")
      File.chmod(0o755, quiet)
      error = assert_raises(K2Mock::StartError) { K2Mock.start(bin: quiet, start_timeout: 0.3) }
      assert_match(/\Ak2mock did not listen within 0.3 s \(#{Regexp.escape(quiet)} serve --host 127.0.0.1 --port 0\):\nstarting\z/, error.message)
      assert_nil error.status

      talky = File.join(dir, "other")
      File.write(talky, "#!/bin/sh\necho 'not k2mock'\necho 'it broke' >&2\nexit 3\n")
      File.chmod(0o755, talky)
      error = assert_raises(K2Mock::StartError) { K2Mock.start(bin: talky) }
      assert_equal 3, error.status
      assert_equal ["it broke", "not k2mock"], error.output.lines.map(&:chomp).sort, "its stdout and stderr, in no set order"
    end
  end

  def test_a_bin_that_is_not_executable_is_named
    error = assert_raises(K2Mock::BinaryNotFoundError) { K2Mock.start(bin: __FILE__) }
    assert_includes error.message, "k2mock not found at #{__FILE__} (from the bin: argument)"
  end

  def test_the_log_keeps_k2mocks_stderr
    k2 = K2Mock.start(scenario: HAPPY)
    k2.request("GET", DOCS_PAYMENT, token: "demo-token")
    k2.stop
    # A refused request's line ends with k2mock's summary of why (explain(request:)'s).
    assert k2.log.any? { |line| line.include?("GET #{DOCS_PAYMENT} 404 — no resource ") }, k2.log.inspect
  end

  def test_connect_validates_the_url_and_leaves_the_server_running
    %w[127.0.0.1:8080 ftp://127.0.0.1 http://127.0.0.1:8080/__admin http://127.0.0.1:8080/?x=1 http://].each do |wrong|
      error = assert_raises(K2Mock::Error, wrong) { K2Mock.connect(wrong) }
      assert_equal "not a k2mock URL (http://HOST:PORT): #{wrong.inspect}", error.message
    end
    K2Mock.start(scenario: HAPPY) do |k2|
      connected = K2Mock.connect("#{k2.origin}/")
      assert_equal k2.origin, connected.origin
      assert connected.connected?
      assert_nil connected.pid
      assert_equal HAPPY, connected.scenario, "as the server names it"
      assert_equal "#<K2Mock::Server connected to #{k2.origin}>", connected.inspect
      assert_nil connected.stop
      assert connected.running?
      assert k2.running?
      assert_empty connected.log
    end
  end

  def test_connect_waits_for_a_server_that_is_still_starting
    port = closed_port
    url = "http://127.0.0.1:#{port}"
    starter = Thread.new do
      sleep 0.3 # the "service container" comes up after the test began to wait
      start_separately("--port", port.to_s, "--clock", "manual")
    end
    server = K2Mock.connect(url, timeout: 10)
    assert_equal "manual", server.clock["mode"]
  ensure
    pid, _url, out = starter&.value
    stop_separately(pid, out) if pid
  end

  def test_the_child_dies_with_a_parent_killed_by_sigkill
    script = <<~RUBY
      require "k2mock"
      k2 = K2Mock.start(clock: :manual)
      puts k2.pid, k2.port
      $stdout.flush
      sleep
    RUBY
    out, err, status = nil
    IO.popen(ruby_command("-e", script), err: %i[child out]) do |parent|
      k2mock_pid = Integer(parent.gets)
      port = Integer(parent.gets)
      assert port_open?(port)
      Process.kill(:KILL, parent.pid)
      wait_until("k2mock #{k2mock_pid} exits after its parent was killed") { process_gone?(k2mock_pid) }
      wait_until("its port closes") { !port_open?(port) }
      out = parent.read
    end
    status = $?
    assert_equal "KILL", Signal.signame(status.termsig), "#{out}#{err}"
  end

  def test_a_child_that_ignores_sigterm_is_killed_10_s_after_its_parent_was
    Dir.mktmpdir do |dir|
      stubborn = File.join(dir, "k2mock")
      File.write(stubborn, "#!/bin/sh\ntrap '' TERM\necho 'k2mock listening on http://127.0.0.1:9'\nexec sleep 60\n")
      File.chmod(0o755, stubborn)
      script = "require 'k2mock'; puts K2Mock.start(bin: #{stubborn.inspect}).pid; $stdout.flush; sleep"
      IO.popen(ruby_command("-e", script)) do |parent|
        pid = Integer(parent.gets)
        Process.kill(:KILL, parent.pid)
        started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        wait_until("the stubborn child #{pid} is killed", timeout: 20) { process_gone?(pid) }
        assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :>=, 9, "SIGTERM first, SIGKILL 10 s later"
      end
    end
  end

  def test_the_child_is_stopped_when_the_parent_exits_without_stopping_it
    output, status = Open3.capture2e(*ruby_command("-e", 'k2 = (require "k2mock"; K2Mock.start); puts k2.pid, k2.port'))
    assert status.success?, output
    pid, port = output.lines.map { |line| Integer(line) }
    assert process_gone?(pid), "stopped (and reaped) at exit"
    refute port_open?(port)
  end

  def test_a_forked_child_does_not_stop_its_parents_server
    K2Mock.start(clock: :manual) do |k2|
      child = fork { k2.clock } # at_exit runs in the child too
      Process.wait(child)
      assert $?.success?
      assert k2.running?
      assert_equal "manual", k2.clock["mode"]
    end
  end

  def test_stop_sends_sigkill_to_a_k2mock_that_ignores_sigterm
    Dir.mktmpdir do |dir|
      stubborn = File.join(dir, "k2mock")
      File.write(stubborn, "#!/bin/sh\ntrap '' TERM\necho 'k2mock listening on http://127.0.0.1:9'\nexec sleep 60\n")
      File.chmod(0o755, stubborn)
      k2 = K2Mock.start(bin: stubborn)
      assert_equal "http://127.0.0.1:9", k2.origin
      assert_nil k2.stop(timeout: 0.3), "ended by a signal: no exit status"
      assert_equal "KILL", Signal.signame(k2.process_status.termsig)
      assert_raises(Errno::ESRCH) { Process.kill(0, k2.pid) }
    end
  end
end
