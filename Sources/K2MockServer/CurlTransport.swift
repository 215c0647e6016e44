import CurlClient
import K2Sandbox
import Locking

/// Delivers callbacks over libcurl. The client (libcurl's global init, which loads OpenSSL, and
/// its worker threads) is made on the first delivery, so a server that never calls back starts
/// as fast and stays as small as one without callbacks.
final class CurlTransport: CallbackTransport {
    private let client = Locked<CurlClient?>(nil)

    func send(_ job: DeliveryJob) async -> DeliveryResult {
        let client = self.client.withLock { current -> CurlClient in
            if let current { return current }
            let made = CurlClient(workers: 16)
            current = made
            return made
        }
        let result = await client.send(OutboundRequest(
            url: job.url, headers: job.headers, body: job.body, timeoutMilliseconds: job.timeoutMilliseconds))
        return DeliveryResult(status: result.status, error: result.error, latencyMilliseconds: result.latencyMilliseconds)
    }

    func shutdown() {
        client.withLock { $0 }?.shutdown()
    }
}
