import LedgerLog
public import LedgerProjection
public import Logging
import PostgresNIO
import Synchronization

/// The Postgres analytics projection: `products`, `receipts`, `sales`, `customers`, `also_bought`
/// (and the `basket_lines` view of `sales`), `ingest_state`, the projector's checkpoint and dead
/// letters, in one schema (`analytics` by default).
///
/// One connection holds a session advisory lock for as long as the target is open, so a second
/// instance is refused. Taking the lock applies pending migrations. Each batch is one transaction:
/// its rows are merged with `MERGE INTO ... USING unnest(...)` from array parameters,
/// with the co-occurrence delta's pair changes, dead letters and checkpoint. A second connection reads what the
/// co-occurrence delta needs while the first merges the rows. A dropped connection is a transient
/// error: the next call reconnects and takes the lock again.
public final class PostgresAnalyticsTarget: ProjectionTarget {
    public let name: String
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let state = Mutex<State>(State())

    private struct State {
        var connection: PostgresSession?
        /// A second connection for a batch's reads, outside its transaction (see ``write(_:rows:offsets:ahead:last:checkpoint:on:reading:)``).
        var reader: PostgresSession?
        var locked = false
        /// The checkpoint of the last commit known to be visible: acknowledged, or read back.
        var committed: UInt64?
        /// What the last batch committed through this target left, for reads made before it.
        var lastCommitted: CommittedLines?
        /// The reads for the batch at `start`, begun by ``prepare(_:)``.
        var lookahead: (start: UInt64, reads: Task<StoredLines, any Error>)?
        /// The batch ``prepare(_:)`` was told of, waiting until the batch at hand has merged its rows.
        var waiting: (start: UInt64, batch: AnalyticsBatch, seen: UInt64)?
        /// The row effects of batches ``prepare(_:)`` was told of, by their first offset.
        var effectRows: [UInt64: PostgresEffectRows] = [:]
        /// Whether the batch at hand has merged its rows (or none is being written).
        var rowsMerged = true
    }

    /// Nothing connects before ``acquireLock()``.
    public init(configuration: PostgresConfiguration, name: String = "postgres", logger: Logger) {
        self.name = name
        self.configuration = configuration
        self.logger = logger
    }

    var schema: String { configuration.schema }

    /// The two keys of the session advisory lock of projector `name` on `schema`.
    static func lockSQL(schema: String, name: String, function: String = "pg_try_advisory_lock") -> String {
        "SELECT \(function)(hashtext('ledger projector'), hashtext(\(PostgresConfiguration.literal(schema + "/" + name))))"
    }

    public func acquireLock() async throws(ProjectionError) {
        _ = try await connection()
    }

    /// The open connection, or a new one holding the lock with the schema migrated.
    func connection() async throws(ProjectionError) -> PostgresSession {
        if let c = state.withLock({ $0.connection }), !c.isClosed { return c }
        let c = PostgresSession(try await configuration.connect(logger: logger))
        do {
            let rows = try await c.query(PostgresQuery(unsafeSQL: Self.lockSQL(schema: schema, name: name)), logger: logger)
            var got = false
            for try await b in rows.decode(Bool.self) { got = b }
            guard got else {
                await c.close()
                throw ProjectionError(.locked, context: "projector \(name) on \(configuration)",
                                      cause: "another instance holds its advisory lock; stop it first")
            }
            try await Self.requireMerge(c, context: "projector \(name) on \(configuration)", logger: logger)
            try await PostgresMigrator(schema: schema).up(on: c, logger: logger)
            try await c.execute(Self.plannerSettings, logger: logger)
        } catch {
            await c.close()
            throw PostgresErrorClassification.projectionError(error, context: "opening projector \(name) on \(configuration)")
        }
        state.withLock {
            $0.connection = c
            $0.locked = true
        }
        logger.debug("projector connected", metadata: ["projector": "\(name)", "target": "\(configuration)"])
        return c
    }

    /// The open reading connection, or a new one, planning as the first does (``plannerSettings``).
    func readerConnection() async throws(ProjectionError) -> PostgresSession {
        if let r = state.withLock({ $0.reader }), !r.isClosed { return r }
        let r = PostgresSession(try await configuration.connect(id: 2, logger: logger))
        do {
            try await r.execute(Self.plannerSettings, logger: logger)
        } catch {
            await r.close()
            throw PostgresErrorClassification.projectionError(error, context: "opening the reading connection of projector \(name) on \(configuration)")
        }
        // Reads ahead and a batch's own reads may both have opened one: the first stays.
        let kept = state.withLock { s -> PostgresSession in
            if let other = s.reader, !other.isClosed { return other }
            s.reader = r
            return r
        }
        if kept !== r { await r.close() }
        return kept
    }

    /// Batches are written with `MERGE`, which PostgreSQL has from version 15 on: an older server is
    /// refused when the target opens, not at its first batch.
    static func requireMerge(_ c: PostgresSession, context: String, logger: Logger) async throws {
        let rows = try await c.query("SELECT current_setting('server_version_num')::int, current_setting('server_version')", logger: logger)
        for try await (number, version) in rows.decode((Int, String).self) {
            if let refusal = mergeRefusal(versionNumber: number, version: version, context: context) { throw refusal }
        }
    }

    /// The error for a server without `MERGE` (`server_version_num` below 150000), nil for one with it.
    static func mergeRefusal(versionNumber: Int, version: String, context: String) -> ProjectionError? {
        guard versionNumber < 150_000 else { return nil }
        return ProjectionError(.configuration, context: context,
                               cause: "PostgreSQL \(version) has no MERGE; the projection needs PostgreSQL 15 or later")
    }

