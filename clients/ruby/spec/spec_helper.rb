# frozen_string_literal: true

# The RSpec side of the kit's suite (run `rspec` in clients/ruby; run-tests.sh does): the
# helpers of `require "k2mock/rspec"` used as a user would, and their lifecycle checked in rspec
# runs of their own. Ruby warnings about keys, or from the kit's own files, fail the run.
require_relative "../test/support/strict_warnings"
require_relative "../test/support/processes"
$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))
require "json"
require "net/http"
require "open3"
require "rbconfig"
require "tmpdir"
require "k2mock"
require "k2mock/rspec"

module KitSpec
  include K2MockKitProcesses
  KIT = File.expand_path("..", __dir__)
  REPO = File.expand_path("../../..", __dir__)
  HAPPY = File.join(REPO, "scenarios", "happy-path.yaml")
  CI = File.join(REPO, "scenarios", "ci-pipeline.yaml")

  def stk_push(callback_url)
    { payment_channel: "M-PESA STK Push", till_number: "K000000", subscriber: { phone_number: "+254799999999" },
      amount: { currency: "KES", value: 100 }, _links: { callback_url: callback_url } }
  end


  def rspec_command(*args)
    [RbConfig.ruby, "-w", "-I", File.join(KIT, "lib"), Gem.bin_path("rspec-core", "rspec"), *args]
  end
end

RSpec.configure do |config|
  config.include KitSpec
  config.disable_monkey_patching!
  config.expect_with(:rspec) { |expectations| expectations.max_formatted_output_length = nil }
  config.before(:suite) do
    offences = StrictWarnings.take
    raise "Ruby warnings while loading the specs:\n#{offences.join}" unless offences.empty?
  end
  config.after do
    offences = StrictWarnings.take
    raise "Ruby warnings (about keys, or from the kit's own files):\n#{offences.join}" unless offences.empty?
  end
  config.after(:suite) do
    offences = StrictWarnings.take
    raise "Ruby warnings outside the examples:\n#{offences.join}" unless offences.empty?
  end
end
