# frozen_string_literal: true

# Runs the checkout's tests; exits non-zero on a failure or a Ruby warning about keys.
require_relative "test_helper"
Dir[File.join(__dir__, "*_test.rb")].sort.each { |file| require file }
passed = Minitest.run(ARGV)
K2Mock::TestSupport.stop_all
puts "\nFAILED: Ruby warnings about keys:\n#{KeyWarnings.seen.uniq.join}" unless KeyWarnings.seen.empty?
exit(passed && KeyWarnings.seen.empty? ? 0 : 1)
