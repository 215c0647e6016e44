# frozen_string_literal: true

require_relative "test_helper"

# K2Mock::CallbackReceiver on its own: what it records and answers, how it listens.
class ReceiverTest < KitTest::Test
  def raw_post(receiver, head, body)
    socket = TCPSocket.new("127.0.0.1", receiver.port)
    socket.write(head)
    interim = head.include?("100-continue") ? socket.gets("\r\n\r\n") : nil
    socket.write(body)
    [interim, socket.read]
  ensure
    socket&.close
  end

  def test_urls_and_where_it_listens
    K2Mock::CallbackReceiver.open do |receiver|
      assert_equal "http://127.0.0.1:#{receiver.port}/k2/result", receiver.url
      assert_equal "http://127.0.0.1:#{receiver.port}/hooks/x", receiver.url("/hooks/x")
      assert_equal "127.0.0.1", receiver.bind_address
      assert_nil receiver.api_key
    end
    # 127.0.0.2 stands in for host.docker.internal: not loopback's name, but it reaches this machine.
    K2Mock::CallbackReceiver.open(api_key: "k", host: "127.0.0.2") do |receiver|
      assert_equal "http://127.0.0.2:#{receiver.port}/k2/result", receiver.url
      assert_equal "0.0.0.0", receiver.bind_address
      assert_equal 200, post_signed(receiver.url, "{}", K2Mock.signature("{}", "k"))
      assert receiver.received.first.verified?
    end
  end

  def test_without_an_api_key_nothing_is_verified
    K2Mock::CallbackReceiver.open do |receiver|
      post_signed(receiver.url, "{}", "whatever")
      assert_nil receiver.received.first.verified
      refute receiver.received.first.verified?
      error = assert_raises(K2Mock::SignatureError) { receiver.verify_signatures! }
      assert_equal "the receiver has no api key to verify with", error.message
    end
  end

  def test_scripted_statuses_then_200
    K2Mock::CallbackReceiver.open(api_key: "k", statuses: [500]) do |receiver|
      assert_equal [500, 200], 2.times.map { post_signed(receiver.url, "{}", nil) }
      receiver.respond_with(503, 404)
      assert_equal [503, 404, 200], 3.times.map { post_signed(receiver.url, "{}", nil) }
      assert_equal 5, receiver.received.size
      assert_equal [false] * 5, receiver.received.map(&:verified), "no signature: refused"
    end
  end

  def test_exact_bytes_of_chunked_and_100_continue_bodies
    K2Mock::CallbackReceiver.open(api_key: "k") do |receiver|
      body = "{\"name\":\"Jos\u00e9\"}".b
      signature = K2Mock.signature(body, "k")
      head = "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-KopoKopo-Signature: #{signature}\r\n\r\n"
      _, answer = raw_post(receiver, head, "5\r\n#{body[0, 5]}\r\n#{(body.bytesize - 5).to_s(16)}\r\n#{body[5..]}\r\n0\r\n\r\n")
      assert_match(%r{\AHTTP/1.1 200 OK\r\n}, answer)
      head = "POST /continue HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: #{body.bytesize}\r\n" \
             "X-KopoKopo-Signature: #{signature.upcase}\r\n\r\n"
      interim, answer = raw_post(receiver, head, body)
      assert_equal "HTTP/1.1 100 Continue\r\n\r\n", interim
      assert_match(/ 200 OK/, answer)

      chunked, continued = receiver.received
      assert_equal ["/chunked", body, true], [chunked.path, chunked.body, chunked.verified?]
      assert_equal Encoding::BINARY, chunked.body.encoding
      assert_equal ["/continue", body], [continued.path, continued.body]
      refute continued.verified?, "the signature is lowercase hex; an uppercase one is refused"
      assert_equal signature.upcase, continued.header("X-KOPOKOPO-SIGNATURE")
      assert_equal({ "name" => "José" }, chunked.json)
      assert chunked.frozen?
    end
  end

  def test_only_posts_are_recorded
    K2Mock::CallbackReceiver.open do |receiver|
      answer = Net::HTTP.get_response(URI(receiver.url))
      assert_equal ["405", "POST"], [answer.code, answer["Allow"]]
      assert_empty receiver.received
    end
  end

  def test_received_and_wait_for_by_path_and_clear
    K2Mock::CallbackReceiver.open(api_key: "k") do |receiver|
      post_signed(receiver.url("/a"), "{}", K2Mock.signature("{}", "k"))
      post_signed(receiver.url("/b"), "{}", "0" * 64)
      assert_equal ["/a"], receiver.received("/a").map(&:path)
      assert_equal ["/b"], receiver.wait_for(1, path: "/b", timeout: 1).map(&:path)
      error = assert_raises(K2Mock::TimeoutError) { receiver.wait_for(2, path: "/a", timeout: 0.05) }
      assert_equal "1 callback arrived at #{receiver.url('/a')} within 0.05 s, not 2", error.message
      error = assert_raises(K2Mock::SignatureError) { receiver.verify_signatures! }
      assert_equal "1 callbacks with a wrong signature: /b", error.message
      receiver.clear
      assert_empty receiver.received
      assert receiver.verify_signatures!
    end
  end

  def test_a_waiter_wakes_when_a_callback_arrives
    K2Mock::CallbackReceiver.open(api_key: "k") do |receiver|
      waiter = Thread.new { receiver.wait_for(1, timeout: 10) }
      Thread.pass until waiter.status == "sleep"
      post_signed(receiver.url, "{}", K2Mock.signature("{}", "k"))
      assert_equal 1, waiter.value.size
    end
  end

  def test_stop_closes_the_port
    receiver = K2Mock::CallbackReceiver.new
    port = receiver.port
    assert port_open?(port)
    assert_nil receiver.stop
    refute port_open?(port)
    assert_nil receiver.stop, "twice is fine"
  end

  def test_signatures
    assert_equal OpenSSL::HMAC.hexdigest("SHA256", "key", "body"), K2Mock.signature("body", "key")
    assert K2Mock.valid_signature?("body", K2Mock.signature("body", "key"), "key")
    refute K2Mock.valid_signature?("body", K2Mock.signature("body", "key")[0..-2], "key")
    refute K2Mock.valid_signature?("body", nil, "key")
    refute K2Mock.valid_signature?("bodY", K2Mock.signature("body", "key"), "key")
  end
end
