import Dispatch

/// Frees what a hot path is done with (a processed batch, a commit's events, a projector's applied
/// batch: thousands of rows) on a thread of its own, off that path.
package enum OffPathRelease {
    package static func free<Value: Sendable>(_ value: consuming Value) {
        let spent = value
        queue.async { withExtendedLifetime(spent) {} }
    }

    private static let queue = DispatchQueue(label: "ledger.release")
}
