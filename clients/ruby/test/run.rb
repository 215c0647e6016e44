# frozen_string_literal: true

# Runs every *_test.rb here (ruby -w test/run.rb [minitest options]); exits non-zero on a failure
# or a warning offence outside the tests (see support/strict_warnings.rb).
require_relative "test_helper"
require "k2mock/minitest"
Dir[File.join(__dir__, "**", "*_test.rb")].sort.each { |file| require file }

args = ARGV.dup
args += ["--seed", "4040"] unless args.include?("--seed") || ENV["SEED"]
passed = Minitest.run(args)
K2Mock::TestSupport.stop_all
offences = StrictWarnings.take
unless offences.empty?
  puts "\nFAILED: Ruby warnings outside the tests (about keys, or from the kit's own files):\n#{offences.join}"
end
others = StrictWarnings.others
puts "\nOther warnings (not fatal):\n#{others.map { |w| "  #{w}" }.join}" unless others.empty?
exit(passed && offences.empty? ? 0 : 1)
