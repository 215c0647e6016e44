# frozen_string_literal: true

require "minitest"
require_relative "test_support"

module K2Mock
  # Minitest helpers: `include K2Mock::Minitest` in a test class.
  #
  #   class CheckoutTest < Minitest::Test
  #     include K2Mock::Minitest
  #     k2mock_options scenario: "scenarios/happy-path.yaml", api_key: "demo-api-key"
  #
  #     def test_paid
  #       # ... the app asks for an STK push with callback_url: k2mock_receiver.url
  #       k2mock.advance(10)
  #       assert k2mock_receiver.received.first.verified?
  #       assert_k2mock_expectations
  #     end
  #   end
  #
  # - `k2mock`: a Server for the class's options (Server.start's: scenario, clock, time_scale,
  #   seed, admin_token, bin, log_format, args). One per distinct set of options for the run,
  #   reset when a test first asks for it; `scope: :test` (or :each) gives each test its own.
  # - `k2mock_sandbox`: a Sandbox of the test's own (options: scenario, scenario_yaml, seed, clock,
  #   time_scale, ttl) on one server for the run ($K2MOCK_URL, else one started), deleted after
  #   the test, named after the test (class and method) alone, so the same test makes the same
  #   sandbox serially or under parallel workers. Parallel-safe: tests in other threads or
  #   processes never see it.
  # - `k2mock_receiver`: a CallbackReceiver, stopped after the test, verifying with the sandbox's
  #   api key when the test uses k2mock_sandbox, else `api_key:`, else "sandbox_api_key".
  # - `assert_k2mock_transcript(path)`: the sandbox's (else the server's) whole conversation
  #   against a snapshot file (see K2Mock::Snapshot).
  # Servers started here are stopped when the run ends (Minitest.after_run).
  module Minitest
    def self.included(base)
      base.extend(ClassMethods)
    end

    module ClassMethods
      # Sets this class's options (a subclass adds to its parent's); with none, answers them.
      def k2mock_options(**options)
        return inherited_k2mock_options.merge(@k2mock_options || {}) if options.empty?

        @k2mock_options = TestSupport.check_options(options, "k2mock_options")
      end

      private

      def inherited_k2mock_options
        superclass.respond_to?(:k2mock_options) ? superclass.k2mock_options : {}
      end
    end

    # This test's server (see the module's comment).
    def k2mock
      @k2mock ||= begin
        options = self.class.k2mock_options
        @k2mock_fresh = TestSupport::FRESH.include?(options[:scope])
        TestSupport.server_for(options, fresh: @k2mock_fresh)
      end
    end

    # The server this run's sandboxes are made on.
    def k2mock_server
      TestSupport.shared_server
    end

    # This test's own sandbox, deleted after it.
    def k2mock_sandbox
      @k2mock_sandbox ||= begin
        sandbox = TestSupport.sandbox_for(k2mock_server, "#{self.class.name}##{name}", self.class.k2mock_options)
        @k2mock_receiver.api_key = sandbox.api_key if @k2mock_receiver # the key that signs now
        sandbox
      end
    end

    # This test's callback receiver, stopped after it.
    def k2mock_receiver
      @k2mock_receiver ||= begin
        key = @k2mock_sandbox&.api_key || self.class.k2mock_options[:api_key]
        TestSupport.receiver(key || TestSupport::DEFAULT_API_KEY)
      end
    end

    # Passes when every `expect` entry of the scenario holds for `target` (this test's sandbox,
    # else its server); the message lists each entry.
    def assert_k2mock_expectations(target = @k2mock_sandbox || k2mock)
      verification = target.expectations
      assert verification.passed?, "k2mock expectations failed (#{target.inspect}):\n#{verification}"
      verification
    end

    # Passes when `target`'s (this test's sandbox, else its server) transcript is the snapshot
    # file at `path` (relative: to the current directory). The file missing, or
    # K2MOCK_UPDATE_SNAPSHOTS=1: writes it and passes. Else a failure naming the file, listing
    # every difference k2mock finds and saying how to accept the new transcript. Raises
    # K2Mock::ConflictError when the sandbox runs a real clock or has no seed. Answers the Snapshot::Comparison.
    def assert_k2mock_transcript(path, target = @k2mock_sandbox || k2mock)
      comparison = target.compare_transcript(path)
      assert comparison.passed?, -> { comparison.message }
      comparison
    end

    # Passes when every POST the receiver got carries the right signature.
    def assert_k2mock_callbacks_verified(receiver = k2mock_receiver)
      bad = receiver.received.reject(&:verified?)
      assert bad.empty?, "#{bad.size} of #{receiver.received.size} callbacks with a wrong signature: " \
                         "#{bad.map(&:path).join(', ')}"
    end

    def after_teardown
      @k2mock_receiver&.stop
      @k2mock_sandbox&.close
      @k2mock&.stop if @k2mock_fresh
    ensure
      @k2mock = @k2mock_sandbox = @k2mock_receiver = nil
      super
    end
  end
end

Minitest.after_run { K2Mock::TestSupport.stop_all }
