import ArgumentParser
import K2MockServer
import K2Sandbox

/// `--admin-token`, the same for the server that requires it and the clients that send it.
struct AdminTokenOption: ParsableArguments {
    @Option(name: .customLong("admin-token"),
            help: "The admin token: `serve` requires `Authorization: Bearer <token>` on /__admin requests; `verify` sends it.")
    var adminToken: String?
}

extension ClockMode: ExpressibleByArgument {}
extension RequestLog.Format: ExpressibleByArgument {}
