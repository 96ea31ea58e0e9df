public import LedgerLog
import LedgerCore

/// What a log holds at its head: the newest version of every live record.
public struct LiveRecords {
    public var records: [XXH128: LedgerLog.LogEvent] = [:]
    public var events = 0
    public var checkpoints = 0

    public init() {}

    public func count(_ entity: String) -> Int { records.values.reduce(0) { $0 + ($1.entity == entity ? 1 : 0) } }

    /// The exact sum of `field` over the live records of `entity`.
    public func sum(_ field: String, of entity: String) -> String {
        var s = DecimalSum()
        for e in records.values where e.entity == entity {
            if case .decimal(let d)? = e.value(of: field) { s.add(d) }
        }
        return s.text
    }

    /// Record id → data hash, to compare two logs' final states.
    public var fingerprint: [XXH128: Digest32] { records.mapValues(\.dataHash) }
}
