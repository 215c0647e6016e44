# frozen_string_literal: true

# The Ruby SDK suite's entry point (run it through run.sh): loads k2-connect-ruby from the
# private copy in $K2_RUBY_SDK, runs every test_*.rb here with minitest against the k2mock
# binary in $K2MOCK_BIN, stops k2mock (which must exit 0) and prints a one-line summary.

started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
require_relative "support/helper"
K2Suite.load_sdk

require "minitest"
require_relative "support/test_case"
Dir[File.join(__dir__, "test_*.rb")].sort.each { |file| require file }

# A fixed order by default (the same run every time); `run.sh --seed N` picks another.
args = ARGV.dup
args += ["--seed", "4040"] unless args.include?("--seed")

Minitest.extensions << "k2suite"
module Minitest
  def self.plugin_k2suite_init(options)
    K2Suite.summary_reporter = StatisticsReporter.new(options[:io], options)
    reporter << K2Suite.summary_reporter
  end
end

passed = Minitest.run(args)
stats = K2Suite.summary_reporter
statuses = K2Suite.shutdown
problems = []
statuses.each do |which, status|
  problems << "k2mock (#{which} clock) did not exit 0 on SIGTERM: #{status.inspect}" unless status == 0
end

unless K2Suite::Warnings.all.empty?
  puts "\nWarnings seen (those mentioning a key the SDK reads fail their test):"
  K2Suite::Warnings.all.uniq.each { |test, message| puts "  [#{test}] #{message.strip}" }
end
if K2Suite.comparison_shim?
  puts "\nNote: ActiveModel #{ActiveModel.version} has no ComparisonValidator (Rails >= 7.0); the suite added " \
       "a minimal one (equal_to only) so that the SDK loads (support/helper.rb)."
end
problems.each { |p| puts "FAILED: #{p}" }

failed = stats.failures + stats.errors + problems.size
wall = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
summary = format("ruby SDK suite (k2-connect-ruby %s): %d passed, %d failed, %d skipped, %d assertions, %.1f s",
                 K2ConnectRuby::VERSION, stats.count - stats.failures - stats.errors - stats.skips, failed,
                 stats.skips, stats.assertions, wall)
# run.sh prints it last, after k2mock's log when something failed.
if ENV["K2_SUITE_SUMMARY"]
  File.write(ENV["K2_SUITE_SUMMARY"], summary + "\n")
else
  puts "\n#{summary}"
end
exit(passed && problems.empty? && stats.skips.zero? ? 0 : 1)
