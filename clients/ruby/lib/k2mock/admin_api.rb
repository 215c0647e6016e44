# frozen_string_literal: true

require "json"
require "net/http"
require "openssl"
require "uri"

module K2Mock
  # The admin API of one sandbox: the server's own (Server, under /__admin) or one made beside it
  # (Sandbox, under /__admin/sandboxes/ID). Includers define `origin`, `admin_token` and
  # `admin_root`.
  module AdminAPI
    ERRORS = { 400 => BadRequestError, 401 => AdminTokenError, 404 => NotFoundError,
               409 => ConflictError, 429 => TooManySandboxesError }.freeze
    NETWORK_ERRORS = [SystemCallError, SocketError, IOError, Net::OpenTimeout, Net::ReadTimeout,
                      OpenSSL::SSL::SSLError].freeze

    # The base URL in the form the official Ruby SDK (k2-connect-ruby 4.0.0) needs: it joins
    # paths onto it without a slash, so it ends in "/". The Python SDK takes the same form.
    def base_url
      "#{origin}/"
    end

    # The base URL as each official SDK takes it: Ruby and Python with a trailing "/", Node and
    # PHP without.
    def base_urls
      { ruby: "#{origin}/", python: "#{origin}/", node: origin, php: origin }
    end

    def port
      URI(origin).port
    end

    # ---------------------------------------------------------------- HTTP

    # Sends a request to k2mock and answers a Response with whatever status came back. `body`: a
    # String goes as it is, anything else as JSON. `token` is sent as `Authorization: Bearer`.
    # Raises ConnectionError when nothing answers.
    def request(method, path, body = nil, token: nil, headers: {}, timeout: 60)
      uri = URI(origin + path)
      request = Net::HTTPGenericRequest.new(method.to_s.upcase, !body.nil?, true, uri.request_uri)
      request["Content-Type"] = "application/json"
      request["Accept"] = "application/json"
      request["Authorization"] = "Bearer #{token}" if token
      headers.each { |name, value| request[name.to_s] = value }
      request.body = body.is_a?(String) ? body : JSON.generate(body) unless body.nil?
      http = Net::HTTP.new(uri.host, uri.port, nil) # never through a proxy
      http.use_ssl = uri.scheme == "https"
      http.open_timeout = 5
      http.read_timeout = timeout
      answer = http.start { |connection| connection.request(request) }
      headers = answer.each_header.to_h.transform_keys(&:downcase)
      Response.new(status: answer.code.to_i, headers: headers.freeze, body: (answer.body || +"").b).freeze
    rescue *NETWORK_ERRORS => e
      raise ConnectionError.new("k2mock at #{origin} does not answer (#{method.to_s.upcase} #{path}): " \
                                "#{e.message} (#{e.class})", url: origin)
    end

    # An admin call: `path` under this sandbox's admin root. Answers the parsed JSON when the status
    # is `expect`, else raises the APIError for it (AdminTokenError on 401, ...).
    def admin_request(method, path, body = nil, expect: 200)
      full = admin_root + path
      answer = request(method, full, body, headers: admin_headers)
      return JSON.parse(answer.body) if answer.status == expect

      raise api_error(method.to_s.upcase, full, answer)
    end

    # ---------------------------------------------------------------- the admin API

    # {"status", "scenario", "clock", "deliveries" => {"pending", "delivered", "failed"}}
    def health
      admin_request("GET", "/health")
    end

    # {"now", "mode", "scale"}: sandbox time now.
    def clock
      admin_request("GET", "/clock")
    end

    # Moves sandbox time forward `seconds` and runs everything that falls due, callbacks included;
    # answers once they ran: {"now", "mode", "scale", "ran" => [...]}.
    def advance(seconds)
      admin_request("POST", "/clock/advance", { seconds: seconds })
    end

    # Back to the scenario's start: clock, fixtures, pre-issued tokens; created resources, issued
    # tokens and the journals are gone.
    def reset
      admin_request("POST", "/reset")
    end

    # Every callback and webhook delivery, oldest first (Delivery, with its Attempts).
    # `limit`: the last N; `resource_id`: that resource's callbacks only.
    def callbacks(limit: nil, resource_id: nil)
      query = URI.encode_www_form({ limit: limit, resource_id: resource_id }.compact)
      admin_request("GET", "/callbacks#{query.empty? ? '' : "?#{query}"}").map { |e| Delivery.from_json(e) }
    end

    # Sends delivery `id` once more, now; answers its journal entry.
    def redeliver(id)
      Delivery.from_json(admin_request("POST", "/callbacks/#{Integer(id)}/redeliver"))
    end

    # The K2 API requests answered (not /__admin), oldest first (RecordedRequest).
    def requests(limit: nil)
      query = limit.nil? ? "" : "?limit=#{Integer(limit)}"
      admin_request("GET", "/requests#{query}").map { |e| RecordedRequest.from_json(e) }
    end

    # Why k2mock did what it did, as a Hash (GET .../explain). Give exactly one of:
    # - `request:` a RecordedRequest's `id`: {"request" => {"id", "at", "method", "path", "status"},
    #   "summary", "k2_message" (nil when it answered no error), "details" => [...],
    #   "ignored_keys" => [...]}. For a refusal the summary names the field K2 wanted and what the
    #   body had instead ("`customer` where K2 reads `subscriber`").
    # - `resource:` a resource's id: {"resource" => {"kind", "id", "path", "stage", "created_at"},
    #   "summary", "timeline" => {"chosen_by", "steps", "now"}, "callback" => {"state", "why", "url",
    #   "attempts", ...}}; "state" is "none", "none asked", "not due yet", "due", "retrying",
    #   "delivered" or "given up"; "timeline" and "callback" are nil for a fixture.
    # Raises ArgumentError for neither or both, NotFoundError (k2mock's message) for an id it does
    # not know or no longer keeps.
    def explain(**which)
      unless which.size == 1 && %i[request resource].include?(which.keys.first)
        raise ArgumentError, "explain takes exactly one of request: (a request's id) or resource: (a resource's id), " \
                             "not #{which.empty? ? 'none' : which.keys.map { |key| "#{key}:" }.join(' ')}"
      end

      key, id = which.first
      if key == :request
        raise ArgumentError, "explain(request:): a request's id, a whole number, not #{id.inspect}" unless id.is_a?(Integer)
      elsif !id.is_a?(String) || id.empty?
        raise ArgumentError, "explain(resource:): a resource's id, a non-empty String, not #{id.inspect}"
      end
      admin_request("GET", "/explain?#{URI.encode_www_form(key => id)}")
    end

    # Every resource: fixtures first, then created ones, oldest first (Resource).
    def resources
      admin_request("GET", "/resources").map { |e| Resource.from_json(e) }
    end

    # Fires webhook event `topic` now, to every subscription for it. `resource` sets fields of the
    # topic's default resource; `delay` ("30s"), `duplicates` and `bad_signature` make its
    # delivery misbehave on purpose. On a manual clock the deliveries are made before it answers.
    def fire_event(topic, resource = nil, delay: nil, duplicates: nil, bad_signature: false)
      body = { topic: topic.to_s }
      body[:resource] = resource unless resource.nil?
      body[:delay] = delay.is_a?(Numeric) ? "#{delay}s" : delay unless delay.nil?
      body[:duplicates] = duplicates unless duplicates.nil?
      body[:bad_signature] = true if bad_signature
      admin_request("POST", "/events", body)
    end

    # The scenario's `expect` entries checked now (Verification).
    def expectations
      Verification.from_json(admin_request("GET", "/expectations"))
    end

    # Raises ExpectationError naming every `expect` entry that does not hold; else the Verification.
    def verify!
      verification = expectations
      raise ExpectationError, verification unless verification.passed?

      verification
    end

    # Every kind with its stages: [{"kind", "stages", "final"}].
    def kinds
      admin_request("GET", "/kinds")
    end

    # The sandbox's whole conversation as k2mock writes it (GET .../transcript): a YAML text, a
    # header document and one document per K2 API request and answer, callback or webhook
    # delivery attempt, and clock advance; ports written as placeholders. `snapshot: true` asks
    # for one to keep: k2mock refuses it (ConflictError, 409, its message saying why) when the
    # sandbox runs a real clock.
    def transcript(snapshot: false)
      path = "#{admin_root}/transcript#{snapshot ? '?snapshot=true' : ''}"
      answer = request("GET", path, headers: admin_headers.merge("Accept" => "text/plain"))
      raise api_error("GET", path, answer) unless answer.status == 200

      answer.body.dup.force_encoding(Encoding::UTF_8)
    end

    # How two transcript texts differ, as k2mock says (POST /__admin/transcript/diff):
    # {"equal" => true|false, "differences" => ["entry 2, POST /api/v2/incoming_payments: ...", ...]}.
    # Raises BadRequestError (its error_message "expected:LINE: ...") when one is not a transcript.
    def diff_transcripts(expected, actual)
      path = "/__admin/transcript/diff"
      answer = request("POST", path, { expected: expected.to_s, actual: actual.to_s }, headers: admin_headers)
      raise api_error("POST", path, answer) unless answer.status == 200

      JSON.parse(answer.body)
    end

    # Compares the transcript (snapshot: true) with the snapshot file at `path` (relative: to the
    # current directory); answers a Snapshot::Comparison and never fails on a difference. The
    # file missing, or K2MOCK_UPDATE_SNAPSHOTS=1: writes it (and its folders) and passes.
    def compare_transcript(path)
      Snapshot.compare(self, path)
    end

    # As compare_transcript, but raises TranscriptMismatchError when the transcript differs from
    # the file (or the file is not a transcript): its message names the file, lists every
    # difference and says how to accept the new one. Raises ConflictError on a real clock.
    # Answers the Comparison when it passed (outcome :written, :updated or :matched).
    def assert_transcript(path)
      comparison = compare_transcript(path)
      raise TranscriptMismatchError, comparison unless comparison.passed?

      comparison
    end

    # An access token the way an app gets one (POST /oauth/token, form-encoded). Raises APIError
    # (status 401) when the credentials are refused.
    def access_token(client_id:, client_secret:)
      form = URI.encode_www_form(grant_type: "client_credentials", client_id: client_id, client_secret: client_secret)
      answer = request("POST", "/oauth/token", form, headers: { "Content-Type" => "application/x-www-form-urlencoded" })
      return JSON.parse(answer.body).fetch("access_token") if answer.status == 200

      raise api_error("POST", "/oauth/token", answer, admin: false)
    end

    private

    def admin_headers
      admin_token ? { "Authorization" => "Bearer #{admin_token}" } : {}
    end

    def api_error(method, path, answer, admin: true)
      text = answer.body.dup.force_encoding(Encoding::UTF_8).scrub
      message = begin
        parsed = JSON.parse(text)
        parsed.is_a?(Hash) && parsed["error_message"] ? parsed["error_message"] : text
      rescue JSON::ParserError
        text
      end
      klass = admin ? ERRORS.fetch(answer.status, APIError) : APIError
      description =
        if admin && answer.status == 401
          "the admin API at #{origin} refused the admin token (#{admin_token ? 'wrong token' : 'none was given'}): #{message}"
        else
          "#{method} #{path} answered #{answer.status}: #{message}"
        end
      klass.new(description, http_method: method, path: path, status: answer.status, error_message: message)
    end
  end
end
