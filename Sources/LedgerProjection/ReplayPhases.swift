import LedgerLog

/// The wall time of a rebuild's phases, as the replay commands and benchmarks report them.
public struct ReplayPhases: Sendable {
    public private(set) var phases: [(name: String, seconds: Double)] = []
    private var started: Int64

    public init() { started = LogClock.system.now() }

    /// Ends the current phase under `name` and starts the next.
    public mutating func lap(_ name: String) {
        let now = LogClock.system.now()
        phases.append((name, Double(now - started) / 1_000_000))
        started = now
    }
}
