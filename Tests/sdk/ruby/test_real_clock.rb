# frozen_string_literal: true

# The built-in default scenario on a real clock, as `k2mock serve` runs it with no scenario:
# an SDK user's create-then-poll loop sees the request finish on its own (5 s) and its
# callback arrive, signed with the default client's api key.
class TestRealClock < K2Suite::TestCase
  DEFAULT_ID = "sandbox_client_id"
  DEFAULT_SECRET = "sandbox_client_secret"
  DEFAULT_KEY = "sandbox_api_key"

  def setup
    Warnings.current = "#{self.class.name}##{name}"
    K2Suite.receiver.clear
    @real = K2Suite::Server.new(clock: :real)
    K2Suite.use_base_url(@real.base_url)
  end

  def teardown
    K2Suite.use_base_url(K2Suite.server.base_url) if K2Suite.server_started?
    assert_equal 0, @real.stop, "k2mock (real clock) did not exit 0 on SIGTERM"
    super
  end

  def poll(timeout: 15)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    loop do
      result = yield
      return result if result

      flunk("not finished within #{timeout} s") if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.1
    end
  end

  def test_default_timelines_finish_on_their_own
    assert_equal "real", @real.admin("GET", "/clock")["mode"]
    token = K2Entity::K2Token.new(DEFAULT_ID, DEFAULT_SECRET).request_token
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    stk = K2Entity::K2Stk.new(token)
    location = stk.send_stk_request(payment_channel: "M-PESA STK Push", till_number: "K000000", first_name: "Joe",
                                    last_name: "Buyer", phone_number: "+254712345678", email: "joe@example.test",
                                    currency: "KES", amount: "100", callback_url: callback_url)
    assert location.start_with?("#{@real.origin}/api/v2/incoming_payments/"), location
    assert_equal "Pending", attributes(stk.query_status)[:status]

    final = poll { (body = stk.query_status) && attributes(body)[:status] != "Pending" && body }
    elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    assert_equal "Success", attributes(final)[:status]
    assert_operator elapsed, :>=, 4.5, "finished too early for a 5 s timeline"

    delivery = receiver.wait_for(1, path: path_of(callback_url), timeout: 10).first
    assert_equal final, JSON.parse(delivery.body, symbolize_names: true)
    assert_equal OpenSSL::HMAC.hexdigest("SHA256", DEFAULT_KEY, delivery.body), delivery.signature
    parser = K2ConnectRuby::K2Services::K2Client.new(DEFAULT_KEY)
    parser.parse_request(delivery.rack_request)
    result = ProcessResult.process(parser.hash_body, DEFAULT_KEY, parser.k2_signature)
    assert_instance_of Payloads::Transactions::IncomingPayment, result
    assert_equal "Success", result.status
    assert_equal "100.0", result.amount
    assert_equal location, result.links_self
    tampered = K2Suite.one_byte_changed(delivery.body)
    assert_raises(ArgumentError) { ProcessResult.process(JSON.parse(tampered), DEFAULT_KEY, parser.k2_signature) }
  end
end
