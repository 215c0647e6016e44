/// How callbacks and webhook events are delivered (the scenario's `callbacks` key).
public struct CallbackSettings: Sendable, Equatable {
    /// Wall time allowed for one attempt.
    public var timeout: TimeSpan
    /// Attempts in all, the first included.
    public var attempts: Int
    /// Sandbox time before each retry; the last value repeats.
    public var backoff: [TimeSpan]
    /// An `http://` or `https://` proxy every POST goes through; nil: none (the environment's
    /// `http_proxy` and friends are ignored).
    public var proxy: String?

    /// The defaults are the README's: 5 s per attempt, 5 attempts, 10 s, 30 s, 60 s, 300 s apart.
    public init(timeout: TimeSpan = .seconds(5), attempts: Int = 5,
                backoff: [TimeSpan] = [.seconds(10), .seconds(30), .seconds(60), .seconds(300)]) {
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
    }

    /// The wait before attempt `number + 1` after attempt `number` failed.
    func backoff(after number: Int) -> TimeSpan {
        guard !backoff.isEmpty else { return .zero }
        return backoff[min(number - 1, backoff.count - 1)]
    }
}
