import LedgerCore
import LedgerLog
import LedgerPostgres
import LedgerProjection
import LedgerSQLite
import LedgerTestKit
import Logging
import PostgresNIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension LedgerServerTests {
    /// The Postgres analytics projection against the live server: ground truth, replay equality,
    /// the lock, the checkpoint guard, poison events, SIGKILL, a server restart and the end of the
    /// reading connection.
    @Suite struct PostgresProjectionTests {
        @discardableResult
        static func project(log: String, into scratch: PostgresScratch, batchSize: Int = 10_000) async throws -> ProjectionCheckpoint {
            try await ProjectionWorkload.project(log: log, into: scratch.target(), batchSize: batchSize)
        }

        /// Builds the workload's full log cleanly in one scratch schema, then runs `body` with the log,
        /// a second scratch schema and the clean build's checksums, which a faulted run must end with.
        static func againstACleanBuild(_ body: (String, PostgresScratch, [String: String]) async throws -> Void) async throws {
            let w = try ProjectionWorkload.shared.get()
            try await PostgresScratch.with { clean, faulted in
                try await project(log: w.fullLog, into: clean)
                try await body(w.fullLog, faulted, try await checksums(clean))
            }
        }

        /// Batches of 23 events, so a fault lands mid-run; a transient failure is retried `attempts`
        /// times, from `delay` up to `maxDelay` apart.
        static func smallBatches(delay: Duration, maxDelay: Duration, attempts: Int) -> ProjectorConfiguration {
            var configuration = ProjectorConfiguration(batchSize: 23)
            configuration.retry.initialDelay = delay
            configuration.retry.maxDelay = maxDelay
            configuration.retry.maxAttempts = attempts
            return configuration
        }

        static func checksums(_ scratch: PostgresScratch) async throws -> [String: String] {
            let a = try await scratch.analytics()
            defer { Task { await a.close() } }
            return try await a.tableChecksums()
        }

        @Test func groundTruthAndEqualityWithSQLite() async throws {
            let w = try ProjectionWorkload.shared.get()
            try await PostgresScratch.with { scratch in
                try await Self.project(log: w.fullLog, into: scratch, batchSize: 1000)
                let pg = try await scratch.analytics()
                defer { Task { await pg.close() } }

                let expected = try w.expected()
                let rows = try #require(expected["rows_after_delta"] as? [String: Int])
                let counts = try await pg.rowCounts()
                for (table, n) in rows { #expect(counts[table] == n, "\(table)") }
                let total = try #require(expected["sales_total_sum_after_delta"] as? String)
                #expect(LedgerDecimal(try await pg.salesTotal()) == LedgerDecimal(total))
                let top = try #require(expected["top10_pairs_after_delta"] as? [[String: Any]])
                let want = top.map { "\($0["a"]!)|\($0["b"]!)|\($0["receipts"]!)" }
                #expect(try await pg.topPairs(10).map { "\($0.pair.a)|\($0.pair.b)|\($0.receipts)" } == want)

                // Every pair equals a recomputation from the co-occurrence inputs.
                var baskets: [Int64: Set<ExactText>] = [:]
                for i in try await pg.coOccurrenceInputs() { baskets[i.receiptNo, default: []].insert(ExactText(i.productCode)) }
                let pairs = CoOccurrence.pairs(of: baskets.values)
                #expect(Int(try await scratch.scalar("SELECT count(*)::text FROM \(scratch.schema).also_bought") ?? "") == pairs.count)

                // The SQLite projection of the same log holds the same numbers.
                let dir = TemporaryDirectory("ledger-pg")
                defer { dir.remove() }
                try await ProjectionWorkload.project(log: w.fullLog, db: dir.path + "/a.sqlite")
                let lite = try SQLiteAnalytics(path: dir.path + "/a.sqlite")
                #expect(try lite.rowCounts() == counts)
                #expect(try lite.pairs() == pairs)
                #expect(try lite.coOccurrenceInputs() == (try await pg.coOccurrenceInputs()))
                #expect(try lite.bestSellers(top: 20) == (try await pg.bestSellers(top: 20)))
                let popular = try #require(try lite.topPairs(1).first).pair.a
                #expect(try lite.alsoBought(popular, top: 8) == (try await pg.alsoBought(popular, top: 8)))

                // Customers, as the SQLite test checks them.
                let customers = try await scratch.scalar("""
                    SELECT string_agg(concat_ws('|', customer_id, coalesce(name, ''), coalesce(phone, ''), coalesce(email, ''),
                        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), E'\\n' ORDER BY customer_id)
                    FROM \(scratch.schema).customers
                    """)
                #expect(customers == FixtureCustomers.table(afterDelta: true).map(\.expectedRow).joined(separator: "\n"))

                // ingest_state and the dashboard view.
                let status = try await scratch.scalar("SELECT string_agg(entity || '=' || row_count, ',' ORDER BY entity) FROM \(scratch.schema).sync_status")
                #expect(status == "customers=\(FixtureCustomers.table(afterDelta: true).count),products=\(rows["products"]!),receipts=\(rows["receipts"]!),sales=\(rows["sales"]!)")
                var last: [String: UInt64] = [:]
                let cursor = try LogReader(directory: w.fullLog).cursor(from: 0)
                while let e = try cursor.next() {
                    if e.op != .checkpoint { last[e.entity] = e.offset }
                }
                let ingest = try await scratch.scalar("SELECT string_agg(entity || '=' || last_offset, ',' ORDER BY entity) FROM \(scratch.schema).ingest_state")
                #expect(ingest == last.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
            }
        }

        @Test func incrementalEqualsReplayFromZeroAndFromAnOffset() async throws {
            let w = try ProjectionWorkload.shared.get()
            try await PostgresScratch.with { incremental, replayed in
                // Incremental: the backfill log, then the same log continued with the delta, in small batches.
                try await Self.project(log: w.backfillLog, into: incremental, batchSize: 97)
                let expected = try w.expected()
                let afterBackfill = try #require(expected["rows_after_backfill"] as? [String: Int])
                let a = try await incremental.analytics()
                let counts = try await a.rowCounts()
                await a.close()
                for (table, n) in afterBackfill { #expect(counts[table] == n, "\(table)") }
                try await Self.project(log: w.fullLog, into: incremental, batchSize: 97)
                let want = try await Self.checksums(incremental)
                #expect(want.count == 6)

                // A replay from 0 into an empty schema, through the CLI.
                let r0 = try ProjectionWorkload.ledger(["replay", "postgres", "--from", "0", "--log", w.fullLog, "--dsn", replayed.dsn])
                #expect(r0.output.contains("swapped into \(replayed.schema)"))
                #expect(try await Self.checksums(replayed) == want)
                // Replays from offsets inside the backfill and inside the delta keep the rows before them.
                let backfillHead = try LogReader(directory: w.backfillLog).head().nextOffset
                for from in [backfillHead / 2, backfillHead + 3] {
                    try ProjectionWorkload.ledger(["replay", "postgres", "--from", String(from), "--log", w.fullLog, "--dsn", replayed.dsn])
                    #expect(try await Self.checksums(replayed) == want, "replay --from \(from)")
                }
                // After the swap the projector resumes at the replay's checkpoint: nothing left to apply.
                let r = try ProjectionWorkload.ledger(["project", "postgres", "--once", "--log", w.fullLog, "--dsn", replayed.dsn])
                #expect(r.output.contains("0 applied"))
                #expect(try await Self.checksums(replayed) == want)
                // No shadow schema is left behind.
                #expect(try await replayed.scalar("SELECT count(*)::text FROM pg_namespace WHERE nspname LIKE '\(replayed.schema)\\_%'") == "0")

                // Replaying from beyond the live checkpoint is refused (exit 64), as is a replay into a schema without a projection.
                let empty = PostgresScratch()
                let refused = try Command.run([PackagePaths.ledgerBinary(), "replay", "postgres", "--from", "5", "--log", w.fullLog, "--dsn", empty.dsn])
                #expect(refused.status == 64)
                #expect(refused.error.contains("no projection to keep the rows before it"))
                await empty.drop()
            }
        }

        /// Readers keep reading the live tables during a replay, and see the old rows or the new ones.
        @Test func readersKeepReadingDuringAReplay() async throws {
            let w = try ProjectionWorkload.shared.get()
            try await PostgresScratch.with { scratch in
                try await Self.project(log: w.backfillLog, into: scratch)
                let before = try await scratch.scalar("SELECT count(*)::text FROM \(scratch.schema).sales")
                let expected = try w.expected()
                let after = try #require(expected["rows_after_delta"] as? [String: Int])["sales"]
                let replay = Task.detached {
                    try ProjectionWorkload.ledger(["replay", "postgres", "--from", "0", "--log", w.fullLog, "--dsn", scratch.dsn])
                }
                var seen = Set<String>()
                var reads = 0
                // Reads until the new rows show, for two minutes at most (a failed replay ends the test below).
                let deadline = ContinuousClock.now + .seconds(120)
                try await scratch.withConnection { c in
                    while ContinuousClock.now < deadline {
                        let rows = try await c.query(PostgresQuery(unsafeSQL: "SELECT count(*)::text FROM \(scratch.schema).sales"), logger: scratch.logger)
                        for try await n in rows.decode(String.self) { seen.insert(n) }
                        reads += 1
                        if seen.contains(String(after!)) { break }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                _ = try await replay.value
                #expect(reads > 1)
                #expect(seen.isSubset(of: [before!, String(after!)]))
            }
        }

        @Test func secondInstanceIsRefused() async throws {
            let w = try ProjectionWorkload.shared.get()
            try await PostgresScratch.with { scratch in
                let first = scratch.target()
                try await first.acquireLock()
                let second = scratch.target()
                let error = await #expect(throws: ProjectionError.self) { try await second.acquireLock() }
                #expect(error?.code == .locked)

                // The CLI exits 75 with a clear message; so does a replay, which needs the same lock.
                let r = try Command.run([PackagePaths.ledgerBinary(), "project", "postgres", "--once", "--log", w.fullLog, "--dsn", scratch.dsn])
                #expect(r.status == 75)
                #expect(r.error.contains("another instance holds its advisory lock"))
                #expect(!r.error.contains(ServerEnvironment.postgres.password + "@"))
                let replay = try Command.run([PackagePaths.ledgerBinary(), "replay", "postgres", "--from", "0", "--log", w.fullLog, "--dsn", scratch.dsn])
                #expect(replay.status == 75)
                #expect(replay.error.contains("is running on this schema"))
                await first.close()
                await second.close()

                // Once released, the lock can be taken again.
                try await Self.project(log: w.fullLog, into: scratch)
            }
        }

        @Test func checkpointFromAnotherLogIsRefused() async throws {
            let w = try ProjectionWorkload.shared.get()
            try await PostgresScratch.with { scratch in
                try await Self.project(log: w.fullLog, into: scratch)
                let other = TemporaryDirectory("ledger-pg-other")
                defer { other.remove() }
                let writer = try LogWriter(directory: other.path, logger: scratch.logger)
                for i in 0..<3 {
                    _ = try writer.append([try NewEvent(source: "pos", entity: "products", keyFields: ["product_id"],
                                                        fields: [Field("product_id", .string("X\(i)"))])])
                }
                writer.close()
                let error = await #expect(throws: ProjectionError.self) { try await Self.project(log: other.path, into: scratch) }
                #expect(error?.code == .checkpointMismatch)
                let r = try Command.run([PackagePaths.ledgerBinary(), "project", "postgres", "--once", "--log", other.path, "--dsn", scratch.dsn])
                #expect(r.status == 65)
                #expect(r.error.contains("checkpoint does not match the log"))
            }
        }

        @Test func poisonEventsAreDeadLetteredAndLaterEventsLand() async throws {
            let log = TemporaryDirectory("ledger-pg-poison")
            defer { log.remove() }
            try await PostgresScratch.with { scratch in
                func sale(_ id: Int64, receipt: FieldValue, code: String) throws -> NewEvent {
                    try NewEvent(source: "pos", entity: "sales", keyFields: ["sale_id"], fields: [
                        Field("sale_id", .integer(id)), Field("receipt_no", receipt), Field("product_code", .string(code)),
                        Field("total", .decimal(LedgerDecimal("10.50")!)),
                    ])
                }
                let writer = try LogWriter(directory: log.path, logger: scratch.logger)
                _ = try writer.append([
                    try sale(1, receipt: .integer(10), code: "a"),
                    try sale(2, receipt: .string("not a number"), code: "b"),
                    try sale(3, receipt: .integer(10), code: "c\u{0}"),
                    try sale(4, receipt: .integer(10), code: "c"),
                ])
                _ = try writer.append([try sale(5, receipt: .integer(10), code: "d")])
                writer.close()
                let cp = try await Self.project(log: log.path, into: scratch, batchSize: 2)
                #expect(cp.nextOffset == 5)
                let pg = try await scratch.analytics()
                let letters = try await pg.deadLetters(projector: "postgres")
                #expect(letters.map(\.offset) == [1, 2])
                #expect(letters.first?.reason.contains("receipt_no") == true)
                #expect(letters.last?.reason.contains("NUL") == true)
                #expect(try await pg.rowCounts()["sales"] == 3)
                #expect(try await pg.topPairs(10).map { "\($0.pair)=\($0.receipts)" } == ["(a, c)=1", "(a, d)=1", "(c, d)=1"])
                #expect(try await pg.salesTotal() == "31.5")
                await pg.close()
                // A replay dead-letters the same events.
                let before = try await Self.checksums(scratch)
                try ProjectionWorkload.ledger(["replay", "postgres", "--from", "0", "--log", log.path, "--dsn", scratch.dsn])
                #expect(try await Self.checksums(scratch) == before)
                #expect(try await scratch.scalar("SELECT string_agg(event_offset::text, ',' ORDER BY event_offset) FROM \(scratch.schema).projector_dead_letters") == "1,2")
            }
        }

        /// Keys and codes are bytes: "é" and "e" with a combining accent are two products, two basket
        /// lines and a pair, live and after a replay, as the SQLite projection's test checks.
        @Test func canonicallyEquivalentKeysAndCodesStayApart() async throws {
            let log = TemporaryDirectory("ledger-pg-bytes")
            defer { log.remove() }
            try await PostgresScratch.with { scratch in
                let composed = "\u{E9}", decomposed = "e\u{301}"
                func product(_ id: String) throws -> NewEvent {
                    try NewEvent(source: "pos", entity: "products", keyFields: ["product_id"], fields: [Field("product_id", .string(id)), Field("code", .string(id))])
                }
                func sale(_ id: Int64, code: String) throws -> NewEvent {
                    try NewEvent(source: "pos", entity: "sales", keyFields: ["sale_id"], fields: [
                        Field("sale_id", .integer(id)), Field("receipt_no", .integer(10)), Field("product_code", .string(code)),
                    ])
                }
                let writer = try LogWriter(directory: log.path, logger: scratch.logger)
                _ = try writer.append([try product(composed), try product(decomposed), try sale(1, code: composed), try sale(2, code: decomposed), try sale(3, code: "a")])
                writer.close()
                try await Self.project(log: log.path, into: scratch, batchSize: 2)
                for build in ["live", "replay"] {
                    if build == "replay" { try ProjectionWorkload.ledger(["replay", "postgres", "--from", "0", "--log", log.path, "--dsn", scratch.dsn]) }
                    let s = scratch.schema
                    #expect(try await scratch.scalar("SELECT string_agg(encode(convert_to(product_id, 'UTF8'), 'hex'), ',' ORDER BY product_id COLLATE \"C\") FROM \(s).products")
                            == "65cc81,c3a9", "\(build)")
                    #expect(try await scratch.scalar("SELECT string_agg(encode(convert_to(product_code, 'UTF8'), 'hex') || '=' || lines, ',' ORDER BY product_code) FROM \(s).basket_lines")
                            == "61=1,65cc81=1,c3a9=1", "\(build)")
                    #expect(try await scratch.scalar("""
                        SELECT string_agg(encode(convert_to(product_a, 'UTF8'), 'hex') || '/' || encode(convert_to(product_b, 'UTF8'), 'hex') || '=' || receipts, ','
                                          ORDER BY product_a, product_b) FROM \(s).also_bought
                        """) == "61/65cc81=1,61/c3a9=1,65cc81/c3a9=1", "\(build)")
                }
            }
        }

        @Test func killedProjectorConvergesToACleanBuild() async throws {
            let w = try ProjectionWorkload.shared.get()
            try await PostgresScratch.with { clean, killed in
                try await Self.project(log: w.fullLog, into: clean)
                let want = try await Self.checksums(clean)
                let dir = TemporaryDirectory("ledger-pg-kill")
                defer { dir.remove() }
                var rng = SeededRandom(seed: 23)
                var kills = 0
                for _ in 0..<25 {
                    let child = try ChildProcess(executable: PackagePaths.ledgerBinary(),
                                                 arguments: ["project", "postgres", "--once", "--batch-size", "61", "--log", w.fullLog, "--dsn", killed.dsn],
                                                 standardErrorPath: dir.path + "/stderr")
                    usleep(UInt32.random(in: 20_000...400_000, using: &rng))
                    if child.exitStatusIfEnded() == nil {
                        child.sendSignal(SIGKILL)
                        kills += 1
                    }
                    _ = child.waitForExit()
                    // At every commit the pairs match the baskets of the sales the projection holds: never doubled.
                    if try await killed.scalar("SELECT to_regclass('\(killed.schema).also_bought')::text") != nil {
                        let pg = try await killed.analytics()
                        var baskets: [Int64: Set<ExactText>] = [:]
                        for i in try await pg.coOccurrenceInputs() { baskets[i.receiptNo, default: []].insert(ExactText(i.productCode)) }
                        let pairs = CoOccurrence.pairs(of: baskets.values)
                        var stored = 0
                        for (_, n) in pairs { stored += Int(n) }
                        let sum = try await killed.scalar("SELECT coalesce(sum(receipts), 0)::text FROM \(killed.schema).also_bought")
                        #expect(sum == String(stored))
                        await pg.close()
                    }
                }
                try ProjectionWorkload.ledger(["project", "postgres", "--once", "--log", w.fullLog, "--dsn", killed.dsn])
                #expect(kills > 0)
                #expect(try await Self.checksums(killed) == want)
            }
        }

        /// The projector reads a batch's stored lines and baskets on a second connection. Ending that
        /// connection's server process mid-run is a transient failure of the batch: its transaction
        /// is not committed, both connections are opened again, and the run converges.
        @Test func endingTheReadingConnectionMidRunConverges() async throws {
            try await Self.againstACleanBuild { log, cut, want in
                let target = cut.target()
                let retries = LockedValue(0)
                let logger = Logger(label: "test.postgres") { _ in RetryCounter(retries: retries) }
                let projector = Projector(logDirectory: log, target: target,
                                          configuration: Self.smallBatches(delay: .milliseconds(20), maxDelay: .milliseconds(500), attempts: 20),
                                          logger: logger)
                let batches = LockedValue(0)
                projector.onProgress = { _ in batches.withLock { $0 += 1 } }
                let finished = LockedValue(false)
                // After 20 batches the test locks `basket_lines`, which the next batch's first read
                // (on the reading connection) waits for; the waiting backend, which does not hold the
                // projector's advisory lock (the writing one does), is then ended mid-query.
                let waitingReader = """
                    SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                      AND query LIKE '%\(cut.schema).%'
                      AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)
                    """
                let cutter = Task.detached { () throws -> Int? in
                    try await cut.withConnection { c in
                        while batches.withLock({ $0 }) < 20 {
                            if finished.value { return nil }
                            try await Task.sleep(for: .milliseconds(1))
                        }
                        _ = try await c.query("BEGIN", logger: cut.logger)
                        _ = try await c.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(cut.schema).basket_lines IN ACCESS EXCLUSIVE MODE"), logger: cut.logger)
                        let at = batches.withLock { $0 }
                        var ended = false
                        for _ in 0..<5_000 where !ended {
                            for try await e in try await c.query(PostgresQuery(unsafeSQL: waitingReader), logger: cut.logger).decode(String.self) {
                                ended = ended || e == "true"
                            }
                            if !ended { try await Task.sleep(for: .milliseconds(1)) }
                        }
                        _ = try await c.query("COMMIT", logger: cut.logger)
                        return ended ? at : nil
                    }
                }
                let outcome: Result<ProjectionCheckpoint, ProjectionError>
                do throws(ProjectionError) { outcome = .success(try await projector.runOnce()) } catch { outcome = .failure(error) }
                finished.withLock { $0 = true }
                await target.close()
                let batchesAtCut = try #require(try await cutter.value, "the projector finished before its reading connection was ended")
                let checkpoint = try outcome.get()
                #expect(batchesAtCut < batches.withLock { $0 }, "the run went on after the cut")
                #expect(retries.value >= 1, "the cut failed a batch, which was applied again")
                #expect(checkpoint.nextOffset == (try LogReader(directory: log).head().nextOffset))
                #expect(try await Self.checksums(cut) == want)
            }
        }

        /// tools/db-restart takes the server down mid-run; the projector retries with backoff,
        /// reconnects, takes its lock again and converges to the clean build.
        @Test func serverRestartMidRunConverges() async throws {
            try await Self.againstACleanBuild { log, restarted, want in
                let target = restarted.target()
                let projector = Projector(logDirectory: log, target: target,
                                          configuration: Self.smallBatches(delay: .milliseconds(50), maxDelay: .milliseconds(500), attempts: 200),
                                          logger: restarted.logger)
                // Batches are slowed to about 15 ms, so the restart lands in the middle of the run.
                let batches = LockedValue(0)
                projector.onProgress = { _ in
                    batches.withLock { $0 += 1 }
                    usleep(15_000)
                }
                let finished = LockedValue(false)
                let restart = Task.detached { () throws -> (Command.Result, Int)? in
                    while batches.withLock({ $0 }) < 20 {
                        if finished.value { return nil }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    let r = try Command.run([ServerEnvironment.restartScript, "postgres", "--pause", "1"])
                    return (r, batches.withLock { $0 })
                }
                let outcome: Result<ProjectionCheckpoint, ProjectionError>
                do throws(ProjectionError) { outcome = .success(try await projector.runOnce()) } catch { outcome = .failure(error) }
                finished.withLock { $0 = true }
                await target.close()
                // The server must be back before anything else runs, whatever the projector did.
                let restartOutcome = try await restart.value
                let checkpoint = try outcome.get()
                let (r, batchesAtRestart) = try #require(restartOutcome, "the projector finished before the restart")
                #expect(r.status == 0, "\(r.error)")
                #expect(batchesAtRestart < batches.withLock { $0 }, "the run went on after the restart")
                #expect(checkpoint.nextOffset == (try LogReader(directory: log).head().nextOffset))
                #expect(try await Self.checksums(restarted) == want)
            }
        }
    }
}

/// Counts the projector's "retrying" warnings.
private struct RetryCounter: LogHandler {
    let retries: LockedValue<Int>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: Logging.LogEvent) {
        if event.message.description.contains("retrying") { retries.withLock { $0 += 1 } }
    }
}
