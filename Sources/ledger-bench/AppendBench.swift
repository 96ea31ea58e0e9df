import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Logging
import LedgerLog

/// Appends events already in memory through the library API, fsync per batch.
struct AppendBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "append")

    @Option(help: "JSONL input (one sales row per line).") var jsonl: String
    @Option(help: "Log directory to create (removed first).") var log: String
    @Option var entity = "sales"
    @Option var key = "sale_id"
    @Option(help: "Events per append call (split into batches of the default size, each fsynced).") var batch = 4096
    @Option(help: "Repetitions; the median is reported.") var runs = 5
    @Option(help: "Append the input this many times (to build large logs).") var repeatInput = 1
    @Option(help: "Use only the first N input rows.") var limit: Int?
    @Flag(help: "No fsync (to separate CPU cost from disk cost).") var noFsync = false
    @Option(help: "Segment size limit in MiB (default: the library's, 128).") var segmentMib: UInt64?
    @Flag(help: "Keep the log of the last run.") var keep = false

    func run() throws {
        let events = try Workload.events(jsonl: jsonl, entity: entity, key: key, limit: limit)
        let chunks = stride(from: 0, to: events.count, by: batch).map { Array(events[$0..<min($0 + batch, events.count)]) }
        FileHandle.standardError.write("loaded \(events.count) events\n".data(using: .utf8)!)
        let rssBefore = Workload.currentRSS()
        var rssMax = rssBefore
        var rates: [Double] = []
        var cpuPerEvent: [Double] = []
        for r in 0..<runs {
            Workload.removeDirectory(log)
            // Let the file system finish freeing the previous run's files: on ext4 mounted with
            // `discard`, their discards otherwise overlap this run's fsyncs.
            sync()
            sleep(3)
            var config = LogConfiguration()
            if noFsync { config.durability = .none }
            if let segmentMib { config.segmentMaxBytes = segmentMib << 20 }
            let writer = try LogWriter(directory: log, configuration: config, logger: Logger(label: "bench"))
            let t0 = Workload.now()
            let cpu0 = Workload.cpuSeconds()
            for _ in 0..<repeatInput {
                for (i, chunk) in chunks.enumerated() {
                    try writer.append(chunk)
                    if i % 16 == 0 { rssMax = max(rssMax, Workload.currentRSS()) }
                }
            }
            let dt = Workload.now() - t0
            let cpu = Workload.cpuSeconds() - cpu0
            writer.close()
            let n = Double(events.count * repeatInput)
            rates.append(n / dt)
            cpuPerEvent.append(cpu / n * 1e9)
            print("run \(r + 1): \(Int(n)) events in \(String(format: "%.3f", dt)) s = \(Int(n / dt)) events/s, "
                  + "CPU \(String(format: "%.3f", cpu)) s on all threads = \(Int(cpu / n * 1e9)) ns/event")
        }
        let segBytes = Workload.directoryBytes(log, suffixes: [".seg"])
        let idxBytes = Workload.directoryBytes(log, suffixes: [".oix", ".tix", ".kix", ".kjl"])
        print("median_events_per_s \(Int(Workload.median(rates)))")
        print("median_cpu_ns_per_event \(Int(Workload.median(cpuPerEvent)))")
        print("events \(events.count * repeatInput)")
        print("segment_bytes \(segBytes)")
        print("index_bytes \(idxBytes)")
        print("rss_with_input_loaded_bytes \(rssBefore)")
        print("writer_rss_growth_max_bytes \(rssMax - rssBefore)")
        if !keep { Workload.removeDirectory(log) }
    }
}
