# frozen_string_literal: true

require "uri"

module K2Mock
  # A k2mock server: one started here (K2Mock.start: `k2mock serve` on 127.0.0.1 and a free
  # port, a child process that never outlives this one) or one that runs already (K2Mock.connect:
  # a service container, say). Its admin methods (AdminAPI) act on the server's own sandbox;
  # #sandbox makes another, isolated one beside it.
  class Server
    include AdminAPI

    attr_reader :origin, :scenario
    # The --admin-token sent with every admin call (settable, to test a wrong one).
    attr_accessor :admin_token

    # Starts `k2mock serve --host 127.0.0.1 --port 0` and waits for its "k2mock listening on URL"
    # line. `scenario`: a scenario file (nil: the built-in default); `clock` (:manual or :real),
    # `time_scale`, `seed`, `admin_token`, `log_format`, `data_dir`, `max_sandboxes`: serve's
    # options of the same names; `args`: more of them. `bin`: the binary (else $K2MOCK_BIN, else
    # PATH). With a block, yields the server and stops it when the block ends.
    #
    # Raises BinaryNotFoundError, ScenarioError (the scenario does not load: its
    # FILE:LINE:COLUMN lines), or StartError (it exited, or did not listen in `start_timeout` s).
    def self.start(scenario: nil, clock: nil, time_scale: nil, seed: nil, admin_token: nil, bin: nil,
                   host: nil, log_format: nil, data_dir: nil, max_sandboxes: nil, args: [], start_timeout: 10)
      command = [K2Mock.find_binary(bin), "serve", "--host", (host || "127.0.0.1").to_s, "--port", "0"]
      { "--scenario" => scenario, "--clock" => clock, "--time-scale" => time_scale, "--seed" => seed,
        "--admin-token" => admin_token, "--log-format" => log_format, "--data-dir" => data_dir,
        "--max-sandboxes" => max_sandboxes }.each { |flag, value| command.push(flag, value.to_s) unless value.nil? }
      command.concat(args.map(&:to_s))
      process = ServerProcess.new(command, timeout: start_timeout)
      server = new(origin: loopback(process.origin), admin_token: admin_token,
                   scenario: scenario&.to_s, process: process)
      return server unless block_given?

      begin
        yield server
      ensure
        server.stop
      end
    end

    # A k2mock this process did not start, at `url` (http://HOST:PORT), with the same admin calls;
    # #stop leaves it running. Waits up to `timeout` s for it to answer (a service container
    # still starting), then raises ConnectionError naming the URL; a refused `admin_token`
    # raises AdminTokenError at once.
    def self.connect(url, admin_token: nil, timeout: 10)
      uri = begin
        URI.parse(url.to_s.strip)
      rescue URI::InvalidURIError
        nil
      end
      unless uri.is_a?(URI::HTTP) && uri.host && !uri.host.empty? && ["", "/"].include?(uri.path) && uri.query.nil?
        raise Error, "not a k2mock URL (http://HOST:PORT): #{url.inspect}"
      end

      server = new(origin: url.to_s.strip.chomp("/"), admin_token: admin_token, scenario: nil, process: nil)
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
      begin
        health = server.health
      rescue ConnectionError => e
        if Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
          sleep 0.1
          retry
        end
        raise ConnectionError.new("#{e.message} (waited #{timeout} s)", url: server.origin)
      end
      server.instance_variable_set(:@scenario, health["scenario"])
      server
    end

    def self.loopback(origin)
      origin.sub(%r{\A(https?://)(0\.0\.0\.0|\[::\])(?=:)}, '\1127.0.0.1')
    end
    private_class_method :loopback

    def initialize(origin:, admin_token:, scenario:, process:)
      @origin = origin
      @admin_token = admin_token
      @scenario = scenario
      @process = process
    end

    # ---------------------------------------------------------------- lifecycle

    # True for a server from K2Mock.connect (not started, and never stopped, by this object).
    def connected?
      @process.nil?
    end

    # k2mock's pid (nil for a connected server).
    def pid
      @process&.pid
    end

    # The started process has not exited; a connected server answers.
    def running?
      return @process.running? if @process

      health
      true
    rescue APIError
      true
    rescue ConnectionError
      false
    end

    # SIGTERM, then waits for k2mock to exit (SIGKILL after `timeout` s); answers its exit status
    # (0 after a clean stop; nil if a signal ended it). A connected server is left running (nil).
    def stop(timeout: 10)
      @process&.stop(timeout: timeout)&.exitstatus
    end

    # The exited process's Process::Status (nil while it runs, or for a connected server).
    def process_status
      @process&.status
    end

    # k2mock's stderr: its request log and messages, the last 1000 lines.
    def log
      @process ? @process.log : []
    end

    def inspect
      "#<K2Mock::Server #{connected? ? 'connected to' : 'started at'} #{origin}#{pid ? " pid=#{pid}" : ''}>"
    end
    alias to_s inspect

    def admin_root
      "/__admin"
    end

    # The webhook topics #fire_event takes.
    def topics
      admin_request("GET", "/topics")
    end

    # ---------------------------------------------------------------- sandboxes

    # Makes a sandbox on this server, isolated from every other: its own clock, resources,
    # journals and credentials (the scenario's with "-NAME" appended). `name`: 1 to 64 of
    # [A-Za-z0-9_-] (nil: the server numbers it). `scenario` is a path the *server* reads,
    # `scenario_yaml` a scenario's text; neither: the server's scenario. `ttl` ("30m", or
    # seconds) ends it after that long idle. With a block, yields it and deletes it afterwards.
    # Raises BadRequestError (a bad value, an invalid scenario: its message names
    # FILE:LINE:COLUMN), ConflictError (the name is taken), TooManySandboxesError.
    def sandbox(name: nil, scenario: nil, scenario_yaml: nil, seed: nil, clock: nil, time_scale: nil, ttl: nil)
      body = { name: name, scenario: scenario&.to_s, scenario_yaml: scenario_yaml, seed: seed,
               clock: clock&.to_s, time_scale: time_scale, ttl: ttl.is_a?(Integer) ? "#{ttl}s" : ttl }.compact
      sandbox = Sandbox.new(self, admin_request("POST", "/sandboxes", body, expect: 201))
      return sandbox unless block_given?

      begin
        yield sandbox
      ensure
        sandbox.close
      end
    end

    # Every sandbox made beside the server's own, oldest first.
    def sandboxes
      admin_request("GET", "/sandboxes").map { |entry| Sandbox.new(self, entry) }
    end

    # The sandbox `id` (made by another process, say); raises NotFoundError if there is none.
    def fetch_sandbox(id)
      Sandbox.new(self, admin_request("GET", "/sandboxes/#{URI.encode_www_form_component(id)}"))
    end
  end
end
