import ArgumentParser
import Foundation
import Logging
import LedgerLog

/// How long opening a log for writing takes (recovery of a clean tail), to show it does not grow with the log.
struct OpenBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open")

    @Option(help: "An existing log directory.") var log: String
    @Option var runs = 7

    func run() throws {
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = Workload.now()
            let writer = try LogWriter(directory: log, logger: Logger(label: "bench"))
            let dt = Workload.now() - t0
            writer.close()
            times.append(dt * 1000)
        }
        let head = try LogReader(directory: log).head().nextOffset
        print("events \(head)")
        print("open_median_ms \(String(format: "%.2f", Workload.median(times)))")
    }
}
