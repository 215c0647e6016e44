# frozen_string_literal: true

require "rspec/core"
require "rspec/expectations"
require_relative "test_support"

module K2Mock
  # RSpec helpers. Two shared contexts, by name or by metadata:
  #
  #   RSpec.describe Checkout do
  #     include_context "k2mock", scenario: "scenarios/happy-path.yaml", api_key: "demo-api-key"
  #     # or: RSpec.describe Checkout, k2mock: { scenario: "..." } do
  #     it "is paid" do
  #       # ... the app asks for an STK push with callback_url: k2mock_receiver.url
  #       k2mock.advance(10)
  #       expect(k2mock_receiver.received.first).to be_verified
  #       expect(k2mock).to meet_k2mock_expectations
  #     end
  #   end
  #
  #   RSpec.describe Checkout, k2mock_sandbox: { scenario: "scenarios/happy-path.yaml" } do
  #     it "is paid" do
  #       checkout = Checkout.new(k2mock_sandbox.base_url, k2mock_sandbox.client_id, ...)
  #     end
  #   end
  #
  # - "k2mock": `k2mock`, a Server for the options (Server.start's), one per distinct set of
  #   options for the run and reset before each example; `scope: :each` (or :test) gives each
  #   example its own.
  # - "k2mock sandbox": `k2mock_sandbox`, a Sandbox of the example's own on one server for the run
  #   ($K2MOCK_URL, else one started), deleted after it; `k2mock_server` is that server.
  # - Both: `k2mock_receiver`, a CallbackReceiver stopped after the example, verifying with the
  #   sandbox's api key, else `api_key:`, else "sandbox_api_key"; the matcher
  #   `meet_k2mock_expectations`, and `match_k2mock_transcript(path)` (the whole conversation
  #   against a snapshot file, see K2Mock::Snapshot):
  #     expect(k2mock_sandbox).to match_k2mock_transcript("spec/snapshots/checkout.yaml")
  #   Servers started here are stopped after the suite.
  module RSpec
    # The options of a group: its metadata's (`k2mock: {...}` or `k2mock_sandbox: {...}`), then
    # include_context's.
    def self.options_for(group, given, key)
      from_metadata = group.metadata[key]
      options = (from_metadata.is_a?(Hash) ? from_metadata : {}).merge(given || {})
      TestSupport.check_options(options, "k2mock (#{group.description})")
    end

    # Methods of an example that includes one of the contexts.
    module Helpers
      def k2mock
        raise Error, "k2mock: include_context \"k2mock\" (or k2mock: metadata) for a server" unless defined?(@k2mock_options)

        @k2mock ||= begin
          @k2mock_fresh = TestSupport::FRESH.include?(@k2mock_options[:scope])
          TestSupport.server_for(@k2mock_options, fresh: @k2mock_fresh)
        end
      end

      def k2mock_server
        TestSupport.shared_server
      end

      def k2mock_sandbox
        raise Error, "k2mock_sandbox: include_context \"k2mock sandbox\" (or k2mock_sandbox: metadata)" unless defined?(@k2mock_sandbox_options)

        @k2mock_sandbox ||= begin
          example = ::RSpec.current_example
          sandbox = TestSupport.sandbox_for(k2mock_server, example ? example.full_description : "example",
                                            @k2mock_sandbox_options)
          @k2mock_receiver.api_key = sandbox.api_key if @k2mock_receiver # the key that signs now
          sandbox
        end
      end

      def k2mock_receiver
        @k2mock_receiver ||= begin
          key = @k2mock_sandbox&.api_key || (@k2mock_sandbox_options || @k2mock_options || {})[:api_key]
          TestSupport.receiver(key || TestSupport::DEFAULT_API_KEY)
        end
      end

      def k2mock_cleanup
        @k2mock_receiver&.stop
        @k2mock_sandbox&.close
        @k2mock&.stop if @k2mock_fresh
      ensure
        @k2mock = @k2mock_sandbox = @k2mock_receiver = nil
      end
    end
  end
end

RSpec.shared_context "k2mock" do |given = {}|
  options = K2Mock::RSpec.options_for(self, given, :k2mock)
  include K2Mock::RSpec::Helpers
  before { @k2mock_options = options }
  after { k2mock_cleanup }
end

RSpec.shared_context "k2mock sandbox" do |given = {}|
  options = K2Mock::RSpec.options_for(self, given, :k2mock_sandbox)
  include K2Mock::RSpec::Helpers
  before { @k2mock_sandbox_options = options }
  after { k2mock_cleanup }
end

RSpec::Matchers.define :meet_k2mock_expectations do
  match do |target|
    @verification = target.expectations
    @verification.passed?
  end

  failure_message do |target|
    "expected every expectation of #{target.inspect}'s scenario to hold:\n#{@verification}"
  end

  failure_message_when_negated do |target|
    "expected an expectation of #{target.inspect}'s scenario to fail:\n#{@verification}"
  end
end

# expect(k2mock_sandbox).to match_k2mock_transcript("spec/snapshots/pay.yaml"): the transcript is
# the snapshot file's (relative: to the current directory); written when the file is missing or
# K2MOCK_UPDATE_SNAPSHOTS=1. A real clock or no seed raises K2Mock::ConflictError. No negated form: a
# snapshot is written or compared, never expected to differ.
RSpec::Matchers.define :match_k2mock_transcript do |path|
  match do |target|
    @comparison = target.compare_transcript(path)
    @comparison.passed?
  end

  match_when_negated do |_target|
    raise K2Mock::Error, "match_k2mock_transcript has no negated form (not_to): a snapshot is written or compared, " \
                         "never expected to differ"
  end

  failure_message do |_target|
    @comparison.message
  end

  description do
    "match the k2mock transcript snapshot #{K2Mock::Snapshot.resolve(path)}"
  end
end

RSpec.configure do |config|
  config.include_context "k2mock", :k2mock
  config.include_context "k2mock sandbox", :k2mock_sandbox
  config.after(:suite) { K2Mock::TestSupport.stop_all }
end
