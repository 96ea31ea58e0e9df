import LedgerCore
import LedgerLog
import LedgerProjection
import LedgerSQLite
import LedgerTestKit
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SQLiteProjectionTests {
    @Test func groundTruthAfterBackfillAndDelta() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-proj")
        defer { dir.remove() }
        try await ProjectionWorkload.project(log: w.fullLog, db: dir.path + "/a.sqlite")
        let analytics = try SQLiteAnalytics(path: dir.path + "/a.sqlite")
        let expected = try w.expected()
        let rows = try #require(expected["rows_after_delta"] as? [String: Int])
        let counts = try analytics.rowCounts()
        for (table, n) in rows { #expect(counts[table] == n, "\(table)") }
        let total = try #require(expected["sales_total_sum_after_delta"] as? String)
        #expect(LedgerDecimal(try analytics.salesTotal()) == LedgerDecimal(total))

        let top = try #require(expected["top10_pairs_after_delta"] as? [[String: Any]])
        let want = top.map { "\($0["a"]!)|\($0["b"]!)|\($0["receipts"]!)" }
        #expect(try analytics.topPairs(10).map { "\($0.pair.a)|\($0.pair.b)|\($0.receipts)" } == want)

        // The stored pairs equal a recomputation from the co-occurrence inputs.
        var baskets: [Int64: Set<ExactText>] = [:]
        for i in try analytics.coOccurrenceInputs() { baskets[i.receiptNo, default: []].insert(ExactText(i.productCode)) }
        #expect(try analytics.pairs() == CoOccurrence.pairs(of: baskets.values))
        // Best sellers over every product add up to the sales.
        let all = try analytics.bestSellers(top: 1_000_000)
        var revenue = DecimalSum()
        for b in all { revenue.add(b.revenue) }
        #expect(LedgerDecimal(revenue.text) == LedgerDecimal(total))
        #expect(all.reduce(0) { $0 + Int($1.lines) } == rows["sales"])
        #expect(all.allSatisfy { !$0.quantity.isNegative && $0.quantity != LedgerDecimal(0) })
        #expect(zip(all, all.dropFirst()).allSatisfy { !($0.revenue < $1.revenue) })
    }

    /// The source's optional `customers` table lands in `customers`, normalized (trimmed, empty as
    /// NULL, local times in UTC), with the incremental batch's renames, deletes and additions.
    @Test func customersFromTheSourceLand() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-proj")
        defer { dir.remove() }
        let db = dir.path + "/a.sqlite"
        let query = "SELECT customer_id, name, phone, email, created_at, updated_at FROM customers ORDER BY customer_id"
        try await ProjectionWorkload.project(log: w.backfillLog, db: db, batchSize: 97)
        #expect(try Command.run(["sqlite3", db, query]).output == FixtureCustomers.table(afterDelta: false).map { $0.expectedRow + "\n" }.joined())
        try await ProjectionWorkload.project(log: w.fullLog, db: db, batchSize: 97)
        let after = FixtureCustomers.table(afterDelta: true)
        #expect(after.count == 41)
        #expect(try Command.run(["sqlite3", db, query]).output == after.map { $0.expectedRow + "\n" }.joined())
    }

    @Test func incrementalEqualsRebuildFromZero() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-proj")
        defer { dir.remove() }
        // Incremental: the backfill log, then the same log continued with the delta, in small batches.
        let incremental = dir.path + "/incremental.sqlite"
        try await ProjectionWorkload.project(log: w.backfillLog, db: incremental, batchSize: 97)
        let afterBackfill = try SQLiteAnalytics(path: incremental).rowCounts()
        try await ProjectionWorkload.project(log: w.fullLog, db: incremental, batchSize: 97)
        let rebuilt = dir.path + "/rebuilt.sqlite"
        try await ProjectionWorkload.project(log: w.fullLog, db: rebuilt)

        let expected = try w.expected()
        let rows = try #require(expected["rows_after_backfill"] as? [String: Int])
        for (table, n) in rows { #expect(afterBackfill[table] == n, "\(table)") }
        let a = try SQLiteAnalytics(path: incremental).tableChecksums()
        let b = try SQLiteAnalytics(path: rebuilt).tableChecksums()
        #expect(a == b)
        #expect(a.count == 6)
    }

    @Test func secondInstanceIsRefused() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-proj")
        defer { dir.remove() }
        let db = dir.path + "/a.sqlite"
        let first = try SQLiteAnalyticsTarget(path: db)
        try await first.acquireLock()
        let second = try SQLiteAnalyticsTarget(path: db)
        let error = await #expect(throws: ProjectionError.self) { try await second.acquireLock() }
        #expect(error?.code == .locked)

        // The CLI exits 75 with a clear message.
        let r = try Command.run([PackagePaths.ledgerBinary(), "project", "sqlite", "--once", "--log", w.fullLog, "--db", db])
        #expect(r.status == 75)
        #expect(r.error.contains("another instance"))
        await first.close()
        await second.close()

        // Once released, the lock can be taken again.
        try await ProjectionWorkload.project(log: w.fullLog, db: db)
    }

    @Test func checkpointFromAnotherLogIsRefused() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-proj")
        defer { dir.remove() }
        let db = dir.path + "/a.sqlite"
        try await ProjectionWorkload.project(log: w.fullLog, db: db)
        let other = TestLog()
        defer { other.remove() }
        for i in 0..<3 { try other.append([try TestLog.product("X\(i)", code: "c\(i)")]) }
        let error = await #expect(throws: ProjectionError.self) { try await ProjectionWorkload.project(log: other.path, db: db) }
        #expect(error?.code == .checkpointMismatch)

        let r = try Command.run([PackagePaths.ledgerBinary(), "project", "sqlite", "--once", "--log", other.path, "--db", db])
        #expect(r.status == 65)
        #expect(r.error.contains("checkpoint does not match the log"))
    }

    @Test func poisonEventIsDeadLetteredAndLaterEventsLand() async throws {
        let log = TestLog()
        defer { log.remove() }
        try log.append(try TestLog.salesWithAPoisonLine())
        try log.append([try TestLog.sale(4, receipt: .integer(10), code: "d")])
        let db = log.path + "/analytics.sqlite"
        let cp = try await ProjectionWorkload.project(log: log.path, db: db, batchSize: 2)
        #expect(cp.nextOffset == 4)
        let analytics = try SQLiteAnalytics(path: db)
        let letters = try analytics.deadLetters(projector: "sqlite")
        #expect(letters.count == 1)
        #expect(letters.first?.offset == 1)
        #expect(letters.first?.reason.contains("receipt_no") == true)
        #expect(try analytics.rowCounts()["sales"] == 3)
        #expect(try analytics.pairs() == [ProductPair("a", "c")!: 1, ProductPair("a", "d")!: 1, ProductPair("c", "d")!: 1])
    }

    @Test func alsoBoughtCommandAnswersFromTheProjection() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-proj")
        defer { dir.remove() }
        let db = dir.path + "/a.sqlite"
        let r0 = try ProjectionWorkload.ledger(["project", "sqlite", "--once", "--log", w.fullLog, "--db", db])
        #expect(r0.output.contains("sqlite: at offset"))
        let analytics = try SQLiteAnalytics(path: db)
        let popular = try #require(try analytics.topPairs(1).first).pair.a
        let r = try ProjectionWorkload.ledger(["also-bought", popular, "--top", "4", "--log", w.fullLog, "--db", db])
        let want = try analytics.alsoBought(popular, top: 4).map { "\($0.productCode)\t\($0.receipts)" }
        #expect(!want.isEmpty)
        #expect(r.output.split(separator: "\n").map(String.init) == want)

        let status = try ProjectionWorkload.ledger(["projections", "--log", w.fullLog, "--db", db])
        #expect(status.output.contains("lag 0 events"))
    }

    @Test func killedProjectorConvergesToACleanBuild() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-proj")
        defer { dir.remove() }
        let clean = dir.path + "/clean.sqlite"
        try await ProjectionWorkload.project(log: w.fullLog, db: clean)
        let db = dir.path + "/killed.sqlite"
        var rng = SeededRandom(seed: 11)
        var kills = 0
        for _ in 0..<40 {
            let child = try ChildProcess(executable: PackagePaths.ledgerBinary(),
                                         arguments: ["project", "sqlite", "--once", "--batch-size", "37", "--log", w.fullLog, "--db", db],
                                         standardErrorPath: dir.path + "/stderr")
            usleep(UInt32.random(in: 5_000...150_000, using: &rng))
            if child.exitStatusIfEnded() == nil {
                child.sendSignal(SIGKILL)
                kills += 1
            }
            _ = child.waitForExit()
            // At every commit the pairs match the baskets of the sales the projection holds: never doubled.
            if access(db, F_OK) == 0, let analytics = try? SQLiteAnalytics(path: db) {
                var baskets: [Int64: Set<ExactText>] = [:]
                for i in try analytics.coOccurrenceInputs() { baskets[i.receiptNo, default: []].insert(ExactText(i.productCode)) }
                #expect(try analytics.pairs() == CoOccurrence.pairs(of: baskets.values))
            }
        }
        try ProjectionWorkload.ledger(["project", "sqlite", "--once", "--log", w.fullLog, "--db", db])
        #expect(kills > 0)
        #expect(try SQLiteAnalytics(path: db).tableChecksums() == SQLiteAnalytics(path: clean).tableChecksums())
    }
}

