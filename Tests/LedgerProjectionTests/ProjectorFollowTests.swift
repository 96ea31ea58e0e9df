import LedgerLog
import LedgerProjection
import LedgerSQLite
import LedgerTestKit
import Logging
import Testing

@Suite struct ProjectorFollowTests {
    /// `ProjectorService` projects what is there, then picks up each later commit until cancelled.
    @Test func serviceFollowsTheHead() async throws {
        let log = TestLog()
        defer { log.remove() }
        try log.append([try TestLog.sale(1, receipt: .integer(10), code: "a")])
        let db = log.path + "/analytics.sqlite"
        let target = try SQLiteAnalyticsTarget(path: db)
        let progress = LockedCounter()
        let service = ProjectorService(logDirectory: log.path, target: target, logger: Logger(label: "test")) { p in
            progress.set(p.checkpoint.nextOffset)
        }
        let task = Task { try await service.run() }
        #expect(await progress.wait(until: 1))
        try log.append([try TestLog.sale(2, receipt: .integer(10), code: "b")])
        try log.append([try TestLog.sale(3, receipt: .integer(11), code: "b"), try TestLog.sale(2, receipt: .integer(10), code: "c")])
        #expect(await progress.wait(until: 4))
        task.cancel()
        try await task.value

        let analytics = try SQLiteAnalytics(path: db)
        #expect(try analytics.rowCounts()["sales"] == 3)
        #expect(try analytics.pairs() == [ProductPair("a", "c")!: 1])
        #expect(try analytics.checkpoints().first?.checkpoint.nextOffset == 4)
        // The service closed the target: the lock is free again.
        let again = try SQLiteAnalyticsTarget(path: db)
        try await again.acquireLock()
        await again.close()
    }
}

/// The last offset a projector reported, awaited with a generous limit (a hang fails, it is not a timing).
final class LockedCounter: Sendable {
    private let value = LockedValue<UInt64>(0)

    func set(_ v: UInt64) { value.withLock { $0 = v } }

    func wait(until target: UInt64) async -> Bool {
        for _ in 0..<3000 {
            if value.value >= target { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
