# frozen_string_literal: true

require "json"

module K2Mock
  # Value objects built from the admin API's JSON: frozen Structs with keyword constructors.
  # Keys a newer k2mock adds are ignored.
  module Model
    def self.included(base)
      base.extend(ClassMethods)
    end

    module ClassMethods
      # An instance from a JSON object (string keys), ignoring keys this kit does not know.
      def from_json(entry, renames = {})
        known = {}
        entry.each do |key, value|
          name = (renames[key] || key).to_sym
          known[name] = value if members.include?(name)
        end
        new(**known).freeze
      end
    end
  end

  # An HTTP answer: `status`, `headers` (names lowercased) and the body's bytes.
  Response = Struct.new(:status, :headers, :body, keyword_init: true) do
    def json
      JSON.parse(body)
    end

    def location
      headers["location"]
    end

    def header(name)
      headers[name.to_s.downcase]
    end
  end

  # One attempt at a delivery: `at` when it was sent, `due` when it was due (sandbox time);
  # `status` or `error`; `outcome` "delivered", "failed", "interrupted", ...
  Attempt = Struct.new(:attempt, :at, :due, :redelivery, :status, :error, :latency_ms, :outcome,
                       keyword_init: true) do
    include Model

    def redelivery?
      redelivery == true
    end
  end

  # A callback (`kind` "callback", about `resource`/`resource_id`) or webhook event (`kind`
  # "webhook", `topic`/`event_id`) from /__admin/callbacks, with every attempt. `body` is the
  # exact bytes sent, `signature` their X-KopoKopo-Signature.
  Delivery = Struct.new(:id, :kind, :url, :outcome, :created_at, :signature, :body, :attempts,
                        :resource, :resource_id, :topic, :event_id, keyword_init: true) do
    include Model

    def self.from_json(entry)
      super(entry.merge("attempts" => (entry["attempts"] || []).map { |a| Attempt.from_json(a) }.freeze))
    end

    def json
      JSON.parse(body)
    end

    def callback?
      kind == "callback"
    end

    def webhook?
      kind == "webhook"
    end

    def delivered?
      outcome == "delivered"
    end

    def pending?
      outcome == "pending"
    end

    def failed?
      outcome == "failed"
    end
  end

  # A K2 API request from the journal (`at` in sandbox time). `http_method` is its "method"; `id`
  # numbers it in its sandbox from 1, what `explain(request: id)` takes.
  RecordedRequest = Struct.new(:id, :at, :http_method, :path, :status, keyword_init: true) do
    include Model

    def self.from_json(entry)
      super(entry, "method" => "http_method")
    end
  end

  # A stored resource: `stage` and `created_at` are nil for fixtures; `timeline` lists its steps
  # as {"stage", "at", "reached"}; `body` is what `GET path` answers (parsed).
  Resource = Struct.new(:kind, :id, :stage, :created_at, :timeline, :path, :body, keyword_init: true) do
    include Model

    def fixture?
      created_at.nil?
    end

    def created?
      !fixture?
    end
  end

  # One `expect` entry of the scenario, checked now.
  ExpectationResult = Struct.new(:description, :expected, :actual, :passed, keyword_init: true) do
    include Model

    def passed?
      passed == true
    end
  end

  # The scenario's expectations: `passed?` when every one holds.
  Verification = Struct.new(:passed, :results, keyword_init: true) do
    def self.from_json(entry)
      new(passed: entry["passed"] == true,
          results: entry.fetch("results", []).map { |r| ExpectationResult.from_json(r) }.freeze).freeze
    end

    def passed?
      passed
    end

    def failures
      results.reject(&:passed?)
    end

    def to_s
      results.map { |r| "#{r.passed? ? 'passed' : 'failed'}: #{r.description}" }.join("\n")
    end
  end
end