@Suite struct SQLiteTargetDetailTests {
    @Test func timestampsAreStoredAsISO8601UTC() async throws {
        let log = TestLog()
        defer { log.remove() }
        let events = try log.append([try TestLog.sale(1, receipt: .integer(10), code: "a")])
        let db = log.path + "/analytics.sqlite"
        try await ProjectionWorkload.project(log: log.path, db: db)
        let r = try Command.run(["sqlite3", db, "SELECT at, _event_time, _offset FROM sales"])
        #expect(r.output == "2026-01-01T00:00:00.000000Z|\(events[0].time.iso8601)|0\n")
    }

    /// Text parameters are bound from a 64 KiB arena per statement; longer ones, and rows whose
    /// texts overflow it, land whole in the batch-by-batch build and in the bulk rebuild alike.
    @Test func textsLongerThanTheBindArenaLandWhole() async throws {
        let log = TestLog()
        defer { log.remove() }
        let long = String(repeating: "x", count: 70_000) + "é"
        let medium = String(repeating: "y", count: 40_000)
        try log.append([
            try TestLog.sale(1, receipt: .integer(10), code: long),
            try TestLog.sale(2, receipt: .integer(10), code: medium),
            try TestLog.sale(3, receipt: .integer(10), code: "short"),
            try TestLog.sale(4, receipt: .integer(11), code: medium + long),
        ])
        let incremental = log.path + "/incremental.sqlite"
        try await ProjectionWorkload.project(log: log.path, db: incremental, batchSize: 2)
        let rebuilt = log.path + "/rebuilt.sqlite"
        _ = try await SQLiteReplay(path: rebuilt, logDirectory: log.path, logger: Logger(label: "test")).run()
        for db in [incremental, rebuilt] {
            let sales = try Command.run(["sqlite3", db, "SELECT sale_id, length(product_code), substr(product_code, -2) FROM sales ORDER BY sale_id"])
            #expect(sales.output == "1|70001|xé\n2|40000|yy\n3|5|rt\n4|110001|xé\n")
            let pairs = try Command.run(["sqlite3", db, "SELECT length(product_a), length(product_b), receipts FROM also_bought ORDER BY 1, 2"])
            #expect(pairs.output == "5|40000|1\n5|70001|1\n70001|40000|1\n")
        }
        #expect(try SQLiteAnalytics(path: incremental).tableChecksums() == SQLiteAnalytics(path: rebuilt).tableChecksums())
    }

