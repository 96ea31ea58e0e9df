import LedgerLog
public import LedgerProjection
public import Logging
import NIOCore
import PostgresNIO

/// `ledger replay postgres --from OFFSET`: rebuilds the analytics projection in the shadow schema
/// `<schema>_shadow` while the live schema keeps serving reads, then swaps them in one transaction.
///
/// The shadow starts from the live rows set before `OFFSET` (none for 0). The range `OFFSET..<head`
/// is netted in memory to the last event per key (``AnalyticsReplay``) and COPYed in (binary format): straight
/// into the empty, index-less shadow tables for a full rebuild (indexes are built afterwards), through
/// staging tables and one set-based merge otherwise. `also_bought` is computed from the rebuilt
/// sales lines and COPYed (`basket_lines` is a view of `sales`). The projector's advisory lock is held throughout, so
/// `ledger project postgres` cannot write meanwhile.
public struct PostgresReplay: Sendable {
    public var configuration: PostgresConfiguration
    public var logDirectory: String
    public var projector: String
    public var logger: Logger

    public init(configuration: PostgresConfiguration, logDirectory: String, projector: String = "postgres", logger: Logger) {
        self.configuration = configuration
        self.logDirectory = logDirectory
        self.projector = projector
        self.logger = logger
    }

    var schema: String { configuration.schema }
    /// The schema a rebuild is built in.
    public var shadowSchema: String { schema + "_shadow" }
    var retiredSchema: String { schema + "_retired" }

    /// Rebuilds from `from` (0 for everything) up to the log's head at the start, and swaps.
    /// - Parameter progress: called with each offset read and the head.
    public func run(from: UInt64, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) async throws(ProjectionError) -> ReplayResult {
        guard PostgresConfiguration.isIdentifier(retiredSchema) else {
            throw ProjectionError(.configuration, context: "schema \(schema)", cause: "too long for a shadow schema name (at most 55 bytes)")
        }
        let reader: LogReader
        let head: HeadRecord
        do {
            reader = try LogReader(directory: logDirectory)
            head = try reader.head()
        } catch {
            throw ProjectionError(.log, context: "opening \(logDirectory)", cause: error.description)
        }
        guard from <= head.nextOffset else {
            throw ProjectionError(.configuration, context: "--from \(from)", cause: "the log's head is at offset \(head.nextOffset)")
        }
        let session = PostgresSession(try await configuration.connect(logger: logger))
        do {
            let result = try await run(from: from, head: head, reader: reader, on: session, progress: progress)
            await session.close()
            return result
        } catch {
            await session.close()
            throw PostgresErrorClassification.projectionError(error, context: "replaying into \(configuration)")
        }
    }

