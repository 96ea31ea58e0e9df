import ArgumentParser
import Foundation
import LedgerLog
import LedgerPostgres
import LedgerProjection
import Logging
import PostgresNIO
import LedgerTestKit

#if canImport(Glibc)
import Glibc
#endif

/// The Postgres projection's figures (BENCHMARKS.md, "Projections: Postgres"): a replay of a whole
/// log into an empty schema against `psql \copy` of the same rows into the same tables, in the
/// same run, as text (psql's default) and as binary (what the replay sends); the incremental batch
/// applied by the live projector; lag under a steady write rate.
struct PostgresBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "postgres", subcommands: [Replay.self, Incremental.self, Lag.self])

    static func logger() -> Logger {
        var l = Logger(label: "bench")
        l.logLevel = .warning
        return l
    }

    static func configuration(_ dsn: String, schema: String) throws -> PostgresConfiguration {
        var c = try PostgresConfiguration(dsn: dsn)
        c.schema = schema
        return c
    }

    /// Runs `sql` statements on a connection of its own.
    static func exec(_ c: PostgresConfiguration, _ sql: [String]) async throws {
        let conn = try await c.connect(logger: logger())
        for s in sql { _ = try await conn.query(PostgresQuery(unsafeSQL: s), logger: logger()) }
        try await conn.close()
    }

    static func dropSchemas(_ c: PostgresConfiguration) async throws {
        let conn = try await c.connect(logger: logger())
        _ = try await PostgresMigrator(schema: c.schema).appliedVersions(on: conn, logger: logger())   // creates its table
        try await conn.close()
        try await exec(c, ["DROP SCHEMA IF EXISTS \(c.schema) CASCADE", "DROP SCHEMA IF EXISTS \(c.schema)_shadow CASCADE",
                           "DELETE FROM public.ledger_migrations WHERE schema_name IN ('\(c.schema)', '\(c.schema)_shadow')"])
    }

    /// Runs `commands` in one psql into the freshly migrated, empty schema of `ref`; returns psql's wall time.
    static func psqlCopy(_ commands: [String], _ ref: PostgresConfiguration) async throws -> Double {
        try await dropSchemas(ref)
        let conn = try await ref.connect(logger: logger())
        try await PostgresMigrator(schema: ref.schema).up(on: conn, logger: logger())
        try await conn.close()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", ref.server.host, "-p", String(ref.server.port), "-U", ref.user, "-d", ref.database]
            + commands.flatMap { ["-c", $0] }
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = ref.password ?? ""
        p.environment = env
        let c0 = Workload.now()
        try p.run()
        p.waitUntilExit()
        let dt = Workload.now() - c0
        guard p.terminationStatus == 0 else { throw ValidationError("psql \\copy failed") }
        return dt
    }

    struct Replay: AsyncParsableCommand {
        @Option(help: "An existing log directory.") var log: String
        @Option(help: "postgres://user:password@host:port/database") var dsn: String
        @Option(help: "Where the reference's COPY files go.") var scratch = "/tmp"
        @Option var runs = 3

        func run() async throws {
            let c = try PostgresBench.configuration(dsn, schema: "bench_replay")
            let ref = try PostgresBench.configuration(dsn, schema: "bench_copy")

            // The references' input: the same netted rows the replay loads, as COPY files in the text
            // format (psql's default) and in the binary format (what the replay sends).
            var buffer = AnalyticsReplay<PostgresCopyRows>()
            var binary = AnalyticsReplay<PostgresBinaryRows>()
            let reader = try LogReader(directory: log)
            let cursor = try reader.cursor(from: 0)
            while let e = try cursor.next() {
                buffer.add(e)
                binary.add(e)
            }
            var files: [(table: String, path: String)] = []
            var binaryFiles: [(table: String, path: String)] = []
            for (t, b) in zip(buffer.tables, binary.tables) {
                let path = scratch + "/ledger-bench-\(t.table.name).copy"
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                var row = 0
                while let chunk = t.chunk(from: &row) { h.write(Data(chunk)) }
                try h.close()
                files.append((t.table.name, path))

                let binaryPath = scratch + "/ledger-bench-\(t.table.name).bin"
                _ = FileManager.default.createFile(atPath: binaryPath, contents: nil)
                let hb = try FileHandle(forWritingTo: URL(fileURLWithPath: binaryPath))
                hb.write(Data(PostgresCopyBinary.header))
                row = 0
                while let chunk = b.chunk(from: &row) { hb.write(Data(chunk.readableBytesView)) }
                hb.write(Data(PostgresCopyBinary.trailer))
                try hb.close()
                binaryFiles.append((t.table.name, binaryPath))
            }
            defer { for f in files + binaryFiles { unlink(f.path) } }
            print("events \(buffer.events)")
            print("rows " + buffer.tables.map { "\($0.table.name)=\($0.liveRows)" }.joined(separator: " "))

            var replayS: [Double] = [], copyS: [Double] = [], binaryCopyS: [Double] = [], cooccurrenceS: [Double] = []
            for r in 0..<runs {
                try await PostgresBench.dropSchemas(c)
                let t0 = Workload.now()
                let result = try await PostgresReplay(configuration: c, logDirectory: log, logger: PostgresBench.logger()).run(from: 0)
                let dt = Workload.now() - t0
                replayS.append(dt)
                cooccurrenceS.append(result.phases.first { $0.name == "co-occurrence" }?.seconds ?? 0)
                let phases = result.phases.map { "\($0.name) \(String(format: "%.2f", $0.seconds))" }.joined(separator: ", ")
                print("run \(r + 1): replay \(String(format: "%.2f", dt)) s = \(Int(Double(result.events) / dt)) events/s (\(phases))")

                // psql \copy of the same rows into the same (freshly migrated, empty) tables, as text, then binary.
                let cdt = try await PostgresBench.psqlCopy(files.map { "\\copy \(ref.schema).\($0.table) FROM '\($0.path)'" }, ref)
                copyS.append(cdt)
                let bdt = try await PostgresBench.psqlCopy(binaryFiles.map { "\\copy \(ref.schema).\($0.table) FROM '\($0.path)' (FORMAT binary)" }, ref)
                binaryCopyS.append(bdt)
                print("run \(r + 1): psql \\copy \(String(format: "%.2f", cdt)) s; ratio \(String(format: "%.2f", dt / cdt)); binary \(String(format: "%.2f", bdt)) s; ratio \(String(format: "%.2f", dt / bdt))")
            }
            try await PostgresBench.dropSchemas(ref)
            let m = Workload.median(replayS), mc = Workload.median(copyS)
            print("median_replay_s \(String(format: "%.2f", m))")
            print("median_replay_events_per_s \(Int(Double(buffer.events) / m))")
            print("median_psql_copy_s \(String(format: "%.2f", mc))")
            print("median_ratio_replay_to_copy \(String(format: "%.2f", m / mc))")
            let mb = Workload.median(binaryCopyS)
            print("median_psql_binary_copy_s \(String(format: "%.2f", mb))")
            print("median_ratio_replay_to_binary_copy \(String(format: "%.2f", m / mb))")
            print("median_cooccurrence_sql_s \(String(format: "%.2f", Workload.median(cooccurrenceS)))")
        }
    }

    struct Incremental: AsyncParsableCommand {
        @Option(help: "The log after the backfill.") var backfillLog: String
        @Option(help: "The same log continued with the incremental batch.") var fullLog: String
        @Option var dsn: String
        @Option var runs = 3
        @Option(help: "Events per projector batch (one transaction).") var batchSize = ProjectorConfiguration().batchSize
        @Flag(help: "Load the replayed tables and indexes into the server's shared buffers first (pg_prewarm), as a server that has been serving them holds them; the replay's COPY and index builds bypass those buffers.")
        var prewarm = false

        func run() async throws {
            let c = try PostgresBench.configuration(dsn, schema: "bench_incremental")
            var times: [Double] = []
            var applied = 0
            for r in 0..<runs {
                try await PostgresBench.dropSchemas(c)
                // The backfill's state, built by a replay (equal to an incremental build), untimed.
                _ = try await PostgresReplay(configuration: c, logDirectory: backfillLog, logger: PostgresBench.logger()).run(from: 0)
                if prewarm {
                    try await PostgresBench.exec(c, ["CREATE EXTENSION IF NOT EXISTS pg_prewarm", """
                        SELECT pg_prewarm(c.oid::regclass) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = '\(c.schema)' AND c.relkind IN ('r', 'i')
                        """])
                }
                // The replay writes about 0.5 GB of WAL, so the server starts a checkpoint after it
                // (max_wal_size) that writes its buffers for about 10 s: it ran through the timed batch
                // or not, by chance, and moved it by a tenth. The state is checkpointed first, untimed.
                try await PostgresBench.exec(c, ["CHECKPOINT"])
                let target = PostgresAnalyticsTarget(configuration: c, logger: PostgresBench.logger())
                let projector = Projector(logDirectory: fullLog, target: target, configuration: ProjectorConfiguration(batchSize: batchSize),
                                          logger: PostgresBench.logger())
                let t0 = Workload.now()
                let from = try await projector.start().nextOffset
                let cp = try await projector.runOnce()
                let dt = Workload.now() - t0
                await target.close()
                applied = Int(cp.nextOffset - from)
                times.append(dt)
                print("run \(r + 1): \(applied) events (offsets \(from)..<\(cp.nextOffset)) in \(String(format: "%.3f", dt)) s")
            }
            try await PostgresBench.dropSchemas(c)
            print("incremental_events \(applied)")
            print("median_incremental_s \(String(format: "%.3f", Workload.median(times)))")
        }
    }

    struct Lag: AsyncParsableCommand {
        @Option(help: "A log directory to create (removed first).") var log: String
        @Option var dsn: String
        @Option(help: "Events per second written.") var rate = 10_000
        @Option(help: "Seconds of steady writing.") var seconds = 20
        @Option(help: "Writer commits per second.") var commitsPerSecond = 100

        func run() async throws {
            Workload.removeDirectory(log)
            let c = try PostgresBench.configuration(dsn, schema: "bench_lag")
            try await PostgresBench.dropSchemas(c)
            let writer = try LogWriter(directory: log, logger: PostgresBench.logger())
            // Commit times by the last offset of each commit; the projector's progress closes them.
            let commits = LockedValue<[(next: UInt64, at: Double)]>([])
            let lags = LockedValue<[Double]>([])
            let target = PostgresAnalyticsTarget(configuration: c, logger: PostgresBench.logger())
            let projector = Projector(logDirectory: log, target: target, configuration: ProjectorConfiguration(batchSize: 10_000),
                                      logger: PostgresBench.logger())
            projector.onProgress = { p in
                let now = Workload.now()
                let done = commits.withLock { list -> [Double] in
                    var out: [Double] = []
                    while let first = list.first, first.next <= p.checkpoint.nextOffset {
                        out.append(now - first.at)
                        list.removeFirst()
                    }
                    return out
                }
                lags.withLock { $0 += done }
            }
            let follow = Task { try await projector.run() }
            try await Task.sleep(for: .milliseconds(300))
            // The writer runs on a thread of its own, so its sleeps never hold a thread of the
            // concurrency pool the projector runs on.
            let rate = rate, seconds = seconds, commitsPerSecond = commitsPerSecond
            let written: (events: Int64, start: Double) = try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    do {
                        let start = Workload.now()
                        var id: Int64 = 0
                        var rng = SystemRandomNumberGenerator()
                        for k in 0..<(seconds * commitsPerSecond) {
                            let due = start + Double(k) / Double(commitsPerSecond)
                            let wait = due - Workload.now()
                            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
                            var batch: [NewEvent] = []
                            for _ in 0..<(rate / commitsPerSecond) {
                                id += 1
                                batch.append(try NewEvent(source: "bench", entity: "sales", keyFields: ["sale_id"], fields: [
                                    Field("sale_id", .integer(id)), Field("receipt_no", .integer(id / 4)),
                                    Field("product_code", .string("P\(Int.random(in: 0..<200, using: &rng))")),
                                    Field("qty", .decimal(LedgerDecimal("1")!)), Field("total", .decimal(LedgerDecimal("12.50")!)),
                                ]))
                            }
                            let receipt = try writer.append(batch)
                            commits.withLock { $0.append((receipt.nextOffset, Workload.now())) }
                        }
                        continuation.resume(returning: (id, start))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.start()
            }
            let id = written.events, start = written.start
            let elapsed = Workload.now() - start
            // Let the projector drain, then stop it.
            while commits.withLock({ !$0.isEmpty }) && Workload.now() - start < elapsed + 30 { try await Task.sleep(for: .milliseconds(20)) }
            follow.cancel()
            _ = try? await follow.value
            await target.close()
            writer.close()
            let ms = lags.withLock { $0 }.map { $0 * 1000 }
            print("events \(id) in \(String(format: "%.1f", elapsed)) s = \(Int(Double(id) / elapsed)) events/s written, \(commitsPerSecond) commits/s")
            print("lag_samples \(ms.count)")
            print("lag_p50_ms \(String(format: "%.1f", Workload.percentile(ms, 0.50)))")
            print("lag_p99_ms \(String(format: "%.1f", Workload.percentile(ms, 0.99)))")
            print("lag_max_ms \(String(format: "%.1f", ms.max() ?? 0))")
            try await PostgresBench.dropSchemas(c)
            Workload.removeDirectory(log)
        }
    }
}