    /// A write transaction held by another connection makes the batch fail with SQLITE_BUSY; the
    /// projector backs off, re-reads the checkpoint and applies the batch once the lock is gone.
    @Test func busyDatabaseIsRetriedWithBackoff() async throws {
        let log = TestLog()
        defer { log.remove() }
        try log.append([try TestLog.sale(1, receipt: .integer(10), code: "a"), try TestLog.sale(2, receipt: .integer(10), code: "b")])
        let db = log.path + "/analytics.sqlite"
        // Create the schema first, so the other connection has tables to lock.
        let setup = try SQLiteAnalyticsTarget(path: db)
        try await setup.acquireLock()
        await setup.close()

        let holder = try ChildProcess(executable: "/usr/bin/python3", arguments: ["-c", """
            import os, sqlite3, sys
            # Close descriptors inherited from the test runner (other tests' pipes), so this
            # process, which waits for the test, never holds another test's pipe open.
            os.closerange(3, 65536)
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute('BEGIN IMMEDIATE')
            print('locked', flush=True)
            sys.stdin.readline()
            db.execute('COMMIT')
            print('released', flush=True)
            """, db], standardErrorPath: log.path + "/holder.err")
        #expect(holder.readLine(timeoutMilliseconds: 10_000) == .line("locked"))

        let target = try SQLiteAnalyticsTarget(path: db, busyTimeout: 0.01)
        var configuration = ProjectorConfiguration(batchSize: 10)
        configuration.retry.initialDelay = .milliseconds(5)
        configuration.retry.maxDelay = .milliseconds(20)
        let waits = LockedValue<[Duration]>([])
        let box = UncheckedSendable(holder)
        let projector = Projector(logDirectory: log.path, target: target, configuration: configuration, logger: Logger(label: "test"),
                                  sleep: { d in
                                      let n = waits.withLock { $0.append(d); return $0.count }
                                      // Release the other connection after a few failed attempts.
                                      if n == 3 { box.value.write("go\n") }
                                      try await Task.sleep(for: d)
                                  })
        let cp = try await projector.runOnce()
        await target.close()
        #expect(holder.readLine(timeoutMilliseconds: 10_000) == .line("released"))
        _ = holder.waitForExit()
        #expect(cp.nextOffset == 2)
        let w = waits.withLock { $0 }
        #expect(w.count >= 3)
        #expect(Array(w.prefix(3)) == [.milliseconds(5), .milliseconds(10), .milliseconds(20)])
        #expect(try SQLiteAnalytics(path: db).pairs() == [ProductPair("a", "b")!: 1])
    }
}

