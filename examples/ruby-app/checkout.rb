# frozen_string_literal: true

require "json"
require "openssl"

# A small shop's checkout against K2 Connect: it asks a customer for an M-PESA payment (an STK
# push) through the official Ruby SDK (k2-connect-ruby 4.0.0), and its callback endpoint takes
# the result K2 posts back, refusing it unless its X-KopoKopo-Signature is right. The handler is
# standard library only (OpenSSL's HMAC) and Rack-shaped (`call(env)`), without needing Rack.
# It knows K2 by its base URL only, so tests point it at k2mock.
#
# The app loads the SDK itself (`require "k2-connect-ruby"`). Beware: the SDK's base URL is
# process-wide, and its setter rewrites the gem's own k2_config.yml.
class Checkout
  class BadSignature < StandardError; end

  attr_reader :till_number

  def initialize(base_url:, client_id:, client_secret:, api_key:, till_number: "K000000")
    config = K2ConnectRuby::K2Utilities::Config::K2Config
    config.base_url = base_url unless config.base_url == base_url
    @client_id = client_id
    @client_secret = client_secret
    @api_key = api_key
    @till_number = till_number
  end

  # Starts an STK push; answers the URL its status is read from.
  def ask_for_payment(phone_number:, amount:, callback_url:, order: nil)
    stk = K2ConnectRuby::K2Entity::K2Stk.new(token)
    stk.send_stk_request(payment_channel: "M-PESA STK Push", till_number: till_number, phone_number: phone_number,
                         first_name: "Customer", last_name: "Of the shop", email: "customer@example.test",
                         currency: "KES", amount: amount.to_s, callback_url: callback_url,
                         metadata: { "order" => order.to_s })
  end

  # "Pending", "Success" or "Failed".
  def status(location)
    K2ConnectRuby::K2Entity::K2Stk.new(token).query_resource(location).dig(:data, :attributes, :status)
  end

  # What the callback endpoint does with a POST: raises BadSignature unless the signature is the
  # HMAC-SHA256 of the exact body with the api key; else answers [payment id, status].
  def handle_result(signature, body)
    raise BadSignature, "the X-KopoKopo-Signature does not match the body" unless signed?(body, signature.to_s)

    data = JSON.parse(body).fetch("data")
    [data.fetch("id"), data.dig("attributes", "status")]
  end

  # The endpoint, Rack-style: 200 for a result it accepts (and records in `results`), 401 for one
  # whose signature is wrong.
  def call(env)
    body = env.fetch("rack.input").read
    id, status = handle_result(env["HTTP_X_KOPOKOPO_SIGNATURE"], body)
    results[id] = status
    [200, { "content-type" => "text/plain" }, ["ok"]]
  rescue BadSignature
    [401, { "content-type" => "text/plain" }, ["bad signature"]]
  end

  def results
    @results ||= {}
  end

  private

  def token
    K2ConnectRuby::K2Entity::K2Token.new(@client_id, @client_secret).request_token
  end

  def signed?(body, signature)
    expected = OpenSSL::HMAC.hexdigest("SHA256", @api_key, body)
    expected.bytesize == signature.bytesize &&
      expected.bytes.zip(signature.bytes).reduce(0) { |diff, (a, b)| diff | (a ^ b) }.zero?
  end
end
