import LedgerCore
import LedgerLog
import LedgerTestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `ledger sync` killed with SIGKILL at random points, then resumed, ends with exactly the records
/// of an uninterrupted run: nothing skipped, nothing applied twice.
@Suite struct SyncCrashTests {
    @Test func killedSyncsResumeToTheSameState() throws {
        let pos = try POSSQLiteFixture.generate(products: 200, receipts: 1500, sales: 6000, seed: 11)
        defer { pos.remove() }
        let work = TemporaryDirectory()
        defer { work.remove() }
        let reference = work.path + "/reference", crashed = work.path + "/crashed"
        let ledger = PackagePaths.ledgerBinary()
        var rng = SystemRandomNumberGenerator()

        func sync(_ log: String) throws {
            let r = try Command.run([ledger, "sync", "--log", log, "--sqlite", pos.databasePath, "--batch-size", "150"])
            #expect(r.status == 0, "ledger sync: \(r.error)")
        }
        /// Starts syncs into `log` and kills each after a random moment, `rounds` times.
        func killRepeatedly(_ log: String, rounds: Int) throws -> Int {
            var killedMidRun = 0
            for round in 0..<rounds {
                let child = try ChildProcess(
                    executable: ledger, arguments: ["sync", "--log", log, "--sqlite", pos.databasePath, "--batch-size", "150"],
                    standardErrorPath: work.path + "/stderr-\(round)")
                usleep(UInt32.random(in: 5_000...400_000, using: &rng))
                child.sendSignal(SIGKILL)
                let status = child.waitForExit()
                if ChildProcess.describe(status) == "signal 9" { killedMidRun += 1 }
            }
            return killedMidRun
        }

        try sync(reference)
        let killedInBackfill = try killRepeatedly(crashed, rounds: 8)
        try sync(crashed)
        try pos.loadDelta()
        try sync(reference)
        let killedInDelta = try killRepeatedly(crashed, rounds: 4)
        try sync(crashed)
        #expect(killedInBackfill + killedInDelta > 0, "no sync was killed while running")

        let a = try SyncHarness(log: reference).liveRecords(), b = try SyncHarness(log: crashed).liveRecords()
        #expect(a.records.count > 7000)
        #expect(a.fingerprint == b.fingerprint)
        // Nothing applied twice: the same number of record events (checkpoints aside).
        #expect(a.events - a.checkpoints == b.events - b.checkpoints)
        #expect(try SyncHarness(log: reference).openDeadLetters().count == (try SyncHarness(log: crashed).openDeadLetters().count))
        let verify = try Command.run([ledger, "verify", "--log", crashed])
        #expect(verify.status == 0, "verify: \(verify.error)")
    }
}