/// Hands a value used by one task at a time to a `@Sendable` closure.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// `ledger replay sqlite`: a rebuild beside the live file, renamed over it.
@Suite struct SQLiteReplayTests {
    @Test func replayEqualsAnIncrementalBuildAndTheProjectorResumesAfterIt() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-replay")
        defer { dir.remove() }
        let incremental = dir.path + "/incremental.sqlite"
        try await ProjectionWorkload.project(log: w.backfillLog, db: incremental, batchSize: 97)
        try await ProjectionWorkload.project(log: w.fullLog, db: incremental, batchSize: 97)
        let want = try SQLiteAnalytics(path: incremental).tableChecksums()

        // Into an empty place, through the library.
        let fresh = dir.path + "/fresh.sqlite"
        let result = try await SQLiteReplay(path: fresh, logDirectory: w.fullLog, logger: Logger(label: "test")).run()
        #expect(result.checkpoint.nextOffset == (try LogReader(directory: w.fullLog).head().nextOffset))
        #expect(try SQLiteAnalytics(path: fresh).tableChecksums() == want)
        #expect(result.rows["sales"] == (try w.expected()["rows_after_delta"] as? [String: Int])?["sales"])

        // Over a live projection built from the backfill only, through the CLI, while a reader has it open.
        let live = dir.path + "/live.sqlite"
        try await ProjectionWorkload.project(log: w.backfillLog, db: live)
        let reader = try SQLiteAnalytics(path: live)
        let before = try reader.rowCounts()
        let r = try ProjectionWorkload.ledger(["replay", "sqlite", "--from", "0", "--log", w.fullLog, "--db", live])
        #expect(r.output.contains("swapped into \(live)"))
        #expect(try SQLiteAnalytics(path: live).tableChecksums() == want)
        // The reader that had the old file open still reads the old rows.
        #expect(try reader.rowCounts() == before)
        #expect(access(live + ".rebuild", F_OK) != 0)
        // The projector resumes at the replay's checkpoint: nothing left to apply.
        let resumed = try ProjectionWorkload.ledger(["project", "sqlite", "--once", "--log", w.fullLog, "--db", live])
        #expect(resumed.output.contains("0 applied"))
        #expect(try SQLiteAnalytics(path: live).tableChecksums() == want)
    }

    @Test func replayIsRefusedWhileTheProjectorRunsAndOnlyFromZero() async throws {
        let w = try ProjectionWorkload.shared.get()
        let dir = TemporaryDirectory("ledger-replay")
        defer { dir.remove() }
        let db = dir.path + "/a.sqlite"
        let projector = try SQLiteAnalyticsTarget(path: db)
        try await projector.acquireLock()
        let error = await #expect(throws: ProjectionError.self) {
            try await SQLiteReplay(path: db, logDirectory: w.fullLog, logger: Logger(label: "test")).run()
        }
        #expect(error?.code == .locked)
        let r = try Command.run([PackagePaths.ledgerBinary(), "replay", "sqlite", "--from", "0", "--log", w.fullLog, "--db", db])
        #expect(r.status == 75)
        await projector.close()
        let partial = try Command.run([PackagePaths.ledgerBinary(), "replay", "sqlite", "--from", "5", "--log", w.fullLog, "--db", db])
        #expect(partial.status == 64)
        #expect(partial.error.contains("rebuilds from 0"))
    }

    @Test func poisonEventsGoToTheDeadLettersAsInTheIncrementalBuild() async throws {
        let log = TestLog()
        defer { log.remove() }
        try log.append(try TestLog.salesWithAPoisonLine() + [
            try TestLog.sale(1, receipt: .integer(11), code: "a"),
            try TestLog.sale(3, receipt: .integer(10), code: "c", op: .delete),
            try TestLog.product("p1", code: "a"),
        ])
        let incremental = log.path + "/incremental.sqlite"
        try await ProjectionWorkload.project(log: log.path, db: incremental, batchSize: 2)
        let rebuilt = log.path + "/rebuilt.sqlite"
        let result = try await SQLiteReplay(path: rebuilt, logDirectory: log.path, logger: Logger(label: "test")).run()
        #expect(result.deadLettered == 1)
        let a = try SQLiteAnalytics(path: incremental), b = try SQLiteAnalytics(path: rebuilt)
        #expect(try a.tableChecksums() == b.tableChecksums())
        #expect(try a.deadLetters(projector: "sqlite").map(\.offset) == b.deadLetters(projector: "sqlite").map(\.offset))
        #expect(try b.rowCounts()["sales"] == 1)
    }

    /// `ledger project sqlite` builds a new file in bulk from a log of 50,000 events or more, then
    /// goes on batch by batch; both end equal to a batch-by-batch build.
    @Test func projectBuildsANewFileInBulkThenGoesOnBatchByBatch() async throws {
        let log = TestLog()
        defer { log.remove() }
        var rng = SeededRandom(seed: 5)
        func sales(_ ids: Range<Int64>) throws -> [NewEvent] {
            try ids.map { id in
                try TestLog.sale(id % 40_000, receipt: .integer(Int64.random(in: 0..<9_000, using: &rng)),
                                 code: "P\(Int.random(in: 0..<60, using: &rng))", op: id % 97 == 0 ? .delete : .upsert)
            }
        }
        for start in stride(from: Int64(0), to: 52_000, by: 13_000) { try log.append(try sales(start..<(start + 13_000))) }
        let bulk = log.path + "/bulk.sqlite"
        let r = try ProjectionWorkload.ledger(["project", "sqlite", "--once", "--log", log.path, "--db", bulk])
        #expect(r.output.contains("built in bulk up to offset 52000"))
        #expect(r.output.contains("0 applied"))
        let batches = log.path + "/batches.sqlite"
        try await ProjectionWorkload.project(log: log.path, db: batches, batchSize: 5_000)
        #expect(try SQLiteAnalytics(path: bulk).tableChecksums() == SQLiteAnalytics(path: batches).tableChecksums())

        try log.append(try sales(52_000..<53_000))
        let more = try ProjectionWorkload.ledger(["project", "sqlite", "--once", "--log", log.path, "--db", bulk])
        #expect(more.output.contains("1000 applied"))
        #expect(!more.output.contains("built in bulk"))
        try await ProjectionWorkload.project(log: log.path, db: batches, batchSize: 5_000)
        #expect(try SQLiteAnalytics(path: bulk).tableChecksums() == SQLiteAnalytics(path: batches).tableChecksums())
    }
}

