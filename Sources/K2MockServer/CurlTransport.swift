import CurlClient
import K2Sandbox
import Locking

/// Delivers callbacks over libcurl. The client (libcurl's global init, which loads OpenSSL, and
/// its transfer thread) is made on the first delivery, so a server that never calls back starts
/// as fast and stays as small as one without callbacks.
final class CurlTransport: CallbackTransport {
    private let client = Locked<(client: CurlClient?, stopped: Bool)>((nil, false))
    /// The scenario's `callbacks.proxy`; nil: none, whatever the environment says.
    private let proxy: String?

    init(proxy: String?) {
        self.proxy = proxy
    }

    func send(_ job: DeliveryJob) async -> DeliveryResult {
        let client = self.client.withLock { state -> CurlClient? in
            guard !state.stopped else { return nil }
            if let current = state.client { return current }
            let made = CurlClient(proxy: proxy)
            state.client = made
            return made
        }
        guard let client else {
            return DeliveryResult(status: nil, error: "k2mock is stopping", latencyMilliseconds: 0, interrupted: true)
        }
        let result = await client.send(OutboundRequest(
            url: job.url, headers: job.headers, body: job.body, timeoutMilliseconds: job.timeoutMilliseconds))
        return DeliveryResult(status: result.status, error: result.error, latencyMilliseconds: result.latencyMilliseconds,
                              interrupted: result.interrupted, waitedMilliseconds: result.waitedMilliseconds)
    }

    /// Nothing new is sent; POSTs under way get `graceMilliseconds` (wall time) to finish.
    func shutdown(graceMilliseconds: Int) {
        let client = self.client.withLock { state -> CurlClient? in
            state.stopped = true
            return state.client
        }
        client?.shutdown(graceMilliseconds: graceMilliseconds)
    }
}
