/// What a sync run did, counted per change.
public struct SyncCounters: Sendable, Hashable {
    /// Changes fetched from the source (rows, deletes and malformed input).
    public var processed = 0
    public var inserts = 0
    public var updates = 0
    public var deletes = 0
    public var unchanged = 0
    /// Deletes of records that were not live: nothing to append.
    public var alreadyGone = 0
    public var deadLetters = 0
    /// Retried dead letters skipped because their record has a newer event.
    public var superseded = 0
    /// Source fetches retried after a transient failure.
    public var retries = 0
    /// Events appended, checkpoints included.
    public var eventsAppended = 0
    public var checkpoints = 0
    public var batches = 0
    /// Time spent fetching, applying and committing, by the pipeline's clock (not loading the state).
    public var elapsedMicroseconds: Int64 = 0

    public init() {}

    /// Events that changed a record.
    public var changed: Int { inserts + updates + deletes }

    public static func += (a: inout SyncCounters, b: SyncCounters) {
        a.processed += b.processed
        a.inserts += b.inserts
        a.updates += b.updates
        a.deletes += b.deletes
        a.unchanged += b.unchanged
        a.alreadyGone += b.alreadyGone
        a.deadLetters += b.deadLetters
        a.superseded += b.superseded
        a.retries += b.retries
        a.eventsAppended += b.eventsAppended
        a.checkpoints += b.checkpoints
        a.batches += b.batches
        a.elapsedMicroseconds += b.elapsedMicroseconds
    }

    /// `processed 10 · new 4 · updated 3 · deleted 1 · unchanged 2 · dead letters 0`
    public var summary: String {
        "processed \(processed) · new \(inserts) · updated \(updates) · deleted \(deletes) · unchanged \(unchanged)"
            + " · dead letters \(deadLetters)" + (alreadyGone > 0 ? " · deletes of absent records \(alreadyGone)" : "")
            + (retries > 0 ? " · retries \(retries)" : "")
            + (elapsedMicroseconds > 0 ? " · in \(Self.seconds(elapsedMicroseconds)) s" : "")
    }

    /// `1234567` µs as `1.23`.
    static func seconds(_ microseconds: Int64) -> String {
        let hundredths = (microseconds + 5_000) / 10_000
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