/// Keys and codes are bytes, as the log, SQLite and Postgres keep them: two texts that differ only
/// in Unicode normalization ("é" and "e" with a combining accent) are two keys and two codes, which
/// Swift's `==` on text would take for one.
@Suite struct ByteKeyTests {
    @Test func canonicallyEquivalentKeysAndCodesStayApart() async throws {
        let log = TestLog()
        defer { log.remove() }
        let composed = "\u{E9}", decomposed = "e\u{301}"
        try log.append([
            try TestLog.product(composed, code: composed), try TestLog.product(decomposed, code: decomposed),
            try TestLog.sale(1, receipt: .integer(10), code: composed), try TestLog.sale(2, receipt: .integer(10), code: decomposed),
            try TestLog.sale(3, receipt: .integer(10), code: "a"),
        ])
        for bulk in [false, true] {
            let db = log.path + "/analytics-\(bulk).sqlite"
            if bulk {
                _ = try await SQLiteReplay(path: db, logDirectory: log.path, logger: Logger(label: "test")).run()
            } else {
                try await ProjectionWorkload.project(log: log.path, db: db)
            }
            func rows(_ sql: String) throws -> String { try Command.run(["sqlite3", db, sql]).output }
            #expect(try rows("SELECT hex(product_id) FROM products ORDER BY product_id") == "65CC81\nC3A9\n", "bulk \(bulk)")
            #expect(try rows("SELECT hex(product_code), lines FROM basket_lines ORDER BY product_code") == "61|1\n65CC81|1\nC3A9|1\n", "bulk \(bulk)")
            #expect(try rows("SELECT hex(product_a), hex(product_b), receipts FROM also_bought ORDER BY 1, 2")
                    == "61|65CC81|1\n61|C3A9|1\n65CC81|C3A9|1\n", "bulk \(bulk)")
        }
    }
}
