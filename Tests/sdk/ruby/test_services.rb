# frozen_string_literal: true

# K2Services / K2Utilities entry points on input a receiver can get wrong: a missing
# signature header, an empty body, no key. Each is refused with the SDK's ArgumentError.
class TestServices < K2Suite::TestCase
  def stk_delivery
    stk = K2Entity::K2Stk.new(access_token)
    stk.send_stk_request(payment_channel: "M-PESA STK Push", till_number: "K000000", phone_number: "+254712345678",
                         amount: "100", currency: "KES", callback_url: callback_url)
    server.advance(5)
    delivery_to(callback_url)
  end

  def test_a_delivery_without_its_signature_header_is_refused
    delivery = stk_delivery
    unsigned = delivery.dup
    unsigned.headers = delivery.headers.reject { |k, _| k.casecmp?("X-KopoKopo-Signature") }
    parser = K2ConnectRuby::K2Services::K2Client.new(API_KEY)
    parser.parse_request(unsigned.rack_request)
    assert_nil parser.k2_signature
    error = assert_raises(ArgumentError) { ProcessResult.process(parser.hash_body, API_KEY, parser.k2_signature) }
    assert_match(/Nil Authentication Argument/, error.message)
    assert_raises(ArgumentError) { ProcessWebhook.process(parser.hash_body, API_KEY, parser.k2_signature) }
  end

  def test_blank_input_is_refused
    assert_raises(ArgumentError) { K2ConnectRuby::K2Services::K2Client.new("") }
    assert_raises(ArgumentError) { K2ConnectRuby::K2Services::K2Client.new(API_KEY).parse_request(nil) }
    assert_raises(ArgumentError) { ProcessResult.process({}, API_KEY, "00") }
    assert_raises(ArgumentError) { ProcessWebhook.process(nil, API_KEY, "00") }
    delivery = stk_delivery
    body = JSON.parse(delivery.body)
    assert_raises(ArgumentError) { Authenticator.authenticate(body, "", delivery.signature) }
    assert_equal true, Authenticator.authenticate(body, API_KEY, delivery.signature)
  end
end
