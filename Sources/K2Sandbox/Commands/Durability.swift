/// What a caller owes before it may answer: the journal's ticket for the latest change it made
/// (a data directory answers a change only once it is on disk). The request pipeline keeps one
/// per request in its context and awaits it after the handler, so the server's thread serves
/// others meanwhile and concurrent requests share one commit. Without a journal it owes nothing.
public struct Durability: Sendable {
    /// The latest journal ticket owed; 0 when nothing is.
    public private(set) var ticket: UInt64 = 0

    /// Nothing owed yet.
    public init() {}

    /// Whether anything is owed.
    public var owesSomething: Bool { ticket > 0 }

    /// Owes `ticket` too (the later ticket covers the earlier).
    public mutating func owe(_ ticket: UInt64) {
        self.ticket = max(self.ticket, ticket)
    }
}
