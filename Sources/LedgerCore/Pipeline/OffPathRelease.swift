import Dispatch

/// Frees what the sync's ordered stage is done with (a processed batch, a commit's events: a few
/// thousand rows) on a thread of its own, off the ordered stage's path.
enum OffPathRelease {
    static func free<Value: Sendable>(_ value: consuming Value) {
        let spent = value
        queue.async { withExtendedLifetime(spent) {} }
    }

    private static let queue = DispatchQueue(label: "ledger.sync.release")
}
