# frozen_string_literal: true

# K2Token: request_token, introspect_token, token_info, revoke_token, and how the SDK fails
# on bad credentials and on tokens K2 refuses.
class TestTokens < K2Suite::TestCase
  def token_client(id = CLIENT_ID, secret = CLIENT_SECRET)
    K2Entity::K2Token.new(id, secret)
  end

  def test_request_introspect_info_and_revoke
    tokens = token_client
    token = tokens.request_token
    assert_match(/\A[A-Za-z0-9]{50}\z/, token)
    assert_equal token, tokens.access_token

    introspection = tokens.introspect_token(token)
    assert_equal true, introspection[:active]
    assert_equal CLIENT_ID, introspection[:client_id]
    assert_equal "Bearer", introspection[:token_type]
    assert_equal "2026-03-02T09:00:00+03:00", introspection[:iat]
    assert_equal "2026-03-02T10:00:00+03:00", introspection[:exp]

    info = tokens.token_info(token)
    assert_equal CLIENT_ID, info.dig(:application, :uid)
    assert_equal 3600, info[:expires_in]
    assert_equal [], info[:scope]
    assert_equal Time.iso8601("2026-03-02T09:00:00+03:00").to_i, info[:created_at]

    # The token works for the API until it is revoked.
    stk = K2Entity::K2Stk.new(token)
    location = stk.send_stk_request(stk_params)
    assert_location(location, "incoming_payments")

    assert_equal true, tokens.revoke_token(token)
    assert_equal({ active: false }, tokens.introspect_token(token))
    assert_raises(K2Errors::UnauthorizedError) { stk.query_status }
    assert_raises(K2Errors::UnauthorizedError) { tokens.token_info(token) }
  end

  def test_the_preissued_token_works_and_a_new_token_each_request
    first = token_client.request_token
    second = token_client.request_token
    refute_equal first, second
    assert_equal true, token_client.introspect_token(PREISSUED_TOKEN)[:active]
    info = token_client.token_info(PREISSUED_TOKEN)
    assert_equal CLIENT_ID, info.dig(:application, :uid)
  end

  def test_a_token_expires_after_its_ttl
    token = token_client.request_token
    stk = K2Entity::K2Stk.new(token)
    stk.send_stk_request(stk_params)
    server.advance(3600)
    assert_raises(K2Errors::UnauthorizedError) { stk.query_status }
    assert_raises(K2Errors::UnauthorizedError) { token_client.token_info(token) }
    assert_equal({ active: false }, token_client.introspect_token(token))
  end

  def test_bad_client_credentials_are_refused
    error = assert_raises(K2Errors::UnauthorizedError) { token_client(CLIENT_ID, "wrong-secret").request_token }
    assert_equal "Invalid or expired token", error.message
    assert_raises(K2Errors::UnauthorizedError) { token_client("nobody", CLIENT_SECRET).request_token }
    # Revoke and introspect authenticate the client too.
    token = token_client.request_token
    assert_raises(K2Errors::UnauthorizedError) { token_client(CLIENT_ID, "wrong-secret").revoke_token(token) }
    assert_equal true, token_client.introspect_token(token)[:active]
  end

  def test_missing_credentials_are_refused_before_any_request
    before = server.admin("GET", "/requests").size
    assert_raises(ArgumentError) { K2Entity::K2Token.new(nil, CLIENT_SECRET) }
    assert_raises(ArgumentError) { K2Entity::K2Token.new(CLIENT_ID, "") }
    assert_equal before, server.admin("GET", "/requests").size
  end

  private

  def stk_params
    { payment_channel: "M-PESA STK Push", till_number: "K000000", first_name: "Joe", last_name: "Buyer",
      phone_number: "+254712345678", email: "joe@example.test", currency: "KES", amount: "100",
      callback_url: callback_url }
  end
end
