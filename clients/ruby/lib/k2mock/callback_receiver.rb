# frozen_string_literal: true

require "json"
require "socket"

module K2Mock
  # One POST the receiver got: its path, headers (names lowercased), exact body bytes, and
  # whether its X-KopoKopo-Signature is right for the receiver's api key (nil without a key).
  ReceivedCallback = Struct.new(:path, :headers, :body, :verified, keyword_init: true) do
    def header(name)
      headers[name.to_s.downcase]
    end

    def signature
      header("x-kopokopo-signature")
    end

    def verified?
      verified == true
    end

    def json
      JSON.parse(body)
    end
  end

  # An HTTP listener for callbacks and webhook events, on a free port: it keeps every POST,
  # answers it with the next of its scripted statuses (200 once they run out), and checks its
  # X-KopoKopo-Signature with `api_key`. Standard library only (TCPServer), one thread per
  # connection; it records a POST before answering it, so after an advance on a manual clock
  # the callbacks it caused are already in #received.
  #
  # `host` is the name k2mock reaches this machine by, which #url uses. nil (the default):
  # 127.0.0.1, listening on loopback only. Any other (k2mock in a container:
  # "host.docker.internal", GitLab's "build") listens on every interface.
  class CallbackReceiver
    LOOPBACK = ["127.0.0.1", "localhost"].freeze

    # A receiver for the block, stopped when it ends.
    def self.open(**options)
      receiver = new(**options)
      return receiver unless block_given?

      begin
        yield receiver
      ensure
        receiver.stop
      end
    end

    attr_reader :host, :port
    attr_accessor :api_key

    def initialize(api_key: nil, host: nil, statuses: [])
      @api_key = api_key
      @host = (host || "127.0.0.1").to_s
      @statuses = statuses.dup
      @received = []
      @lock = Mutex.new
      @arrived = ConditionVariable.new
      @server = TCPServer.new(LOOPBACK.include?(@host) ? "127.0.0.1" : "0.0.0.0", 0)
      @port = @server.addr[1]
      @connections = []
      @acceptor = Thread.new { accept_loop }
      @acceptor.report_on_exception = false
    end

    # The address it listens on ("127.0.0.1" or "0.0.0.0").
    def bind_address
      @server.addr[3]
    end

    # A URL on this receiver, for a callback_url or a webhook subscription.
    def url(path = "/k2/result")
      "http://#{@host}:#{@port}#{path}"
    end

    # Every POST so far, oldest first (with `path`, those to that path only).
    def received(path = nil)
      @lock.synchronize { path ? @received.select { |c| c.path == path } : @received.dup }
    end

    def clear
      @lock.synchronize { @received.clear }
    end

    # The statuses the next POSTs get, in order (a 500 makes k2mock retry); 200 after them.
    def respond_with(*statuses)
      @lock.synchronize { @statuses = statuses.flatten }
    end

    # Waits (wall time, for real-clock runs) until `count` POSTs (to `path`, if given) arrived;
    # answers them. Raises K2Mock::TimeoutError when they do not arrive within `timeout` s.
    def wait_for(count, timeout: 10, path: nil)
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
      @lock.synchronize do
        loop do
          got = path ? @received.select { |c| c.path == path } : @received.dup
          return got if got.size >= count

          left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
          if left <= 0
            raise TimeoutError, "#{got.size} callback#{got.size == 1 ? '' : 's'} arrived at #{path ? url(path) : url('')} " \
                                "within #{timeout} s, not #{count}"
          end

          @arrived.wait(@lock, left)
        end
      end
    end

    # Raises SignatureError naming every POST whose signature was wrong (needs an api key).
    def verify_signatures!
      raise SignatureError, "the receiver has no api key to verify with" if api_key.nil?

      bad = received.reject(&:verified?)
      raise SignatureError, "#{bad.size} callbacks with a wrong signature: #{bad.map(&:path).join(', ')}" unless bad.empty?

      true
    end

    def stop
      @server.close unless @server.closed?
      @acceptor.join(2)
      @lock.synchronize { @connections.dup }.each { |thread| thread.join(2) }
      nil
    end

    def inspect
      "#<K2Mock::CallbackReceiver #{url('')} received=#{received.size}>"
    end

    private

    def accept_loop
      loop do
        client = @server.accept
        thread = Thread.new(client) { |socket| serve(socket) }
        thread.report_on_exception = false
        @lock.synchronize do
          @connections.select!(&:alive?)
          @connections << thread
        end
      end
    rescue IOError, SystemCallError
      nil # closed by #stop
    end

    def serve(socket)
      socket.binmode
      request_line = socket.gets("\r\n") or return
      method, target, = request_line.split(" ", 3)
      headers = {}
      while (line = socket.gets("\r\n")) && line != "\r\n"
        name, value = line.chomp("\r\n").split(":", 2)
        key = name.to_s.strip.downcase
        headers[key] = headers.key?(key) ? "#{headers[key]}, #{value.to_s.strip}" : value.to_s.strip
      end
      socket.write("HTTP/1.1 100 Continue\r\n\r\n") if headers["expect"].to_s.casecmp?("100-continue")
      body = headers["transfer-encoding"].to_s =~ /chunked/i ? read_chunked(socket) : read_exactly(socket, headers["content-length"].to_i)
      unless method == "POST"
        return respond(socket, 405, "Allow: POST\r\n")
      end

      status = record(ReceivedCallback.new(path: target, headers: headers.freeze, body: body.freeze,
                                           verified: check(body, headers["x-kopokopo-signature"])).freeze)
      respond(socket, status)
    rescue IOError, SystemCallError
      nil
    ensure
      socket.close unless socket.closed?
    end

    def check(body, signature)
      key = api_key
      key.nil? ? nil : K2Mock.valid_signature?(body, signature, key)
    end

    # Keeps it and picks its status, then wakes #wait_for: before the answer goes out.
    def record(callback)
      @lock.synchronize do
        @received << callback
        @arrived.broadcast
        @statuses.empty? ? 200 : @statuses.shift
      end
    end

    def respond(socket, status, extra = "")
      socket.write("HTTP/1.1 #{status} #{status < 300 ? 'OK' : 'Status'}\r\n#{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
    end

    def read_exactly(socket, length)
      return +"".b if length <= 0

      (socket.read(length) || +"").b
    end

    def read_chunked(socket)
      body = +"".b
      loop do
        size = socket.gets("\r\n").to_s.strip.split(";").first.to_i(16)
        if size.zero?
          socket.gets("\r\n")
          return body
        end
        body << socket.read(size).to_s
        socket.read(2)
      end
    end
  end
end