    private func run(from: UInt64, head: HeadRecord, reader: LogReader, on session: PostgresSession,
                     progress: (@Sendable (UInt64, UInt64) -> Void)?) async throws -> ReplayResult {
        var phases = ReplayPhases()

        let rows = try await session.query(PostgresQuery(unsafeSQL: PostgresAnalyticsTarget.lockSQL(schema: schema, name: projector)), logger: logger)
        var locked = false
        for try await b in rows.decode(Bool.self) { locked = b }
        guard locked else {
            throw ProjectionError(.locked, context: "replay of \(projector) on \(configuration)",
                                  cause: "`ledger project \(projector)` is running on this schema; stop it (readers keep reading), replay, then start it again")
        }

        // The live checkpoint bounds a partial rebuild: the prefix comes from the live tables.
        let migrator = PostgresMigrator(schema: schema)
        let liveExists = !(try await migrator.appliedVersions(on: session, logger: logger)).isEmpty
        if from > 0 {
            guard liveExists, let live = try await PostgresAnalyticsTarget.checkpoint(session, schema: schema, projector: projector, logger: logger) else {
                throw ProjectionError(.configuration, context: "--from \(from)", cause: "\(schema) holds no projection to keep the rows before it; replay --from 0")
            }
            try live.verify(against: reader)
            guard from <= live.nextOffset else {
                throw ProjectionError(.configuration, context: "--from \(from)",
                                      cause: "the live projection has only reached offset \(live.nextOffset); replay from at most that, or run `ledger project \(projector) --once` first")
            }
        }

        // A fresh shadow schema (a crashed replay may have left one).
        let shadow = shadowSchema
        try await session.execute("DROP SCHEMA IF EXISTS \(shadow) CASCADE", logger: logger)
        try await session.execute("DELETE FROM public.ledger_migrations WHERE schema_name = '\(shadow)'", logger: logger)
        try await PostgresMigrator(schema: shadow).up(on: session, logger: logger)
        try await session.execute("SET search_path TO \(shadow), public", logger: logger)
        // The shadow's tables are loaded without indexes, which are built after the bulk writes
        // (sorted builds instead of a B-tree insert per row).
        let dropped = try await dropIndexes(on: session)
        let derivedTables: Set<String> = [AnalyticsSchema.alsoBought]
        let entityIndexes = dropped.filter { !derivedTables.contains($0.table) }
        let derivedIndexes = dropped.filter { derivedTables.contains($0.table) }
        if from > 0 {
            for t in AnalyticsSchema.entityTables {
                try await session.execute("INSERT INTO \(shadow).\(t.name) SELECT * FROM \(schema).\(t.name) WHERE _offset < \(from)", logger: logger)
            }
            try await session.execute("INSERT INTO \(shadow).projector_dead_letters SELECT * FROM \(schema).projector_dead_letters WHERE projector = '\(projector)' AND event_offset < \(from)", logger: logger)
            try await session.execute("INSERT INTO \(shadow).ingest_state SELECT * FROM \(schema).ingest_state WHERE last_offset < \(from)", logger: logger)
            // The merge below needs the keys.
            try await Self.restore(entityIndexes, schema: shadow, on: session, logger: logger)
        }
        phases.lap("prepare")

        // Read and net the range.
        var buffer = AnalyticsReplay<PostgresBinaryRows>()
        _ = try await BatchReader.forEachChunk(of: reader, from: from, limit: head.nextOffset, progress: progress) { events in
            for e in events { buffer.add(e) }
        }
        guard buffer.events == Int(head.nextOffset - from) else {
            throw ProjectionError(.log, context: "reading \(logDirectory)", cause: "read \(buffer.events) events from offset \(from), expected \(head.nextOffset - from)")
        }
        progress?(head.nextOffset, head.nextOffset)
        phases.lap("read")

        // A full rebuild computes and loads `also_bought`, with its indexes, on another connection
        // while this one loads the entity tables (`basket_lines` is a view of `sales`).
        var derived: [Task<Void, any Error>] = []
        if from == 0 {
            let inputs = buffer.coOccurrenceInputs()
            derived.append(Task.detached { [configuration, logger, shadow] in
                let c = PostgresSession(try await configuration.connect(id: 2, logger: logger))
                do {
                    try await Self.loadPairs(inputs, indexes: derivedIndexes, schema: shadow, on: c, logger: logger)
                } catch {
                    await c.close()
                    throw error
                }
                await c.close()
            })
        }

        // The co-occurrence connections end before any error is reported: none outlives the replay.
        do {
            // Load the entity tables.
            for t in buffer.tables {
                let target = from == 0 ? t.table.name : "ledger_stage_\(t.table.name)"
                if from > 0 {
                    try await session.execute("CREATE TEMP TABLE \(target) (LIKE \(shadow).\(t.table.name))", logger: logger)
                }
                if t.liveRows > 0 {
                    try await session.perform { [logger] c in
                        try await c.copyBinary(into: target, logger: logger) { writer in
                            var row = 0
                            while let chunk = t.chunk(from: &row) { if chunk.readableBytes > 0 { try await writer.write(chunk) } }
                        }
                    }
                }
                if from > 0 {
                    try await session.execute(PostgresAnalyticsTarget.mergeSQL(t.table, from: "\(target) x", into: shadow), logger: logger)
                    try await session.execute("DROP TABLE \(target)", logger: logger)
                    let keys = Array(t.deletedKeys)
                    let ints = keys.compactMap(\.bigint)
                    let texts = keys.compactMap { if case .text(let s) = $0 { s } else { nil } }
                    if !ints.isEmpty {
                        _ = try await session.query("DELETE FROM \(unescaped: shadow).\(unescaped: t.table.name) WHERE \(unescaped: t.table.key.name) = ANY(\(ints))", logger: logger)
                    }
                    if !texts.isEmpty {
                        _ = try await session.query("DELETE FROM \(unescaped: shadow).\(unescaped: t.table.name) WHERE \(unescaped: t.table.key.name) = ANY(\(texts))", logger: logger)
                    }
                }
            }
            phases.lap("load")

            // Co-occurrence from the rebuilt sales: from the netted rows for a full rebuild (loading meanwhile
            // on the other connection), else grouped from the shadow's sales.
            if from == 0 {
                try await Self.restore(entityIndexes, schema: shadow, on: session, logger: logger)
                phases.lap("indexes")
                for d in derived { try await d.value }
            } else {
                var shadowConfiguration = configuration
                shadowConfiguration.schema = shadow
                let inputs = try await PostgresAnalytics(configuration: shadowConfiguration, connection: session, logger: logger).coOccurrenceInputs()
                try await Self.loadPairs(inputs, indexes: derivedIndexes, schema: shadow, on: session, logger: logger)
            }
            phases.lap("co-occurrence")
        } catch {
            for d in derived { _ = try? await d.value }
            throw error
        }

        // Dead letters, ingest_state and the checkpoint.
        let checkpoint: ProjectionCheckpoint
        if let last = buffer.last {
            checkpoint = ProjectionCheckpoint(nextOffset: last.offset + 1, lastHash: last.hash)
        } else {
            checkpoint = from == 0 ? .start : try await PostgresAnalyticsTarget.checkpoint(session, schema: schema, projector: projector, logger: logger) ?? .start
        }
        try await PostgresAnalyticsTarget.writeState(deadLetters: buffer.deadLetters, lastEvents: buffer.lastEvents, checkpoint: checkpoint,
                                                     projector: projector, schema: shadow, on: session, logger: logger)
        try await session.execute("ANALYZE \(shadow).sales", logger: logger)
        phases.lap("finish")

        // The swap: one transaction, so readers see the old tables or the new ones, never neither.
        let retired = retiredSchema
        try await session.execute("BEGIN", logger: logger)
        do {
            try await session.execute("DROP SCHEMA IF EXISTS \(retired) CASCADE", logger: logger)
            if liveExists { try await session.execute("ALTER SCHEMA \(schema) RENAME TO \(retired)", logger: logger) }
            try await session.execute("ALTER SCHEMA \(shadow) RENAME TO \(schema)", logger: logger)
            try await session.execute("DELETE FROM public.ledger_migrations WHERE schema_name = '\(schema)'", logger: logger)
            try await session.execute("UPDATE public.ledger_migrations SET schema_name = '\(schema)' WHERE schema_name = '\(shadow)'", logger: logger)
            if liveExists { try await session.execute("DROP SCHEMA \(retired) CASCADE", logger: logger) }
            try await session.execute("COMMIT", logger: logger)
        } catch {
            _ = try? await session.query("ROLLBACK", logger: logger)
            throw error
        }
        phases.lap("swap")

        let counts = try await PostgresAnalytics(configuration: configuration, connection: session, logger: logger).rowCounts()
        logger.info("replay done", metadata: ["schema": "\(schema)", "from": "\(from)", "checkpoint": "\(checkpoint)", "events": "\(buffer.events)"])
        return ReplayResult(from: from, checkpoint: checkpoint, events: buffer.events, deadLettered: buffer.deadLetters.count, rows: counts, phases: phases.phases)
    }

