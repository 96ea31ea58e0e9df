import ArgumentParser
import Foundation
import LedgerLog
import LedgerProjection
import LedgerSQLite
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The SQLite analytics projection of a whole log from an empty file (events/s, median of the
/// runs), then co-occurrence from scratch over the projected sales lines.
struct ProjectionBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "projection")

    @Option(help: "An existing log directory.") var log: String
    @Option(help: "Where the scratch SQLite files go.") var scratch = "/tmp"
    @Option var runs = 3
    @Option var batchSize = ProjectorConfiguration().batchSize
    @Flag(help: "Also time SQLiteReplay (ledger replay sqlite) of the same log into an empty file.") var replay = false
    @Flag(help: "Time only SQLiteReplay (implies --replay).") var replayOnly = false

    func run() async throws {
        var rates: [Double] = []
        var events: UInt64 = 0
        let db = scratch + "/ledger-bench-projection-\(getpid()).sqlite"
        defer { for s in ["", "-wal", "-shm", ".lock"] { unlink(db + s) } }
        for r in 0..<(replayOnly ? 0 : runs) {
            for s in ["", "-wal", "-shm"] { unlink(db + s) }
            let target = try SQLiteAnalyticsTarget(path: db)
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            let projector = Projector(logDirectory: log, target: target, configuration: ProjectorConfiguration(batchSize: batchSize),
                                      logger: logger)
            let t0 = Workload.now()
            let cp = try await projector.runOnce()
            let dt = Workload.now() - t0
            await target.close()
            events = cp.nextOffset
            rates.append(Double(events) / dt)
            print("run \(r + 1): \(events) events in \(String(Int(dt * 1000))) ms, \(Int(rates.last!)) events/s")
        }
        if !replayOnly {
            print("events \(events)")
            print("batch_size \(batchSize)")
            print("median_projection_events_per_s \(Int(Workload.median(rates)))")
        }
        if replay || replayOnly {
            var replayRates: [Double] = []
            for r in 0..<runs {
                for s in ["", "-wal", "-shm"] { unlink(db + s) }
                var logger = Logger(label: "bench")
                logger.logLevel = .warning
                let t0 = Workload.now()
                let result = try await SQLiteReplay(path: db, logDirectory: log, logger: logger).run()
                let dt = Workload.now() - t0
                replayRates.append(Double(result.events) / dt)
                let phases = result.phases.map { "\($0.name) \(String(format: "%.2f", $0.seconds))" }.joined(separator: ", ")
                print("replay run \(r + 1): \(result.events) events in \(String(Int(dt * 1000))) ms, \(Int(replayRates.last!)) events/s (\(phases))")
            }
            print("median_replay_events_per_s \(Int(Workload.median(replayRates)))")
        }

        // Co-occurrence from scratch: the sales lines grouped by receipt and code, read from the
        // projection, folded through CoOccurrence into every pair's count.
        var scratchRates: [Double] = []
        var readMS: [Double] = [], foldMS: [Double] = []
        var lines = 0, pairs = 0
        let analytics = try SQLiteAnalytics(path: db)
        for _ in 0..<runs {
            let t0 = Workload.now()
            let inputs = try analytics.coOccurrenceInputs()
            let t1 = Workload.now()
            pairs = CoOccurrence.pairs(of: inputs).count
            lines += inputs.reduce(0) { $0 + Int($1.lines) }
            let t2 = Workload.now()
            readMS.append((t1 - t0) * 1000)
            foldMS.append((t2 - t1) * 1000)
            scratchRates.append(t2 - t0)
        }
        print("cooccurrence_lines \(lines / runs)")
        print("cooccurrence_pairs \(pairs)")
        print("median_cooccurrence_read_ms \(Int(Workload.median(readMS)))")
        print("median_cooccurrence_fold_ms \(Int(Workload.median(foldMS)))")
        print("median_cooccurrence_total_ms \(Int(Workload.median(scratchRates) * 1000))")
    }
}
