import K2Sandbox
import MicroHTTP

/// What the pipeline knows of one request, passed down `inout` from step to step and to its
/// endpoint (as Hummingbird's `RequestContext`): routing fills in the route's parameters; a
/// handler that changes the sandbox adds what its change owes the journal, which
/// `DurableAnswers` awaits before the answer goes out.
package struct RequestContext: Sendable {
    /// The sandbox the request is for: the server's own unless its credentials, its token or
    /// its `/__admin/sandboxes/{id}/` path chose another.
    package var hosted: HostedSandbox {
        didSet { lent = Unmanaged.passUnretained(hosted.sandbox) }
    }
    /// `hosted`'s sandbox.
    package var sandbox: Sandbox { hosted.sandbox }
    /// `hosted`'s sandbox, unretained: the context holds `hosted`, which holds it.
    @usableFromInline var lent: Unmanaged<Sandbox>

    /// `body` with `hosted`'s sandbox, lent without a retain. Reading `sandbox` returns it
    /// retained: a retain and a release, on an object both server threads share, at each
    /// step of every request that reads it.
    @inlinable
    package func withSandbox<Result>(_ body: (Sandbox) throws -> Result) rethrows -> Result {
        try lent._withUnsafeGuaranteedRef(body)
    }
    /// What the route's `:name` segments captured (set by routing).
    package var parameters = RouteParameters()
    /// What the request's changes owe the journal before it is answered (`--data-dir`).
    package var durability = Durability()
    /// The path as the client sent it, when a step routes it under another
    /// (`/__admin/sandboxes/{id}/clock` is routed as `/__admin/clock`): errors name this one.
    package var requestedPath: String?
    /// The scenario's fault the request met: it answered instead of the API, or held it back.
    package var fault: FaultNote?

    /// A request nothing is known of yet, for `hosted` until a step chooses another.
    package init(hosted: HostedSandbox) {
        self.hosted = hosted
        lent = Unmanaged.passUnretained(hosted.sandbox)
    }
}
