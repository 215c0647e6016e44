# frozen_string_literal: true

# The parity case sdk-token, in a process of its own (the SDK brings ActiveSupport's core
# extensions, which must not leak into the kit's tests): the official Ruby SDK, given only the
# kit's base_url and the default scenario's credentials, gets an access token. Prints one JSON
# line: the token, the base URL, k2mock's request journal, and the warning offences.
require_relative "strict_warnings"
$LOAD_PATH.unshift(File.expand_path("../../lib", __dir__))
require "k2mock"
require "json"
require_relative "ruby_sdk"

RubySDK.load!
result = K2Mock.start(clock: :manual) do |k2|
  K2ConnectRuby::K2Utilities::Config::K2Config.base_url = k2.base_url
  token = K2ConnectRuby::K2Entity::K2Token.new("sandbox_client_id", "sandbox_client_secret").request_token
  info = K2ConnectRuby::K2Entity::K2Token.new("sandbox_client_id", "sandbox_client_secret").introspect_token(token)
  { token: token, active: info[:active], base_url: k2.base_url, origin: k2.origin,
    sdk_base_url: K2ConnectRuby::K2Utilities::Config::K2Config.base_url,
    requests: k2.requests.map { |r| [r.http_method, r.path, r.status] } }
end
puts JSON.generate(result.merge(offences: StrictWarnings.take))
