/// Why a data directory could not be used; `exitCode` is what `k2mock serve` exits with.
public struct DataDirectoryError: Error, CustomStringConvertible {
    public enum Reason: Sendable {
        /// Made from another scenario, seed or clock (exit 64, as `sysexits.h`'s EX_USAGE).
        case mismatch
        /// The database is damaged or not k2mock's (exit 65, EX_DATAERR); never wiped.
        case damaged
        /// Another k2mock holds the directory (exit 75, EX_TEMPFAIL).
        case locked
        /// The directory or its files cannot be made or opened (exit 73, EX_CANTCREAT).
        case unusable
    }

    public var reason: Reason
    public var message: String

    init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }

    public var exitCode: Int32 {
        switch reason {
        case .mismatch: 64
        case .damaged: 65
        case .locked: 75
        case .unusable: 73
        }
    }
}
