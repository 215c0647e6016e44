# frozen_string_literal: true

# The lifecycle of `require "k2mock/rspec"`'s servers and sandboxes, checked in rspec runs of
# their own (subprocesses) that record what each example saw.
module KitSpec
  LIFECYCLE_SPECS = <<~'RUBY'
    require "k2mock/rspec"
    require "json"

    HAPPY = ENV.fetch("HAPPY")
    def record(entry)
      File.open(ENV.fetch("RECORD"), "a") { |f| f.puts(JSON.generate(entry.merge(example: RSpec.current_example.full_description))) }
    end
    STK = { till_number: "K000000", subscriber: { phone_number: "+254799999999" }, amount: { currency: "KES", value: 1 },
            _links: { callback_url: "http://127.0.0.1:9/x" } }.freeze

    RSpec.describe "shared" do
      include_context "k2mock", scenario: HAPPY
      it("one") do
        record(port: k2mock.port, pid: k2mock.pid, created: k2mock.resources.count(&:created?))
        k2mock.request("POST", "/api/v2/incoming_payments", STK, token: "demo-token")
      end
      it("two") { record(port: k2mock.port, pid: k2mock.pid, created: k2mock.resources.count(&:created?)) }
    end

    RSpec.describe "same options", k2mock: { scenario: HAPPY } do
      it("three") { record(port: k2mock.port, pid: k2mock.pid) }
    end

    RSpec.describe "each" do
      include_context "k2mock", scope: :each, clock: :manual
      it("a") { record(port: k2mock.port, pid: k2mock.pid) }
      it("b") { record(port: k2mock.port, pid: k2mock.pid) }
    end

    RSpec.describe "sandboxed", k2mock_sandbox: { scenario: HAPPY, seed: 5 } do
      it "pays" do
        receiver = k2mock_receiver
        k2mock_server.request("POST", "/api/v2/incoming_payments", STK.merge(_links: { callback_url: receiver.url }),
                              token: k2mock_sandbox.token)
        k2mock_sandbox.advance(10)
        record(sandbox: k2mock_sandbox.name, seed: k2mock_sandbox.seed, origin: k2mock_server.origin, pid: k2mock_server.pid,
               verified: receiver.received.map(&:verified?), others: k2mock_server.sandboxes.map(&:id) - [k2mock_sandbox.id])
      end
    end

    RSpec.describe "nothing" do
      it("needs no k2mock") { record({}) }
    end
  RUBY
end

RSpec.describe "k2mock/rspec's lifecycle" do
  def run_specs(env = {}, *args, specs: KitSpec::LIFECYCLE_SPECS)
    Dir.mktmpdir do |dir|
      file = File.join(dir, "suite_spec.rb")
      File.write(file, specs)
      record = File.join(dir, "record.jsonl")
      File.write(record, "")
      output, status = Open3.capture2e({ "RECORD" => record, "HAPPY" => KitSpec::HAPPY }.merge(env),
                                       *rspec_command("--order", "defined", "--no-color", file, *args))
      entries = File.readlines(record).map { |line| JSON.parse(line) }
      [output, status, entries.to_h { |entry| [entry.delete("example"), entry] }]
    end
  end

  it "shares a server per set of options, resets it before each example, stops every one after the suite" do
    output, status, seen = run_specs({ "TEST_ENV_NUMBER" => "2" }) # as parallel_tests' second process: names unchanged
    expect(status).to be_success, output
    expect(output).to include("7 examples, 0 failures")
    expect(seen["shared one"]["created"]).to eq(0)
    expect(seen["shared two"]["created"]).to eq(0)
    expect([seen["shared two"]["port"], seen["same options three"]["port"]]).to eq([seen["shared one"]["port"]] * 2)
    expect(seen["each a"]["port"]).not_to eq(seen["each b"]["port"])
    pays = seen["sandboxed pays"]
    expect(pays).to include("sandbox" => "sandboxed_pays", "seed" => 5, "verified" => [true], "others" => [])
    expect(seen["nothing needs no k2mock"]).to eq({})
    pids = [seen["shared one"]["pid"], seen["each a"]["pid"], seen["each b"]["pid"], pays["pid"]]
    expect(pids.uniq.size).to eq(4)
    pids.each { |pid| expect(process_gone?(pid)).to be(true), "k2mock #{pid} is still running" }
  end

  it "makes sandboxes on K2MOCK_URL with K2MOCK_ADMIN_TOKEN and leaves that server running" do
    K2Mock.start(admin_token: "s3cret", clock: :manual) do |server|
      leftover = server.sandbox(name: "sandboxed_pays")
      output, status, seen = run_specs({ "K2MOCK_URL" => server.origin, "K2MOCK_ADMIN_TOKEN" => "s3cret" }, "-e", "pays")
      expect(status).to be_success, output
      expect(seen["sandboxed pays"]).to include("sandbox" => "sandboxed_pays-2", "origin" => server.origin, "pid" => nil)
      expect(server.sandboxes.map(&:id)).to eq([leftover.id])
      expect(server).to be_running
    end
  end

  it "fails the examples that need k2mock when there is no binary, naming where it looked" do
    output, status, seen = run_specs({ "K2MOCK_BIN" => "/nonexistent/k2mock" })
    expect(status).not_to be_success
    expect(output).to include("7 examples, 6 failures")
    expect(output).to include("K2Mock::BinaryNotFoundError:", "k2mock not found at /nonexistent/k2mock (from K2MOCK_BIN)")
    expect(seen.keys).to eq(["nothing needs no k2mock"])
  end

  it "refuses an unknown option when the group is defined" do
    specs = %(require "k2mock/rspec"\nRSpec.describe("typo") { include_context "k2mock", scenaro: "x.yaml"; it("x") {} }\n)
    output, status, = run_specs({}, specs: specs)
    expect(status).not_to be_success
    expect(output).to include("k2mock (typo): unknown option scenaro")
  end
end
