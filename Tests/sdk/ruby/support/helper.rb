# frozen_string_literal: true

# Support for the Ruby SDK suite: the real k2mock binary, started and driven through the Ruby kit
# (clients/ruby), a callback receiver that keeps every POST's exact bytes and headers, the SDK
# loaded from a private copy (its base_url setter rewrites the gem's own k2_config.yml), and
# warnings turned into failures when they mention a key the SDK reads.

require "json"
require "net/http"
require "socket"
require "stringio"
require "uri"

# The Ruby kit, from this checkout: it starts and stops k2mock for the suite.
$LOAD_PATH.unshift(File.expand_path("../../../../clients/ruby/lib", __dir__))
require "k2mock"

module K2Suite
  HERE = File.expand_path("..", __dir__)
  REPO = File.expand_path("../../..", HERE)
  BIN = ENV.fetch("K2MOCK_BIN", File.join(REPO, ".build", "debug", "k2mock"))
  SDK = ENV.fetch("K2_RUBY_SDK") { abort "K2_RUBY_SDK is not set: run Tests/sdk/ruby/run.sh" }
  SCENARIO = File.join(HERE, "scenario.yaml")

  # The scenario's client; its api key signs every callback and webhook.
  CLIENT_ID = "ruby-client"
  CLIENT_SECRET = "ruby-secret"
  API_KEY = "ruby-api-key"
  PREISSUED_TOKEN = "ruby-preissued-token"
  # The docs' mobile-wallet pay recipient (a fixture of the scenario).
  PAY_RECIPIENT = "c7f300c0-f1ef-4151-9bbe-005005aa3747"

  # ---------------------------------------------------------------- warnings

  # Every warning, with the test that was running. A warning that mentions a key the SDK reads
  # fails that test (see Warnings.key_warning?); the rest are listed after the run.
  module Warnings
    @all = []
    @current = "(loading)"
    class << self
      attr_reader :all
      attr_accessor :current, :sdk_keys

      def record(message)
        @all << [@current, message.to_s]
      end

      def for_test(name)
        @all.select { |test, _| test == name }.map(&:last)
      end

      def key_warning?(message)
        return true if message =~ /\bkeys?\b/i

        (sdk_keys || []).any? { |key| message =~ /(?<![\w-])#{Regexp.escape(key)}(?![\w-])/ }
      end
    end
  end

  module WarningCollector
    # Recorded, not printed: the suite lists them after the run.
    def warn(message, *_rest, **_kwargs)
      K2Suite::Warnings.record(message)
      nil
    end
  end

  # Loads the SDK from the private copy. Third-party libraries load quietly first (their own
  # parse-time noise is not the SDK's); from then on $VERBOSE is on and every warning, the
  # SDK's own included, goes through Warning.warn.
  def self.load_sdk
    saved = $VERBOSE
    $VERBOSE = nil
    require "active_model"
    require "active_support"
    require "active_support/json"
    require "active_support/core_ext"
    require "active_support/core_ext/hash/indifferent_access"
    require "active_support/deprecation"
    require "yaml"
    require "rest-client"
    $VERBOSE = saved
    Warning.singleton_class.prepend(WarningCollector)
    $VERBOSE = true
    Warning[:deprecated] = true if Warning.respond_to?(:[]=)
    ActiveSupport::Deprecation.behavior = ->(message, *_rest) { Warning.warn("DEPRECATION: #{message}\n") }

    install_comparison_validator_shim

    $LOAD_PATH.unshift(File.join(SDK, "lib"))
    require "k2-connect-ruby"
    Warnings.sdk_keys = keys_the_sdk_reads
  end

  # k2-connect-ruby 4.0.0 wants ActiveModel >= 7.2 (its gemspec); Debian 12 has 6.1, which lacks
  # ComparisonValidator (new in Rails 7.0). Eight payload classes declare
  # `validates :topic|:type, comparison: { equal_to: "..." }` in their class bodies, so without
  # it `require 'k2-connect-ruby'` raises "Unknown validator: 'ComparisonValidator'". This adds
  # the one option they use, only when ActiveModel does not have the validator itself.
  def self.install_comparison_validator_shim
    return if ActiveModel::Validations.const_defined?(:ComparisonValidator, false)

    validator = Class.new(ActiveModel::EachValidator) do
      def check_validity!
        raise ArgumentError, "only equal_to is supported by the suite's shim" unless options.key?(:equal_to)
      end

      def validate_each(record, attribute, value)
        expected = options[:equal_to]
        record.errors.add(attribute, :equal_to, count: expected) unless value == expected
      end
    end
    ActiveModel::Validations.const_set(:ComparisonValidator, validator)
    @comparison_shim = true
  end

  def self.comparison_shim?
    @comparison_shim == true
  end

  # Every key the SDK reads from a body: the strings in its `dig(...)` calls and the symbols it
  # indexes response hashes with.
  def self.keys_the_sdk_reads
    keys = []
    Dir[File.join(SDK, "lib", "**", "*.rb")].each do |file|
      source = File.read(file)
      source.scan(/\.dig\(([^)]*)\)/) { |(args)| keys.concat(args.scan(/"([^"]+)"/).flatten) }
      source.scan(/\[:(\w+)\]/) { |(key)| keys << key }
      source.scan(/\["(HTTP_\w+)"\]/) { |(key)| keys << key }
    end
    keys.uniq
  end

  # ---------------------------------------------------------------- k2mock

  # k2mock, started through the Ruby kit (clients/ruby: K2Mock.start, `k2mock serve --port 0` as a
  # child process that never outlives this one), with the admin calls the suite makes. Options
  # are K2Mock.start's (scenario:, clock:, ...); k2mock's request log is off.
  class Server
    attr_reader :k2mock

    def initialize(**options)
      @k2mock = K2Mock.start(bin: BIN, log_format: "none", **options)
    end

    def origin
      @k2mock.origin
    end

    def pid
      @k2mock.pid
    end

    # What k2mock wrote on stderr.
    def log
      @k2mock.log
    end

    # The base URL in the form the Ruby SDK wants: a trailing slash (the kit's base_url).
    def base_url
      @k2mock.base_url
    end

    def request(method, path, body: nil, token: nil, headers: {})
      uri = URI(path.start_with?("http") ? path : @k2mock.origin + path)
      klass = { "GET" => Net::HTTP::Get, "POST" => Net::HTTP::Post }.fetch(method)
      req = klass.new(uri)
      req["Content-Type"] = "application/json"
      req["Authorization"] = "Bearer #{token}" if token
      headers.each { |k, v| req[k] = v }
      req.body = body.is_a?(String) ? body : body.to_json unless body.nil?
      Net::HTTP.start(uri.host, uri.port, open_timeout: 5, read_timeout: 30) { |http| http.request(req) }
    end

    # An admin call; the parsed answer (a K2Mock::APIError unless it is 200).
    def admin(method, path, body = nil)
      @k2mock.admin_request(method, path, body)
    end

    def advance(seconds)
      @k2mock.advance(seconds)
    end

    def reset
      @k2mock.reset
    end

    def fire(topic, resource: nil, **extra)
      @k2mock.fire_event(topic, resource, **extra)
    end

    # /__admin/callbacks, as the kit's K2Mock::Delivery values (`entry["body"]` reads them too).
    def journal
      @k2mock.callbacks
    end

    # SIGTERM; k2mock exits 0.
    def stop
      @k2mock.stop
    end
  end

  # ---------------------------------------------------------------- receiver

  # A plain TCP callback listener that answers 200 and keeps each POST's exact bytes and headers
  # (names as sent). It honours `Expect: 100-continue` and chunked bodies, as libcurl may use them.
  class Receiver
    Delivery = Struct.new(:method, :path, :headers, :body, keyword_init: true) do
      def header(name)
        headers.find { |k, _| k.casecmp?(name) }&.last
      end

      def signature
        header("X-KopoKopo-Signature")
      end

      # What a Rack request gives K2Client#parse_request: `body.read` and a CGI-style `env`.
      def rack_request(body_bytes = body)
        env = { "REQUEST_METHOD" => method, "PATH_INFO" => path }
        headers.each do |name, value|
          key = name.upcase.tr("-", "_")
          if %w[CONTENT_TYPE CONTENT_LENGTH].include?(key)
            env[key] = value
          else
            env["HTTP_#{key}"] = value
          end
        end
        RackLikeRequest.new(StringIO.new(body_bytes.dup), env)
      end
    end

    RackLikeRequest = Struct.new(:body, :env)

    attr_reader :port

    def initialize
      @server = TCPServer.new("127.0.0.1", 0)
      @port = @server.addr[1]
      @lock = Mutex.new
      @changed = ConditionVariable.new
      @deliveries = []
      @thread = Thread.new do
        loop do
          client = @server.accept
          Thread.new(client) { |c| serve(c) }
        rescue IOError, Errno::EBADF
          break
        end
      end
    end

    def url(path = "/k2/result")
      "http://127.0.0.1:#{@port}#{path}"
    end

    def clear
      @lock.synchronize { @deliveries.clear }
    end

    def deliveries(path = nil)
      @lock.synchronize { @deliveries.select { |d| path.nil? || d.path == path } }
    end

    # Waits (wall time) until `count` deliveries to `path` arrived; returns them.
    def wait_for(count, path: nil, timeout: 10)
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
      @lock.synchronize do
        loop do
          got = @deliveries.select { |d| path.nil? || d.path == path }
          return got if got.size >= count

          left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
          raise "expected #{count} deliveries to #{path || 'the receiver'}, got #{got.size} within #{timeout} s" if left <= 0

          @changed.wait(@lock, left)
        end
      end
    end

    def stop
      @server.close
      @thread.join(2)
    end

    private

    def serve(client)
      client.binmode
      request_line = client.gets("\r\n")
      return if request_line.nil?

      method, path, = request_line.split(" ", 3)
      headers = []
      while (line = client.gets("\r\n")) && line != "\r\n"
        name, value = line.chomp("\r\n").split(":", 2)
        headers << [name, value.to_s.strip]
      end
      find = ->(n) { headers.find { |k, _| k.casecmp?(n) }&.last }
      client.write("HTTP/1.1 100 Continue\r\n\r\n") if find.call("Expect").to_s.casecmp?("100-continue")
      body =
        if find.call("Transfer-Encoding").to_s =~ /chunked/i
          read_chunked(client)
        else
          client.read(find.call("Content-Length").to_i) || +""
        end
      delivery = Delivery.new(method: method, path: path, headers: headers, body: body.b)
      @lock.synchronize do
        @deliveries << delivery
        @changed.broadcast
      end
      client.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    rescue IOError, SystemCallError
      nil
    ensure
      client.close rescue nil
    end

    def read_chunked(client)
      body = +""
      loop do
        size = client.gets("\r\n").to_s.strip.split(";").first.to_i(16)
        if size.zero?
          client.gets("\r\n")
          return body
        end
        body << client.read(size)
        client.read(2)
      end
    end
  end

  # ---------------------------------------------------------------- shared state

  class << self
    attr_accessor :summary_reporter

    def server
      @server ||= Server.new(scenario: SCENARIO)
    end

    def server_started?
      !@server.nil?
    end

    def receiver
      @receiver ||= Receiver.new
    end

    # Points the SDK at `origin` (the setter rewrites the private copy's k2_config.yml).
    def use_base_url(base_url)
      config = K2ConnectRuby::K2Utilities::Config::K2Config
      config.base_url = base_url unless config.base_url == base_url
    end

    def shutdown
      statuses = {}
      statuses[:manual] = @server.stop if @server
      @receiver&.stop
      statuses
    end
  end

  # Changes one byte of a body so that it stays valid JSON: the first letter or digit of the
  # first string value.
  def self.one_byte_changed(body)
    index = body.index(/:"[A-Za-z0-9]/) or raise "nothing to tamper with in #{body}"
    index += 2
    tampered = body.dup
    char = tampered[index]
    tampered[index] = char =~ /[0-8a-yA-Y]/ ? char.next : (char == "9" ? "0" : char.swapcase)
    raise "tamper failed" if tampered == body

    tampered
  end

  # The same signature with its last hex digit changed.
  def self.wrong_signature(signature)
    last = signature[-1]
    signature[0..-2] + (last == "0" ? "1" : "0")
  end
end
