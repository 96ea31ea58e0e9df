import LedgerLog
public import LedgerProjection
public import Logging
import PostgresNIO
import Synchronization

/// The Postgres analytics projection: `products`, `receipts`, `sales`, `basket_lines`,
/// `also_bought`, `ingest_state`, the projector's checkpoint and dead letters, in one schema
/// (`analytics` by default).
///
/// One connection holds a session advisory lock for as long as the target is open, so a second
/// instance is refused. Taking the lock applies pending migrations. Each batch is one transaction:
/// its rows are merged with `MERGE INTO ... USING unnest(...)` from array parameters,
/// with the co-occurrence delta, dead letters and checkpoint. A second connection reads what the
/// co-occurrence delta needs while the first merges the rows. A dropped connection is a transient
/// error: the next call reconnects and takes the lock again.
public final class PostgresAnalyticsTarget: ProjectionTarget {
    public let name: String
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let state = Mutex<State>(State())

    private struct State {
        var connection: PostgresSession?
        /// A second connection for a batch's reads, outside its transaction (see ``write(_:checkpoint:on:reading:)``).
        var reader: PostgresSession?
        var locked = false
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
        state.withLock { $0.reader = r }
        return r
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
            return try await Self.checkpoint(c, schema: schema, projector: name, logger: logger) ?? .start
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
        do {
            try await write(batch, checkpoint: checkpoint, on: c, reading: reader)
        } catch {
            await dropConnection(after: error)
            throw PostgresErrorClassification.projectionError(error, context: "applying offsets ..<\(checkpoint.nextOffset) to \(configuration)")
        }
        return ProjectionBatchResult(applied: batch.applied, deadLettered: batch.deadLetters.count, ignored: batch.ignored)
    }

    /// Rolls back a failed transaction; closes the connection when the failure was the connection's,
    /// so the next call reconnects (and takes the lock again).
    func dropConnection(after error: any Error) async {
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
            return pair
        }
        await r?.close()
        await c?.close()
    }
}
