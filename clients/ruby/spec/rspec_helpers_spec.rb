# frozen_string_literal: true

# require "k2mock/rspec", used as a user would.
RSpec.describe "the k2mock shared context" do
  include_context "k2mock", scenario: KitSpec::HAPPY, api_key: "demo-api-key"

  2.times do |run|
    it "serves the scenario, reset before each example (run #{run + 1})" do
      expect(k2mock.resources.count(&:created?)).to eq(0)
      answer = k2mock.request("POST", "/api/v2/incoming_payments", stk_push(k2mock_receiver.url), token: "demo-token")
      expect(answer.status).to eq(201)
      k2mock.advance(10)
      expect(k2mock_receiver.received.size).to eq(1)
      expect(k2mock_receiver.received.first).to be_verified
      expect(k2mock.callbacks.map(&:outcome)).to eq(["delivered"])
      expect(k2mock).to meet_k2mock_expectations
      expect(k2mock.base_url).to eq("#{k2mock.origin}/")
    end
  end

  it "has no sandbox unless asked for" do
    expect { k2mock_sandbox }.to raise_error(K2Mock::Error, /include_context "k2mock sandbox"/)
  end
end

RSpec.describe "metadata instead of include_context", k2mock: { clock: :manual } do
  it "starts k2mock with the metadata's options" do
    expect(k2mock.clock["mode"]).to eq("manual")
    expect(k2mock.scenario).to be_nil
    expect(k2mock_receiver.api_key).to eq("sandbox_api_key")
  end

  describe "a nested group" do
    it "shares its parent's context" do
      expect(k2mock.clock["mode"]).to eq("manual")
    end
  end
end

RSpec.describe "a sandbox per example", k2mock_sandbox: { scenario: KitSpec::HAPPY } do
  it "is the example's own and verifies with its api key" do
    # Its full description, cut to fit k2mock's 64 characters (its end kept, a digest added).
    expect(k2mock_sandbox.name).to match(/\Ae_is_the_example_s_own_and_verifies_with_its_api_key-\h{8}\z/)
    expect(k2mock_sandbox.scenario).to eq(KitSpec::HAPPY)
    expect(k2mock_receiver.api_key).to eq(k2mock_sandbox.api_key)
    answer = k2mock_server.request("POST", "/api/v2/incoming_payments", stk_push(k2mock_receiver.url), token: k2mock_sandbox.token)
    expect(answer.status).to eq(201)
    k2mock_sandbox.advance(10)
    expect(k2mock_receiver.received.map(&:verified?)).to eq([true])
    expect(k2mock_sandbox).to meet_k2mock_expectations
    expect(k2mock_server.sandboxes.map(&:id)).to eq([k2mock_sandbox.id])
  end

  it "never sees another example's sandbox" do
    mine = k2mock_sandbox
    expect(mine.name).to eq("a_sandbox_per_example_never_sees_another_example_s_sandbox")
    expect(k2mock_server.sandboxes.map(&:id)).to eq([mine.id])
    expect(k2mock_sandbox.resources.count(&:created?)).to eq(0)
  end

  it "has no server of its own unless asked for" do
    expect { k2mock }.to raise_error(K2Mock::Error, /include_context "k2mock"/)
  end
end

RSpec.describe "the meet_k2mock_expectations matcher", k2mock: { scenario: KitSpec::CI } do
  it "fails naming each expectation" do
    expect { expect(k2mock).to meet_k2mock_expectations }.to raise_error(
      RSpec::Expectations::ExpectationNotMetError,
      "expected every expectation of #{k2mock.inspect}'s scenario to hold:\n" \
      "failed: requests POST /api/v1/payments: expected 4, got 0 (#{KitSpec::CI}:24)\n" \
      "failed: callbacks outcome=delivered kind=callback: expected 3, got 0 (#{KitSpec::CI}:25)\n" \
      "passed: callbacks outcome=failed: expected 0, got 0 (#{KitSpec::CI}:26)"
    )
    expect(k2mock).not_to meet_k2mock_expectations
  end
end

RSpec.describe "the match_k2mock_transcript matcher", k2mock_sandbox: { scenario: KitSpec::HAPPY, clock: :manual, seed: 4 } do
  around do |example|
    Dir.mktmpdir("k2mock-snapshots") do |dir|
      @dir = dir
      saved = ENV.delete("K2MOCK_UPDATE_SNAPSHOTS")
      example.run
    ensure
      saved.nil? ? ENV.delete("K2MOCK_UPDATE_SNAPSHOTS") : ENV["K2MOCK_UPDATE_SNAPSHOTS"] = saved
    end
  end

  def pay(value)
    body = stk_push(k2mock_receiver.url).merge(amount: { currency: "KES", value: value })
    expect(k2mock_server.request("POST", "/api/v2/incoming_payments", body, token: k2mock_sandbox.token).status).to eq(201)
    k2mock_sandbox.advance(10)
  end

  it "writes a missing snapshot, then passes against it and fails naming the differences" do
    pay("1500")
    path = File.join(@dir, "spec", "snapshots", "paid.yaml")
    expect(k2mock_sandbox).to match_k2mock_transcript(path)
    expect(File.read(path)).to eq(k2mock_sandbox.transcript)
    expect(File.read(path)).to include(%(sandbox: "#{k2mock_sandbox.name}"))
    expect(k2mock_sandbox).to match_k2mock_transcript(path)

    k2mock_sandbox.reset
    pay("2500")
    expect { expect(k2mock_sandbox).to match_k2mock_transcript(path) }.to raise_error(
      RSpec::Expectations::ExpectationNotMetError,
      /\Ak2mock transcript differs from the snapshot #{Regexp.escape(path)} \(\d+ differences\):\n(  .+\n)+/
    ) { |error| expect(error.message).to include(%(request_body.amount.value: "1500" → "2500"), "K2MOCK_UPDATE_SNAPSHOTS=1") }
    expect(File.read(path)).to include('"1500"')

    ENV["K2MOCK_UPDATE_SNAPSHOTS"] = "1"
    expect(k2mock_sandbox).to match_k2mock_transcript(path)
    expect(File.read(path)).to include('"2500"')
  end

  it "resolves a relative path against the current directory" do
    pay("1500")
    Dir.chdir(@dir) { expect(k2mock_sandbox).to match_k2mock_transcript("snapshots/relative.yaml") }
    expect(File).to exist(File.join(@dir, "snapshots", "relative.yaml"))
  end

  it "fails with k2mock's message for an unreadable snapshot" do
    path = File.join(@dir, "hand-edited.yaml")
    File.write(path, "entries: [\n")
    expect { expect(k2mock_sandbox).to match_k2mock_transcript(path) }.to raise_error(
      RSpec::Expectations::ExpectationNotMetError,
      /\Ak2mock cannot read the snapshot #{Regexp.escape(path)} as a transcript: expected:\d+: not YAML: .+\n.*K2MOCK_UPDATE_SNAPSHOTS=1/
    )
  end

  it "raises the kit's error on a real clock, and has no negated form" do
    k2mock_server.sandbox(clock: :real) do |real|
      expect { expect(real).to match_k2mock_transcript(File.join(@dir, "real.yaml")) }
        .to raise_error(K2Mock::ConflictError, /This sandbox runs a real clock/)
    end
    expect { expect(k2mock_sandbox).not_to match_k2mock_transcript(File.join(@dir, "x.yaml")) }
      .to raise_error(K2Mock::Error, /no negated form/)
    expect(Dir.children(@dir)).to be_empty
  end
end
