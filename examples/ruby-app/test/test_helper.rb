# frozen_string_literal: true

# The checkout's tests: Minitest with k2mock's Ruby kit (the `k2mock` gem, installed with
# `gem build` + `gem install`) and the official Ruby SDK. Run: ruby -w test/run.rb (see README).
require "fileutils"
require "stringio"
require "tmpdir"

# Ruby warnings that mention a key fail the run (test/run.rb checks).
module KeyWarnings
  @seen = []
  class << self
    attr_reader :seen
  end

  def warn(message, *rest, **options)
    KeyWarnings.seen << message if message.match?(/\bkey(?:s|word)?\b/i)
    super
  end
end
Warning.singleton_class.prepend(KeyWarnings)
$VERBOSE = true

# The SDK, from a private copy of .build/sdks/k2-connect-ruby (or $K2_RUBY_SDK): its base_url
# setter rewrites the gem's own k2_config.yml. In your app it is a gem in your Gemfile.
sdk = ENV.fetch("K2_RUBY_SDK", File.expand_path("../../../.build/sdks/k2-connect-ruby", __dir__))
abort "no k2-connect-ruby at #{sdk}: run Tests/sdk/setup.sh in the k2mock checkout" unless File.directory?(sdk)
copy = File.join(Dir.mktmpdir("checkout-sdk"), "k2-connect-ruby")
FileUtils.cp_r(sdk, copy)
at_exit { FileUtils.rm_rf(File.dirname(copy)) }
$VERBOSE = nil # the SDK's dependencies load quietly
require "active_model"
require "active_support"
require "active_support/core_ext"
require "active_support/json"
require "yaml"
require "rest-client"
$VERBOSE = true
# Debian 12's ActiveModel 6.1 lacks ComparisonValidator (Rails 7), which the SDK's payload
# classes use with `equal_to` only; with ActiveModel >= 7 this does nothing.
unless ActiveModel::Validations.const_defined?(:ComparisonValidator, false)
  ActiveModel::Validations.const_set(:ComparisonValidator, Class.new(ActiveModel::EachValidator) do
    def validate_each(record, attribute, value)
      record.errors.add(attribute, :equal_to, count: options[:equal_to]) unless value == options[:equal_to]
    end
  end)
end
$LOAD_PATH.unshift(File.join(copy, "lib"))
require "k2-connect-ruby"

require "minitest"
require "k2mock/minitest"
require_relative "../checkout"

SCENARIOS = File.expand_path("../../../scenarios", __dir__)

# A Rack env for a POST of `body` with `signature`, as the endpoint would get it.
def rack_env(body, signature)
  { "REQUEST_METHOD" => "POST", "rack.input" => StringIO.new(body), "HTTP_X_KOPOKOPO_SIGNATURE" => signature }
end
