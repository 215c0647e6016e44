# frozen_string_literal: true

# Ruby warnings, collected: a warning about keys (a duplicated hash key, a keyword argument,
# `key?` ...) anywhere, or any warning at all from this kit's own files (lib/, test/, spec/) or
# the Ruby example app, is an offence; the suites fail on offences (each test checks those of
# its own run; the runners check those outside any test). Other warnings are printed, not fatal.
module StrictWarnings
  ROOT = File.expand_path("../..", __dir__)
  OURS = [ROOT + File::SEPARATOR, File.expand_path("../../../examples/ruby-app", ROOT) + File::SEPARATOR].freeze
  KEYS = /\bkey(?:s|word|word arguments?)?\b|\bkey\?/i.freeze

  @lock = Mutex.new
  @offending = []
  @other = []

  class << self
    def offence?(message)
      message.match?(KEYS) || OURS.any? { |dir| message.include?(dir) }
    end

    def record(message)
      @lock.synchronize { (offence?(message) ? @offending : @other) << message.to_s }
    end

    # The offences since the last call.
    def take
      @lock.synchronize { @offending.slice!(0..) }
    end

    def others
      @lock.synchronize { @other.uniq }
    end
  end

  module Collector
    def warn(message, *rest, **options)
      StrictWarnings.record(message)
      super
    end
  end
end

Warning.singleton_class.prepend(StrictWarnings::Collector)
$VERBOSE = true
Warning[:deprecated] = true if Warning.respond_to?(:[]=)