    /// COPYs the `also_bought` rows computed from `inputs` (ordered by receipt) into `schema` (set as
    /// the search path of `c`), then builds its dropped `indexes`.
    static func loadPairs(_ inputs: [CoOccurrenceInput], indexes: [DroppedIndex], schema: String,
                          on c: PostgresSession, logger: Logger) async throws {
        var rows = PostgresCopyBinary()
        for (p, n) in CoOccurrence.sortedPairs(of: inputs) { rows.append([.text(p.a), .text(p.b), .bigint(n)]) }
        try await c.execute("SET search_path TO \(schema), public", logger: logger)
        try await c.perform { [rows] connection in try await connection.copy(rows, into: AnalyticsSchema.alsoBought, logger: logger) }
        try await restore(indexes, schema: schema, on: c, logger: logger)
    }

    /// An index of the shadow schema dropped before a bulk load: its definition, and whether it backs the primary key.
    struct DroppedIndex {
        var table: String
        var name: String
        var definition: String
        var isPrimaryKey: Bool
    }

    /// Drops every index of the shadow's loaded tables (primary keys as constraints) and returns them.
    private func dropIndexes(on c: PostgresSession) async throws -> [DroppedIndex] {
        let tables = AnalyticsSchema.projectedTables
        let rows = try await c.query("""
            SELECT x.tablename::text, x.indexname::text, x.indexdef,
                   EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
                           WHERE n.nspname = x.schemaname AND k.conname = x.indexname AND k.contype = 'p')
            FROM pg_indexes x WHERE x.schemaname = \(shadowSchema) AND x.tablename = ANY(\(tables))
            """, logger: logger)
        var out: [DroppedIndex] = []
        for try await (t, n, d, pk) in rows.decode((String, String, String, Bool).self) {
            out.append(DroppedIndex(table: t, name: n, definition: d, isPrimaryKey: pk))
        }
        for i in out {
            try await c.execute(i.isPrimaryKey ? "ALTER TABLE \(shadowSchema).\(i.table) DROP CONSTRAINT \(i.name)" : "DROP INDEX \(shadowSchema).\(i.name)", logger: logger)
        }
        return out
    }

    /// Builds the dropped indexes again and restores the primary keys on them.
    private static func restore(_ dropped: [DroppedIndex], schema: String, on c: PostgresSession, logger: Logger) async throws {
        guard !dropped.isEmpty else { return }
        try await c.execute("SET maintenance_work_mem = '256MB'", logger: logger)
        for i in dropped {
            try await c.execute(i.definition, logger: logger)
            if i.isPrimaryKey { try await c.execute("ALTER TABLE \(schema).\(i.table) ADD CONSTRAINT \(i.name) PRIMARY KEY USING INDEX \(i.name)", logger: logger) }
        }
        try await c.execute("RESET maintenance_work_mem", logger: logger)
    }
}
