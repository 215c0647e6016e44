# frozen_string_literal: true

require "openssl"

module K2Suite
  # Every test starts from the scenario's start (POST /__admin/reset), with an empty receiver
  # and the SDK pointed at the manual-clock k2mock.
  class TestCase < Minitest::Test
    include K2Suite

    K2Entity = K2ConnectRuby::K2Entity
    K2Errors = K2ConnectRuby::K2Errors
    Payloads = K2ConnectRuby::K2Services::Payloads
    ProcessResult = K2ConnectRuby::K2Utilities::K2ProcessResult
    ProcessWebhook = K2ConnectRuby::K2Utilities::K2ProcessWebhook
    Authenticator = K2ConnectRuby::K2Utilities::K2Authenticator
    UUID = /\A\h{8}-\h{4}-\h{4}-\h{4}-\h{12}\z/.freeze
    TIME = /\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+03:00\z/.freeze

    def setup
      Warnings.current = "#{self.class.name}##{name}"
      K2Suite.server.reset
      K2Suite.receiver.clear
      K2Suite.use_base_url(K2Suite.server.base_url)
    end

    def teardown
      keyed = Warnings.for_test("#{self.class.name}##{name}").select { |m| Warnings.key_warning?(m) }
      flunk("warnings that mention a key the SDK reads:\n#{keyed.join}") unless keyed.empty?
    ensure
      Warnings.current = "(between tests)"
    end

    def server
      K2Suite.server
    end

    def receiver
      K2Suite.receiver
    end

    def origin
      server.origin
    end

    # A callback URL of this test's own on the receiver.
    def callback_url(tag = "result")
      receiver.url("/cb/#{name.sub(/\Atest_\d*_?/, '')}/#{tag}")
    end

    def path_of(url)
      URI(url).path
    end

    # A token the README's way.
    def access_token
      @access_token ||= K2Entity::K2Token.new(CLIENT_ID, CLIENT_SECRET).request_token
    end

    def assert_location(url, collection)
      assert_match(%r{\A#{Regexp.escape(origin)}/api/v2/#{collection}/\h{8}-\h{4}-\h{4}-\h{4}-\h{12}\z}, url)
    end

    def attributes(body)
      body.fetch(:data).fetch(:attributes)
    end

    # ------------------------------------------------------------ callbacks

    # The deliveries to `url`, after checking each against the journal and the signature.
    def deliveries_to(url, count: 1)
      got = receiver.wait_for(count, path: path_of(url), timeout: 10)
      assert_equal count, got.size, "deliveries to #{url}"
      journal = server.journal
      got.each { |delivery| check_delivery(delivery, journal) }
      got
    end

    def delivery_to(url)
      deliveries_to(url).first
    end

    # Facts about the bytes on the wire, checked apart from the SDK so that a failure says whose
    # it is: the body is what the journal says was sent, signed with the api key over exactly
    # those bytes, and compact JSON that survives the SDK's parse and ActiveSupport re-encoding.
    def check_delivery(delivery, journal)
      assert_equal "POST", delivery.method
      assert_match %r{\Aapplication/json}, delivery.header("Content-Type").to_s
      entry = journal.find { |e| e["body"].b == delivery.body && e["signature"] == delivery.signature }
      refute_nil entry, "the delivery to #{delivery.path} is not in /__admin/callbacks as sent"
      assert_equal OpenSSL::HMAC.hexdigest("SHA256", API_KEY, delivery.body), delivery.signature,
                   "X-KopoKopo-Signature is not HMAC-SHA256(api key, body)"
      assert_equal delivery.body.dup.force_encoding("UTF-8"), JSON.parse(delivery.body).to_json,
                   "the body does not survive JSON.parse + ActiveSupport to_json byte for byte, which the Ruby verifier needs"
    end

    # The README's way: K2Client parses the (Rack) request, K2ProcessResult verifies and decomposes.
    def process_result(delivery, key: API_KEY, request: delivery.rack_request)
      parser = K2ConnectRuby::K2Services::K2Client.new(key)
      parser.parse_request(request)
      assert_equal delivery.signature, parser.k2_signature
      ProcessResult.process(parser.hash_body, key, parser.k2_signature)
    end

    def process_webhook(delivery, key: API_KEY, request: delivery.rack_request)
      parser = K2ConnectRuby::K2Services::K2Client.new(key)
      parser.parse_request(request)
      ProcessWebhook.process(parser.hash_body, key, parser.k2_signature)
    end

    # The SDK's verifier must refuse: the body with one byte changed, a wrong signature, and the
    # right signature checked with another key (the client secret).
    def assert_verifier_refuses(delivery, processor)
      tampered = K2Suite.one_byte_changed(delivery.body)
      forged = delivery.dup
      forged.headers = delivery.headers.map { |k, v| k.casecmp?("X-KopoKopo-Signature") ? [k, K2Suite.wrong_signature(v)] : [k, v] }
      cases = {
        "a body with one byte changed" => -> { send(processor, delivery, request: delivery.rack_request(tampered)) },
        "a wrong signature" => -> { send(processor, forged) },
        "the client secret as key" => -> { send(processor, delivery, key: CLIENT_SECRET) },
      }
      cases.each do |what, call|
        error = assert_raises(ArgumentError, "the SDK accepted #{what}") { call.call }
        assert_match(/Invalid Details Given/, error.message, what)
      end
    end

    def assert_valid_payload(payload)
      assert payload.valid?, "#{payload.class.name} is not valid: #{payload.errors.full_messages.inspect}"
    end
  end
end
