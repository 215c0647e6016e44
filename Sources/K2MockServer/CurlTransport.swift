import CurlClient
import K2Sandbox

/// Delivers callbacks over libcurl.
final class CurlTransport: CallbackTransport {
    let client: CurlClient

    init(client: CurlClient = CurlClient(workers: 16)) {
        self.client = client
    }

    func send(_ job: DeliveryJob) async -> DeliveryResult {
        let result = await client.send(OutboundRequest(
            url: job.url, headers: job.headers, body: job.body, timeoutMilliseconds: job.timeoutMilliseconds))
        return DeliveryResult(status: result.status, error: result.error, latencyMilliseconds: result.latencyMilliseconds)
    }
}
