import ArgumentParser
import Foundation
import Logging
import LedgerLog

/// Commit-to-`ledger tail -f`-output latency: appends one event at a time and times when the
/// separate `ledger tail -f` process prints it.
struct LatencyBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "latency")

    @Option(help: "Path of the ledger executable.") var ledger: String
    @Option(help: "Log directory to create (removed first).") var log: String
    @Option var events = 2000
    @Option(help: "Pause between commits, in milliseconds.") var intervalMs = 2.0

    func run() throws {
        Workload.removeDirectory(log)
        let writer = try LogWriter(directory: log, logger: Logger(label: "bench"))
        let warm = try NewEvent(source: "bench", entity: "ticks", keyFields: ["n"], fields: [Field("n", .integer(-1))])
        try writer.append([warm])
        let tail = Process()
        tail.executableURL = URL(fileURLWithPath: ledger)
        tail.arguments = ["tail", "--log", log, "-f", "--format", "jsonl"]
        let pipe = Pipe()
        tail.standardOutput = pipe
        try tail.run()
        defer { tail.terminate() }
        Thread.sleep(forTimeInterval: 0.5)   // let tail start and reach the head
        let handle = pipe.fileHandleForReading
        var committedAt: [Double] = []
        var latencies: [Double] = []
        var buffer = Data()
        let fd = handle.fileDescriptor
        for i in 0..<events {
            let e = try NewEvent(source: "bench", entity: "ticks", keyFields: ["n"], fields: [Field("n", .integer(Int64(i)))])
            try writer.append([e])
            committedAt.append(Workload.now())
            // read until this event's line arrives
            while true {
                if let nl = buffer.firstIndex(of: 0x0A) {
                    let line = buffer[buffer.startIndex..<nl]
                    buffer = Data(buffer[(nl + 1)...])
                    if line.count > 0 {
                        latencies.append((Workload.now() - committedAt[latencies.count]) * 1000)
                        break
                    }
                    continue
                }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { throw ValidationError("tail exited") }
                buffer.append(contentsOf: chunk[0..<n])
            }
            Thread.sleep(forTimeInterval: intervalMs / 1000)
        }
        writer.close()
        print("events \(latencies.count)")
        print("p50_ms \(String(format: "%.3f", Workload.percentile(latencies, 0.50)))")
        print("p99_ms \(String(format: "%.3f", Workload.percentile(latencies, 0.99)))")
        print("max_ms \(String(format: "%.3f", latencies.max() ?? 0))")
    }
}
