# frozen_string_literal: true

require_relative "test_helper"
require "k2mock/minitest"

# require "k2mock/minitest": used here as a user would, then its lifecycle checked in Minitest
# runs of their own (subprocesses), as pytester does for the Python plugin.
class MinitestHelperTest < KitTest::Test
  include K2Mock::Minitest
  k2mock_options scenario: HAPPY, api_key: "demo-api-key"

  def test_k2mock_and_its_receiver
    answer = k2mock.request("POST", "/api/v2/incoming_payments", stk_push(k2mock_receiver.url), token: "demo-token")
    assert_equal 201, answer.status
    assert_equal "demo-api-key", k2mock_receiver.api_key
    k2mock.advance(10)
    assert_equal 1, k2mock_receiver.received.size
    assert_k2mock_callbacks_verified
    assert_k2mock_expectations
    assert_same k2mock, k2mock
  end

  def test_a_sandbox_of_its_own
    sandbox = k2mock_sandbox
    assert_equal "MinitestHelperTest_test_a_sandbox_of_its_own", sandbox.name
    assert_equal HAPPY, sandbox.scenario
    assert_equal k2mock_server.origin, URI(sandbox.base_url).then { |u| "#{u.scheme}://#{u.host}:#{u.port}" }
    assert_equal sandbox.api_key, k2mock_receiver.api_key, "the receiver verifies with the sandbox's key"
    answer = k2mock_server.request("POST", "/api/v2/incoming_payments", stk_push(k2mock_receiver.url), token: sandbox.token)
    assert_equal 201, answer.status
    sandbox.advance(10)
    assert_k2mock_callbacks_verified
    assert_k2mock_expectations
  end

  def test_the_receiver_listens_for_k2mock_in_a_container
    # 127.0.0.2 stands in for host.docker.internal: not loopback's name, but it reaches this machine.
    with_env("K2MOCK_CALLBACK_HOST" => "127.0.0.2") do
      assert_equal "http://127.0.0.2:#{k2mock_receiver.port}/k2/result", k2mock_receiver.url
      assert_equal "0.0.0.0", k2mock_receiver.bind_address
    end
    answer = k2mock_server.request("POST", "/api/v2/incoming_payments", stk_push(k2mock_receiver.url), token: k2mock_sandbox.token)
    assert_equal 201, answer.status
    k2mock_sandbox.advance(10)
    assert_equal [true], k2mock_receiver.received.map(&:verified?)
  end

  def test_failed_expectations_are_a_failure_naming_them
    sandbox = K2Mock::TestSupport.shared_server.sandbox(scenario: CI)
    error = assert_raises(Minitest::Assertion) { assert_k2mock_expectations(sandbox) }
    assert_includes error.message, "k2mock expectations failed (#{sandbox.inspect}):\n" \
                                   "failed: requests POST /api/v1/payments: expected 4, got 0 (#{CI}:24)"
    K2Mock::CallbackReceiver.open(api_key: "k") do |receiver|
      post_signed(receiver.url("/forged"), "{}", "0" * 64)
      error = assert_raises(Minitest::Assertion) { assert_k2mock_callbacks_verified(receiver) }
      assert_includes error.message, "1 of 1 callbacks with a wrong signature: /forged"
    end
  ensure
    sandbox&.delete
  end

  # ---------------------------------------------------------------- runs of their own

  SUITE = <<~'RUBY'
    require "minitest/autorun"
    require "k2mock/minitest"
    require "json"

    HAPPY = ENV.fetch("HAPPY")
    def record(entry)
      File.open(ENV.fetch("RECORD"), "a") { |f| f.puts(JSON.generate(entry)) }
    end
    def stk(url)
      { till_number: "K000000", subscriber: { phone_number: "+254799999999" }, amount: { currency: "KES", value: 1 },
        _links: { callback_url: url } }
    end

    class SharedServerTest < Minitest::Test
      include K2Mock::Minitest
      k2mock_options scenario: HAPPY
      i_suck_and_my_tests_are_order_dependent!

      def test_1
        record(test: "#{self.class}##{name}", port: k2mock.port, pid: k2mock.pid, created: k2mock.resources.count(&:created?))
        assert_equal 201, k2mock.request("POST", "/api/v2/incoming_payments", stk("http://127.0.0.1:9/x"), token: "demo-token").status
      end

      def test_2
        record(test: "#{self.class}##{name}", port: k2mock.port, pid: k2mock.pid, created: k2mock.resources.count(&:created?))
      end
    end

    class SameOptionsTest < Minitest::Test
      include K2Mock::Minitest
      k2mock_options scenario: HAPPY

      def test_same
        record(test: "#{self.class}##{name}", port: k2mock.port, pid: k2mock.pid)
      end
    end

    class ServerPerTestTest < Minitest::Test
      include K2Mock::Minitest
      k2mock_options scope: :test, clock: :manual

      def test_a
        record(test: "#{self.class}##{name}", port: k2mock.port, pid: k2mock.pid, clock: k2mock.clock["mode"])
      end

      def test_b
        record(test: "#{self.class}##{name}", port: k2mock.port, pid: k2mock.pid, clock: k2mock.clock["mode"])
      end
    end

    class SandboxPerTestTest < Minitest::Test
      include K2Mock::Minitest
      k2mock_options scenario: HAPPY

      def test_pay
        receiver = k2mock_receiver # asked for first: takes the sandbox's key once there is one
        sandbox = k2mock_sandbox
        assert_equal 201, k2mock_server.request("POST", "/api/v2/incoming_payments", stk(receiver.url), token: sandbox.token).status
        sandbox.advance(10)
        record(test: "#{self.class}##{name}", sandbox: sandbox.name, origin: k2mock_server.origin, pid: k2mock_server.pid,
               others: k2mock_server.sandboxes.map(&:id) - [sandbox.id], verified: receiver.received.map(&:verified?),
               seed: sandbox.seed)
      end
    end

    class SeededSandboxTest < SandboxPerTestTest
      k2mock_options seed: 3

      def test_inherited_options
        record(test: "#{self.class}##{name}", sandbox: k2mock_sandbox.name, scenario: k2mock_sandbox.scenario, seed: k2mock_sandbox.seed,
               options: self.class.k2mock_options.keys)
      end
    end

    class NoK2mockTest < Minitest::Test
      include K2Mock::Minitest

      def test_nothing
        record(test: "#{self.class}##{name}")
      end
    end
  RUBY

  def run_suite(env = {}, *args)
    Dir.mktmpdir do |dir|
      file = File.join(dir, "suite_test.rb")
      File.write(file, SUITE)
      record = File.join(dir, "record.jsonl")
      File.write(record, "")
      output, status = Open3.capture2e({ "RECORD" => record, "HAPPY" => HAPPY }.merge(env),
                                       *ruby_command(file, "--seed", "1", *args))
      entries = File.readlines(record).map { |line| JSON.parse(line) }
      [output, status, entries.to_h { |entry| [entry.delete("test"), entry] }]
    end
  end

  def test_servers_are_shared_per_options_reset_before_each_test_and_stopped_after_the_run
    output, status, seen = run_suite({ "TEST_ENV_NUMBER" => "3" }) # as parallel_tests' third process
    assert status.success?, output
    assert_match(/9 runs, \d+ assertions, 0 failures, 0 errors, 0 skips/, output)
    assert_equal 0, seen["SharedServerTest#test_1"]["created"]
    assert_equal 0, seen["SharedServerTest#test_2"]["created"], "reset before the next test that uses it"
    assert_equal [seen["SharedServerTest#test_1"]["port"]] * 2, [seen["SharedServerTest#test_2"]["port"], seen["SameOptionsTest#test_same"]["port"]], "one server for these options"
    a = seen["ServerPerTestTest#test_a"]
    b = seen["ServerPerTestTest#test_b"]
    refute_equal a["port"], b["port"], "scope: :test, a server per test"
    assert_equal %w[manual manual], [a["clock"], b["clock"]]

    pay = seen["SandboxPerTestTest#test_pay"]
    assert_equal "SandboxPerTestTest_test_pay", pay["sandbox"], "the test's name alone, whatever the worker"
    assert_equal [], pay["others"]
    assert_equal [true], pay["verified"], "checked with the sandbox's api key"
    assert_equal 42, pay["seed"], "happy-path.yaml's own seed"
    assert_equal "SeededSandboxTest_test_pay", seen["SeededSandboxTest#test_pay"]["sandbox"]
    assert_equal 3, seen["SeededSandboxTest#test_pay"]["seed"]
    inherited = seen["SeededSandboxTest#test_inherited_options"]
    assert_equal ["SeededSandboxTest_test_inherited_options", HAPPY, 3],
                 inherited.values_at("sandbox", "scenario", "seed")
    assert_equal %w[scenario seed], inherited["options"]
    assert_equal({}, seen["NoK2mockTest#test_nothing"])

    pids = [seen["SharedServerTest#test_1"]["pid"], a["pid"], b["pid"], pay["pid"]]
    assert_equal 4, pids.uniq.size
    pids.each { |pid| assert process_gone?(pid), "k2mock #{pid} stopped after the run" }
  end

  def test_sandboxes_on_a_given_server_with_its_admin_token_step_around_a_taken_name
    K2Mock.start(admin_token: "s3cret", clock: :manual) do |server|
      leftover = server.sandbox(name: "SandboxPerTestTest_test_pay") # as a crashed run would leave it
      output, status, seen = run_suite({ "K2MOCK_URL" => server.origin, "K2MOCK_ADMIN_TOKEN" => "s3cret" },
                                       "-n", "/Sandbox|Seeded/")
      assert status.success?, output
      assert_equal "SandboxPerTestTest_test_pay-2", seen["SandboxPerTestTest#test_pay"]["sandbox"]
      assert_equal server.origin, seen["SandboxPerTestTest#test_pay"]["origin"]
      assert_nil seen["SandboxPerTestTest#test_pay"]["pid"], "connected, not started"
      assert_equal [leftover.id], server.sandboxes.map(&:id), "the run deleted its own, only"
      assert server.running?

      output, status, = run_suite({ "K2MOCK_URL" => server.origin, "K2MOCK_ADMIN_TOKEN" => "wrong" }, "-n", "/SandboxPerTestTest#test_pay/")
      refute status.success?
      assert_includes output, "K2Mock::AdminTokenError: the admin API at #{server.origin} refused the admin token (wrong token)"
    end
  end

  # ---------------------------------------------------------------- transcript snapshots

  def test_assert_k2mock_transcript_writes_then_compares_the_test_s_sandbox
    dir = Dir.mktmpdir("k2mock-snapshots")
    (@temporary_dirs ||= []) << dir
    path = File.join(dir, "paid.yaml")
    pay = -> { k2mock_server.request("POST", "/api/v2/incoming_payments", stk_push(k2mock_receiver.url), token: k2mock_sandbox.token) }
    assert_equal 201, pay.call.status
    k2mock_sandbox.advance(10)
    written = assert_k2mock_transcript(path)
    assert_equal [:written, path], [written.outcome, written.path]
    assert_includes File.read(path), "sandbox: \"#{k2mock_sandbox.name}\""
    assert_equal :matched, assert_k2mock_transcript(path, k2mock_sandbox).outcome

    assert_equal 201, pay.call.status
    error = assert_raises(Minitest::Assertion) { assert_k2mock_transcript(path) }
    assert_match(/\Ak2mock transcript differs from the snapshot #{Regexp.escape(path)} \(\d+ differences\):\n  /, error.message)
    assert_includes error.message, "POST /api/v2/incoming_payments: only in actual"
    assert error.message.end_with?("run the test again with K2MOCK_UPDATE_SNAPSHOTS=1."), error.message

    File.write(path, "not: a transcript\n")
    error = assert_raises(Minitest::Assertion) { assert_k2mock_transcript(path) }
    assert_match(/\Ak2mock cannot read the snapshot #{Regexp.escape(path)} as a transcript: expected:1: .+\n.*K2MOCK_UPDATE_SNAPSHOTS=1/,
                 error.message)
  end

  def test_assert_k2mock_transcript_refuses_a_real_clock_with_the_kit_s_error
    sandbox = k2mock_server.sandbox(clock: :real)
    error = assert_raises(K2Mock::ConflictError) { assert_k2mock_transcript(File.join(Dir.tmpdir, "never-written.yaml"), sandbox) }
    assert_includes error.error_message, "This sandbox runs a real clock"
  ensure
    sandbox&.delete
  end

  SNAPSHOT_SUITE = <<~'RUBY'
    require "minitest/autorun"
    require "k2mock/minitest"
    require "json"

    class PaidTest < Minitest::Test
      include K2Mock::Minitest
      k2mock_options scenario: ENV.fetch("HAPPY"), clock: :manual, seed: 9
      parallelize_me! if ENV["PARALLEL"]

      %w[one two three four].each do |which|
        define_method("test_#{which}") do
          body = { till_number: "K000000", subscriber: { phone_number: "+254799999999" },
                   amount: { currency: "KES", value: ENV.fetch("AMOUNT", "1500") }, _links: { callback_url: k2mock_receiver.url } }
          assert_equal 201, k2mock_server.request("POST", "/api/v2/incoming_payments", body, token: k2mock_sandbox.access_token).status
          k2mock_sandbox.advance(10)
          comparison = assert_k2mock_transcript("snapshots/#{name}.yaml")
          File.open(ENV.fetch("RECORD"), "a") { |f| f.puts(JSON.generate(test: name, sandbox: k2mock_sandbox.name, outcome: comparison.outcome)) }
        end
      end
    end
  RUBY

  def test_a_snapshot_made_serially_matches_one_made_by_parallel_workers
    Dir.mktmpdir("k2mock-snapshot-suite") do |dir|
      File.write(File.join(dir, "snapshot_test.rb"), SNAPSHOT_SUITE)
      run = lambda do |env|
        record = File.join(dir, "record.jsonl")
        File.write(record, "")
        output, status = Open3.capture2e({ "RECORD" => record, "HAPPY" => HAPPY, "K2MOCK_UPDATE_SNAPSHOTS" => nil }.merge(env),
                                         *ruby_command("snapshot_test.rb", "--seed", "1"), chdir: dir)
        [output, status, File.readlines(record).to_h { |line| JSON.parse(line).values_at("test", "outcome") }]
      end

      output, status, outcomes = run.call({})
      assert status.success?, output
      assert_equal %w[written] * 4, outcomes.values
      assert_equal %w[test_four.yaml test_one.yaml test_three.yaml test_two.yaml], Dir.children(File.join(dir, "snapshots")).sort
      assert_includes File.read(File.join(dir, "snapshots", "test_one.yaml")), 'sandbox: "PaidTest_test_one"'

      # parallel_tests' second process, four threads at once: the same names, the same transcripts
      output, status, outcomes = run.call({ "TEST_ENV_NUMBER" => "2", "PARALLEL" => "1", "MT_CPU" => "4" })
      assert status.success?, output
      assert_equal %w[matched] * 4, outcomes.values

      output, status, = run.call({ "AMOUNT" => "2500", "PARALLEL" => "1" })
      refute status.success?
      assert_match(/4 runs, \d+ assertions, 4 failures, 0 errors/, output)
      assert_includes output, "k2mock transcript differs from the snapshot #{File.join(File.realpath(dir), 'snapshots', 'test_one.yaml')}"
      assert_includes output, 'request_body.amount.value: "1500" → "2500"'
      assert_includes output, "K2MOCK_UPDATE_SNAPSHOTS=1"
    end
  end

  def test_a_missing_binary_errors_only_the_tests_that_need_k2mock
    Dir.mktmpdir do |empty|
      output, status, seen = run_suite({ "K2MOCK_BIN" => "/nonexistent/k2mock", "PATH" => "#{empty}:/usr/bin:/bin" })
      refute status.success?
      assert_match(/9 runs, \d+ assertions, 0 failures, 8 errors, 0 skips/, output)
      assert_includes output, "K2Mock::BinaryNotFoundError: k2mock not found at /nonexistent/k2mock (from K2MOCK_BIN)"
      assert_equal({}, seen["NoK2mockTest#test_nothing"])
    end
  end

  def test_options_are_checked
    error = assert_raises(ArgumentError) { Class.new(Minitest::Test) { include K2Mock::Minitest; k2mock_options scenaro: "x" } }
    assert_equal "k2mock_options: unknown option scenaro", error.message
    test_class = Class.new(Minitest::Test) { include K2Mock::Minitest; k2mock_options ttl: "1h" }
    error = assert_raises(ArgumentError) { test_class.new("test_x").k2mock }
    assert_equal "ttl make a sandbox, not a server: use k2mock_sandbox", error.message
    test_class = Class.new(Minitest::Test) { include K2Mock::Minitest; k2mock_options admin_token: "t" }
    error = assert_raises(ArgumentError) { test_class.new("test_x").k2mock_sandbox }
    assert_match(/\Aadmin_token start a server, and k2mock_sandbox's server is shared/, error.message)
  end

  def test_sandbox_names_are_what_k2mock_accepts_and_the_test_s_identity_alone
    name = K2Mock::TestSupport.method(:sandbox_name)
    assert_equal "CheckoutTest_test_paid_1500_KES", name.call("CheckoutTest#test_paid[1500 KES]")
    assert_equal "test", name.call("???")
    with_env("TEST_ENV_NUMBER" => "3") do
      assert_equal "Checkout_is_paid", name.call("Checkout is paid"), "no worker number in it"
    end
    assert_equal 1, name.arity, "nothing but the test's id"
    long_a = "#{'A' * 80} a rather long example name"
    long_b = "#{'B' * 80} a rather long example name"
    names = [name.call(long_a), name.call(long_b)]
    names.each do |n|
      assert_match(/\A[A-Za-z0-9_-]{1,61}\z/, n)
      assert_equal 61, n.size
      assert_includes n, "a_rather_long_example_name-", "keeps the test's name"
    end
    refute_equal(*names)
    assert_equal names, [name.call(long_a), name.call(long_b)], "the same every time"
  end

  # Digest loads SHA1 on first use through const_missing, which raises "Digest::Base cannot be
  # directly inherited" when two test threads name their first sandboxes at once.
  def test_sandbox_names_need_no_lazy_loading_across_threads
    lib = File.expand_path("../lib", __dir__)
    script = 'require "k2mock/test_support"; exit Digest.const_defined?(:SHA1, false)'
    assert system(RbConfig.ruby, "-I", lib, "-e", script), "Digest::SHA1 is loaded with the kit"
  end
end