    public func checkpoint() async throws(ProjectionError) -> ProjectionCheckpoint {
        let c = try await connection()
        do {
            let stored = try await Self.checkpoint(c, schema: schema, projector: name, logger: logger) ?? .start
            state.withLock { $0.committed = stored.nextOffset }
            return stored
        } catch {
            await dropConnection(after: error)
            throw PostgresErrorClassification.projectionError(error, context: "reading the checkpoint of \(name) on \(configuration)")
        }
    }

    static func checkpoint(_ c: PostgresSession, schema: String, projector: String, logger: Logger) async throws -> ProjectionCheckpoint? {
        let rows = try await c.query("SELECT next_offset, last_hash FROM \(unescaped: schema).projector_checkpoint WHERE projector = \(projector)",
                                     logger: logger)
        var found: ProjectionCheckpoint?
        for try await (offset, hex) in rows.decode((Int64, String).self) {
            found = try ProjectionCheckpoint(stored: offset, hex: hex, place: "\(schema).projector_checkpoint of \(projector)")
        }
        return found
    }

    public func apply(_ prepared: ProjectionBatch, checkpoint: ProjectionCheckpoint) async throws(ProjectionError) -> ProjectionBatchResult {
        guard state.withLock({ $0.locked }) else {
            throw ProjectionError(.configuration, context: "projector \(name)", cause: "apply before acquireLock")
        }
        let c = try await connection()
        let reader = try await readerConnection()
        let batch = prepared.analytics
        let offsets = (prepared.events.first?.offset ?? checkpoint.nextOffset)..<checkpoint.nextOffset
        let (ahead, last, grouped) = state.withLock { s in
            defer {
                s.lookahead = nil
                s.rowsMerged = false
            }
            if let l = s.lookahead, l.start != offsets.lowerBound { l.reads.cancel() }
            let rows = s.effectRows.removeValue(forKey: offsets.lowerBound)
            s.effectRows = s.effectRows.filter { $0.key > offsets.lowerBound }
            return (s.lookahead?.start == offsets.lowerBound ? s.lookahead?.reads : nil, s.lastCommitted, rows)
        }
        defer { rowsMerged(true) }
        do {
            let committed = try await write(batch, rows: grouped ?? PostgresEffectRows(batch.effects), offsets: offsets, ahead: ahead, last: last, checkpoint: checkpoint, on: c, reading: reader)
            state.withLock {
                $0.lastCommitted = committed
                $0.committed = checkpoint.nextOffset
            }
        } catch {
            await dropConnection(after: error)
            throw PostgresErrorClassification.projectionError(error, context: "applying offsets ..<\(checkpoint.nextOffset) to \(configuration)")
        }
        return ProjectionBatchResult(applied: batch.applied, deadLettered: batch.deadLetters.count, ignored: batch.ignored)
    }

    /// Begins reading, on the second connection, what `next`'s co-occurrence delta needs, once the
    /// batch at hand has merged its rows: the reads then overlap its co-occurrence writes, which
    /// keep one server process busy, rather than its row merge. `next`'s ``apply(_:checkpoint:)``
    /// brings the reads up to date.
    public func prepare(_ next: ProjectionBatch) {
        guard let start = next.events.first?.offset else { return }
        let rows = PostgresEffectRows(next.analytics.effects)
        state.withLock { s in
            s.effectRows[start] = rows
            guard s.locked, let seen = s.committed else { return }
            s.waiting = (start, next.analytics, seen)
            startReadingAhead(&s)
        }
    }

    /// Starts the reads ``prepare(_:)`` left waiting, if any, once the batch at hand has merged its
    /// rows and taken the reads made for it: this batch may be told of before the one before it
    /// has begun.
    private func startReadingAhead(_ s: inout State) {
        guard s.rowsMerged, s.lookahead == nil, let (start, batch, seen) = s.waiting else { return }
        s.waiting = nil
        s.lookahead = (start, Task { [self] in
            try await readStoredLines(batch, sawThrough: seen, on: try await readerConnection())
        })
    }

    /// Marks whether the batch at hand has merged its rows; once it has, waiting reads start.
    func rowsMerged(_ merged: Bool) {
        state.withLock { s in
            s.rowsMerged = merged
            startReadingAhead(&s)
        }
    }

    /// Rolls back a failed transaction; closes the connection when the failure was the connection's,
    /// so the next call reconnects (and takes the lock again).
    func dropConnection(after error: any Error) async {
        state.withLock { s in
            s.lookahead?.reads.cancel()
            s.lookahead = nil
            s.waiting = nil
            s.effectRows = [:]
        }
        let transient = PostgresErrorClassification.isTransient(error)
        if let r = state.withLock({ $0.reader }), transient || r.isClosed {
            state.withLock { $0.reader = nil }
            await r.close()
        }
        guard let c = state.withLock({ $0.connection }) else { return }
        if transient || c.isClosed {
            state.withLock { $0.connection = nil }
            await c.close()
        } else {
            _ = try? await c.query("ROLLBACK", logger: logger)
        }
    }

    public func close() async {
        let (c, r) = state.withLock {
            let pair = ($0.connection, $0.reader)
            $0.connection = nil
            $0.reader = nil
            $0.locked = false
            $0.lookahead?.reads.cancel()
            $0.lookahead = nil
            $0.waiting = nil
            $0.effectRows = [:]
            $0.lastCommitted = nil
            $0.committed = nil
            return pair
        }
        await r?.close()
        await c?.close()
    }
}
