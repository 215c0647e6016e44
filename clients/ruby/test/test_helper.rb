# frozen_string_literal: true

# Shared by every Minitest file here: paths, the warning check, small helpers. Run the suite
# with test/run.rb (run-tests.sh does): K2MOCK_BIN names the binary.
require_relative "support/strict_warnings"
require_relative "support/processes"
require "minitest"
require "json"
require "net/http"
require "fileutils"
require "open3"
require "rbconfig"
require "socket"
require "tmpdir"

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__)) unless $LOAD_PATH.include?(File.expand_path("../lib", __dir__))
require "k2mock"

module KitTest
  include K2MockKitProcesses
  KIT = File.expand_path("..", __dir__)
  REPO = File.expand_path("../../..", __dir__)
  HAPPY = File.join(REPO, "scenarios", "happy-path.yaml")
  FAILURES = File.join(REPO, "scenarios", "failures.yaml")
  CI = File.join(REPO, "scenarios", "ci-pipeline.yaml")
  DOCS_TOKEN = "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q"
  DOCS_PAYMENT = "/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"
  BAD_YAML = "version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n"

  # Every test: offending warnings raised during it fail it.
  class Test < Minitest::Test
    include KitTest

    def teardown
      (@temporary_dirs || []).each { |dir| FileUtils.rm_rf(dir) }
      offences = StrictWarnings.take
      flunk("Ruby warnings (about keys, or from the kit's own files):\n#{offences.join}") unless offences.empty?
      super
    end
  end

  # An STK push body for /api/v2/incoming_payments.
  def stk_push(callback_url, phone: "+254799999999", value: 100, metadata: nil)
    body = { payment_channel: "M-PESA STK Push", till_number: "K000000", subscriber: { phone_number: phone },
             amount: { currency: "KES", value: value }, _links: { callback_url: callback_url } }
    body[:metadata] = metadata if metadata
    body
  end

  def created(resources)
    resources.select(&:created?)
  end

  # A port where nothing listens (bound, then closed).
  def closed_port
    probe = TCPServer.new("127.0.0.1", 0)
    probe.addr[1]
  ensure
    probe&.close
  end

  # Runs the block with environment variables set (nil: unset), restoring them after.
  def with_env(changes)
    saved = changes.keys.to_h { |key| [key, ENV[key]] }
    changes.each { |key, value| value.nil? ? ENV.delete(key) : ENV[key] = value }
    yield
  ensure
    saved.each { |key, value| value.nil? ? ENV.delete(key) : ENV[key] = value }
  end


  # Waits (wall time) for a condition that depends on another process; fails after `timeout` s.
  def wait_until(what, timeout: 10)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    until yield
      flunk("#{what}: not within #{timeout} s") if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.02
    end
  end

  def port_open?(port)
    TCPSocket.new("127.0.0.1", port).close
    true
  rescue SystemCallError
    false
  end

  # `k2mock serve` started as another program would start it (not through the kit).
  def start_separately(*args)
    out, writer = IO.pipe
    pid = Process.spawn(K2Mock.find_binary, "serve", "--port", "0", *args, out: writer, err: File::NULL, in: File::NULL)
    writer.close
    line = out.gets.to_s
    raise "k2mock did not start: #{line.inspect}" unless line.start_with?("k2mock listening on ")

    [pid, line.split.last, out]
  end

  def stop_separately(pid, out)
    Process.kill(:TERM, pid)
    Process.wait(pid)
    out.close
  end

  # POSTs `body` to `url` with X-KopoKopo-Signature `signature`; answers the status.
  def post_signed(url, body, signature)
    uri = URI(url)
    request = Net::HTTP::Post.new(uri)
    request["Content-Type"] = "application/json"
    request["X-KopoKopo-Signature"] = signature if signature
    request.body = body
    Net::HTTP.start(uri.host, uri.port, nil) { |http| http.request(request) }.code.to_i
  end

  # A scenario file in a temporary folder.
  def scenario_file(text, name = "scenario.yaml")
    dir = Dir.mktmpdir("k2mock-kit")
    (@temporary_dirs ||= []) << dir
    path = File.join(dir, name)
    File.write(path, text)
    path
  end

  def ruby_command(*args)
    [RbConfig.ruby, "-w", "-I", File.join(KIT, "lib"), *args]
  end
end

Minitest::Test.make_my_diffs_pretty!
