# frozen_string_literal: true

require_relative "lib/k2mock/version"

# The repository's VERSION is the version of everything in it; a gem built from a checkout must
# say the same.
repo_version = File.join(__dir__, "..", "..", "VERSION")
if File.file?(repo_version) && File.read(repo_version).strip != K2Mock::VERSION
  raise "lib/k2mock/version.rb says #{K2Mock::VERSION}, the repository's VERSION #{File.read(repo_version).strip}"
end

Gem::Specification.new do |spec|
  spec.name = "k2mock"
  spec.version = K2Mock::VERSION
  spec.summary = "Start k2mock, the offline Kopo Kopo (K2 Connect) sandbox, from Ruby tests"
  spec.description = "Starts the k2mock binary on a free port (or connects to a running one), wraps its " \
                     "admin API, makes isolated sandboxes, receives and verifies callbacks; " \
                     "RSpec and Minitest helpers. Standard library only."
  spec.authors = ["k2mock contributors"]
  spec.license = "MIT"
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir[File.join(__dir__, "lib", "**", "*.rb")].map { |path| path.delete_prefix("#{__dir__}/") }.sort +
               ["README.md", "k2mock.gemspec"]
  spec.require_paths = ["lib"]
  spec.metadata = { "rubygems_mfa_required" => "true" }
end
