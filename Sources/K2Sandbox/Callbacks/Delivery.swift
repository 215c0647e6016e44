import Crypto

/// One callback or webhook event and every attempt to deliver it: the journal entry
/// `GET /__admin/callbacks` lists.
public struct Delivery: Sendable, Equatable {
    /// Whether it is a resource's callback or a webhook event.
    public enum Kind: String, Sendable {
        /// A resource's result, POSTed to its `_links.callback_url`.
        case callback
        /// A webhook event, POSTed to a subscription's url.
        case webhook
    }

    /// Where a delivery stands.
    public enum Outcome: String, Sendable {
        case pending
        case delivered
        case failed
    }

    public var id: Int
    public var kind: Kind
    /// The resource a callback reports on (kind and id), or the webhook event's topic and id.
    public var subject: String
    public var subjectID: String
    public var url: String
    public var body: [UInt8]
    /// The key `signature` is made with (the client's api key, or a wrong one when the
    /// scenario says so); never shown.
    var signingKey: String
    /// `X-KopoKopo-Signature`: HMAC-SHA256 of `body` with `signingKey`, in hex. Made when asked,
    /// not kept: 64 characters per delivery add up over a long run's callbacks.
    public var signature: String { kopoKopoSignature(body: body, apiKey: signingKey) }
    public var createdAt: Timestamp
    public var attempts: [DeliveryAttempt] = []
    public var outcome: Outcome = .pending
    /// Sandbox time its next scheduled attempt is due; nil once delivered or given up.
    public var nextAttemptAt: Timestamp?
}

/// One POST of a delivery.
public struct DeliveryAttempt: Sendable, Equatable {
    public var number: Int
    /// When it was sent (sandbox time): its due time on a manual clock; on a real clock when it
    /// actually left, so lateness shows against `due`.
    public var at: Timestamp
    /// When it was due (sandbox time).
    public var due: Timestamp
    /// Made by hand (`POST /__admin/callbacks/{id}/redeliver`), outside the retry policy.
    public var redelivery: Bool
    public var status: Int?
    public var error: String?
    public var latencyMilliseconds: Double
    public var delivered: Bool
    /// In flight when k2mock died (no answer known); made again after the restart, and not
    /// counted by the retry policy.
    public var interrupted = false
}

/// A POST to make now: what the transport needs, and which attempt of which delivery it is.
public struct DeliveryJob: Sendable {
    /// Which incarnation of the sandbox made it: a result that comes back after a reset is dropped.
    public var epoch: Int
    public var deliveryID: Int
    public var attempt: Int
    public var due: Timestamp
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timeoutMilliseconds: Int
    /// A redelivery by hand: an extra attempt that never changes the retry schedule.
    public var isRedelivery = false
    /// Sandbox time it was handed to the sender (on a real clock, when it could start).
    public var takenAt = Timestamp(milliseconds: 0)
}

/// What a transport reports for one POST.
public struct DeliveryResult: Sendable, Equatable, Codable {
    public var status: Int?
    public var error: String?
    public var latencyMilliseconds: Double

    /// `status` of the answer (nil if none came), the transport's `error`, and the wall milliseconds taken.
    /// The transport stopped before the POST was made or finished: nothing is known of it, so
    /// the attempt is not journalled and stays due.
    public var interrupted: Bool
    /// Wall milliseconds it waited in the transport before the POST started (behind others to
    /// the same receiver).
    public var waitedMilliseconds: Double

    public init(status: Int?, error: String?, latencyMilliseconds: Double, interrupted: Bool = false,
                waitedMilliseconds: Double = 0) {
        self.status = status
        self.error = error
        self.latencyMilliseconds = latencyMilliseconds
        self.interrupted = interrupted
        self.waitedMilliseconds = waitedMilliseconds
    }

    public var isSuccess: Bool { status.map { (200..<300).contains($0) } ?? false }
}

/// Sends deliveries; the server uses libcurl, tests a fake that records and answers as told.
public protocol CallbackTransport: Sendable {
    func send(_ job: DeliveryJob) async -> DeliveryResult
}

/// `X-KopoKopo-Signature`: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the
/// client's api key (k2-api.md §7).
public func kopoKopoSignature(body: [UInt8], apiKey: String) -> String {
    lowercaseHex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(apiKey.utf8))))
}

/// Bytes as lowercase hex, two digits each.
func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xF)]) }
    return String(decoding: out, as: UTF8.self)
}
