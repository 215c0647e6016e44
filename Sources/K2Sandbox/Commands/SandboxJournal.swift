/// Where a sandbox writes its inputs so that it can be rebuilt after a restart (a data
/// directory, `--data-dir`). The sandbox calls `append`, `appendRequest` and `reset` under its
/// lock, in the order things happened, so each must only queue; it then waits outside the
/// lock, before answering, until what it appended is durable. A class: the sandbox checks
/// for one on every request, and a reference is cheaper to look at than an existential box.
public protocol SandboxJournal: AnyObject, Sendable {
    /// Queues a command; returns a ticket for `waitUntilDurable`.
    func append(_ command: RecordedCommand) -> UInt64
    /// Queues a request journal entry; returns a ticket. Written in the background unless
    /// `awaited` (its request changed the sandbox and waits for its commit anyway).
    func appendRequest(_ record: RequestRecord, awaited: Bool) -> UInt64
    /// Queues the erasure of everything kept (`POST /__admin/reset`); returns a ticket.
    func reset() -> UInt64
    /// Blocks until everything up to `ticket` is on disk (returns at once if it already is).
    func waitUntilDurable(_ ticket: UInt64)
    /// `waitUntilDurable` for async callers, without holding a thread of the cooperative pool.
    func durable(_ ticket: UInt64) async
}
