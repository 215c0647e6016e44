# frozen_string_literal: true

require "openssl"

module K2Mock
  # `X-KopoKopo-Signature`: the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the
  # client's api key.
  def self.signature(body, api_key)
    OpenSSL::HMAC.hexdigest("SHA256", api_key.to_s, body.to_s.b)
  end

  # Whether `signature` is right for `body` and `api_key` (compared in constant time).
  def self.valid_signature?(body, signature, api_key)
    expected = signature(body, api_key)
    given = signature.to_s.b
    return false unless given.bytesize == expected.bytesize

    given.bytes.zip(expected.bytes).reduce(0) { |diff, (a, b)| diff | (a ^ b) }.zero?
  end
end
