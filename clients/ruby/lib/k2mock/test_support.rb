# frozen_string_literal: true

require "digest/sha1" # loaded here: Digest autoloads its classes on first use, which races across test threads
require_relative "../k2mock"

module K2Mock
  # What the RSpec and Minitest helpers share: servers started for a set of options (one per set,
  # reset before each test that uses it), the process-wide server that per-test sandboxes are
  # made on, sandbox names, and receivers.
  #
  # Environment:
  # - K2MOCK_URL (with K2MOCK_ADMIN_TOKEN): the server sandboxes are made on, a k2mock that runs
  #   already (a CI service container); without it one is started for the run.
  # - K2MOCK_CALLBACK_HOST: the name k2mock reaches this machine by (k2mock in a container), for
  #   the receivers' URLs; they then listen on every interface.
  # - K2MOCK_BIN: the binary (else PATH).
  # Sandbox names come from the test's identity alone (never a worker, process or random part):
  # a transcript depends on the sandbox's name, so a snapshot made serially must match one made
  # under parallel workers. Two processes naming the same test step around each other ("-2").
  module TestSupport
    DEFAULT_API_KEY = "sandbox_api_key"
    SERVER_OPTIONS = %i[scenario clock time_scale seed admin_token bin log_format args max_sandboxes].freeze
    SANDBOX_OPTIONS = %i[scenario scenario_yaml seed clock time_scale ttl].freeze
    HELPER_OPTIONS = %i[scope api_key].freeze
    FRESH = %i[each test].freeze # scopes that give each test a server of its own
    NAME_ROOM = 61 # of k2mock's 64: room for "-NN" when a name is taken

    @lock = Mutex.new
    @servers = {}

    class << self
      # The server for `options` (SERVER_OPTIONS), started at first use and reset on every later
      # one, restarted if it died. `fresh: true`: a server of its own, never shared.
      def server_for(options, fresh: false)
        options = server_options(options)
        return K2Mock.start(**options) if fresh

        key = options.sort_by { |name, _| name.to_s }.inspect
        @lock.synchronize do
          server = @servers[key]
          if server&.running?
            server.reset
          else
            server = @servers[key] = K2Mock.start(**options)
          end
          server
        end
      end

      # The server per-test sandboxes are made on: $K2MOCK_URL, else one started for the run.
      def shared_server
        @lock.synchronize do
          @shared = nil if @shared && !@shared.connected? && !@shared.running?
          @shared ||= begin
            url = ENV["K2MOCK_URL"].to_s
            if url.empty?
              K2Mock.start
            else
              token = ENV["K2MOCK_ADMIN_TOKEN"].to_s
              K2Mock.connect(url, admin_token: token.empty? ? nil : token)
            end
          end
        end
      end

      # Makes the sandbox of test `test_id` on `server` with `options` (SANDBOX_OPTIONS); a
      # name taken already (a crashed run's, another process's) gets "-2", "-3", ...
      def sandbox_for(server, test_id, options = {})
        name = sandbox_name(test_id)
        options = sandbox_options(options)
        attempt = 1
        begin
          server.sandbox(name: attempt == 1 ? name : "#{name}-#{attempt}", **options)
        rescue ConflictError
          attempt += 1
          retry if attempt <= 20
          raise
        end
      end

      # A name k2mock accepts ([A-Za-z0-9_-], at most 61 characters) for `test_id`, and nothing
      # else (no worker number, pid or random part: the same test gets the same name serially and
      # under parallel workers): runs of other characters become "_"; a long one keeps its end
      # (the test's name) and gains a digest of the whole id.
      def sandbox_name(test_id)
        body = test_id.to_s.gsub(/[^A-Za-z0-9_-]+/, "_").gsub(/\A[_-]+|[_-]+\z/, "")
        body = "test" if body.empty?
        if body.size > NAME_ROOM
          digest = Digest::SHA1.hexdigest(test_id.to_s)[0, 8]
          keep = NAME_ROOM - digest.size - 1
          body = "#{body[-keep..].sub(/\A[_-]+/, '')}-#{digest}"
        end
        body
      end

      # A receiver that verifies with `api_key`, on K2MOCK_CALLBACK_HOST if set.
      def receiver(api_key)
        host = ENV["K2MOCK_CALLBACK_HOST"].to_s
        CallbackReceiver.new(api_key: api_key, host: host.empty? ? nil : host)
      end

      # Stops every server started here (not a connected one).
      def stop_all
        servers = @lock.synchronize do
          list = @servers.values + [@shared].compact
          @servers = {}
          @shared = nil
          list
        end
        servers.each(&:stop)
      end

      def check_options(options, where)
        unknown = options.keys - SERVER_OPTIONS - SANDBOX_OPTIONS - HELPER_OPTIONS
        raise ArgumentError, "#{where}: unknown option#{unknown.size == 1 ? '' : 's'} #{unknown.join(', ')}" unless unknown.empty?
        unless [nil, :shared, :each, :test].include?(options[:scope])
          raise ArgumentError, "#{where}: scope is :shared (the default) or :each (also spelt :test), not #{options[:scope].inspect}"
        end

        options
      end

      def server_options(options)
        misplaced = options.keys & %i[scenario_yaml ttl]
        unless misplaced.empty?
          raise ArgumentError, "#{misplaced.join(', ')} make a sandbox, not a server: use k2mock_sandbox"
        end

        options.slice(*SERVER_OPTIONS)
      end

      def sandbox_options(options)
        misplaced = options.keys & %i[admin_token args bin log_format max_sandboxes]
        unless misplaced.empty?
          raise ArgumentError, "#{misplaced.join(', ')} start a server, and k2mock_sandbox's server is shared " \
                               "(K2MOCK_URL, K2MOCK_ADMIN_TOKEN)"
        end

        options.slice(*SANDBOX_OPTIONS)
      end
    end
  end
end
