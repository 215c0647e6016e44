# frozen_string_literal: true

require "digest/sha2"
require "fileutils"
require "tmpdir"

# Loads the official Ruby SDK (k2-connect-ruby 4.0.0) from a private copy of
# .build/sdks/k2-connect-ruby (Tests/sdk/setup.sh unpacks it; K2_RUBY_SDK names another copy):
# its base_url= setter rewrites the gem's own k2_config.yml, which must stay untouched.
module RubySDK
  REPO = File.expand_path("../../../..", __dir__)
  SOURCE = ENV.fetch("K2_RUBY_SDK", File.join(REPO, ".build", "sdks", "k2-connect-ruby"))
  CONFIG = File.join("lib", "k2-connect-ruby", "k2_utilities", "config", "k2_config.yml")

  def self.load!
    unless File.file?(File.join(SOURCE, "lib", "k2-connect-ruby.rb"))
      abort "no k2-connect-ruby at #{SOURCE}: run Tests/sdk/setup.sh (or set K2_RUBY_SDK)"
    end
    copy = File.join(Dir.mktmpdir("k2-ruby-sdk"), "k2-connect-ruby")
    FileUtils.cp_r(SOURCE, copy)
    at_exit { FileUtils.rm_rf(File.dirname(copy)) }
    # Its dependencies' own load-time noise is not ours: loaded quietly, then warnings are on.
    verbose = $VERBOSE
    $VERBOSE = nil
    require "active_model"
    require "active_support"
    require "active_support/core_ext"
    require "rest-client"
    require "yaml"
    $VERBOSE = verbose
    comparison_validator_for_debian
    $LOAD_PATH.unshift(File.join(copy, "lib"))
    require "k2-connect-ruby"
    copy
  end

  # k2-connect-ruby 4.0.0 wants ActiveModel >= 7.2; Debian 12 has 6.1, which lacks
  # ComparisonValidator, so `require "k2-connect-ruby"` raises "Unknown validator". Its payload
  # classes use only `comparison: { equal_to: ... }`: this adds that much, when it is missing
  # (as Tests/sdk/ruby/support/helper.rb does).
  def self.comparison_validator_for_debian
    return if ActiveModel::Validations.const_defined?(:ComparisonValidator, false)

    validator = Class.new(ActiveModel::EachValidator) do
      def validate_each(record, attribute, value)
        record.errors.add(attribute, :equal_to, count: options[:equal_to]) unless value == options[:equal_to]
      end
    end
    ActiveModel::Validations.const_set(:ComparisonValidator, validator)
  end

  def self.pristine_config_digest
    Digest::SHA256.file(File.join(SOURCE, CONFIG)).hexdigest
  end
end
