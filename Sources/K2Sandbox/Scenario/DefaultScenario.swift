/// The built-in default scenario and the files it names, so that `k2mock serve` works from any
/// directory. A test checks these copies against `scenarios/default.yaml` and `fixtures/`:
/// edit those files, then paste them here.
public enum DefaultScenario {
    /// The path the built-in scenario reports as its source.
    public static let path = "scenarios/default.yaml"

    /// Repository-relative path to content.
    public static let files: [String: String] = [
        "scenarios/default.yaml": #"""
# The scenario `k2mock serve` runs when given none (a copy is built into the binary, so it
# works from any directory). It makes the Kopo Kopo docs' own examples work verbatim.
version: 1
clock: { mode: real }
credentials:
  - client_id: sandbox_client_id
    client_secret: sandbox_client_secret
    api_key: sandbox_api_key        # signs this client's callbacks
    token_ttl: 3600
tokens:
  # The docs' example token; it does not expire.
  - { value: "0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q", client_id: sandbox_client_id }
fixtures:
  # The docs' "check the payment status" example.
  - ../fixtures/payments/c6fda139-2480-4a93-95ed-f72c66b92364.json
"""#,
        "fixtures/payments/c6fda139-2480-4a93-95ed-f72c66b92364.json": #"""
{"data":{"id":"c6fda139-2480-4a93-95ed-f72c66b92364","type":"payment","attributes":{"status":"Processed","created_at":"2021-01-28T10:00:17.827+03:00","amount":{"currency":"KES","value":20000},"transfer_batches":[{"status":"Transferred","disbursements":[{"amount":"20000.0","status":"Transferred","destination_type":"Mobile Wallet","origination_time":"2020-11-13T08:32:03.000+03:00","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","transaction_reference":"LBA10034460"}]}],"metadata":{"notes":"Salary payment for May 2018","customerId":"8675309","something_else":"Something else"},"_links":{"callback_url":"https://webhook.site/3856ff77-93eb-4130-80cd-e62dc0db5c1a","self":"https://sandbox.kopokopo.com/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364"}}}}
"""#,
    ]

    /// Loads the built-in scenario; it is valid by construction (a test proves it).
    public static func load() -> Scenario {
        let loader = ScenarioLoader(readFile: { path in files[path].map { Array($0.utf8) } })
        do {
            return try loader.load(path: path)
        } catch {
            fatalError("the built-in default scenario is invalid: \(error)")
        }
    }
}
