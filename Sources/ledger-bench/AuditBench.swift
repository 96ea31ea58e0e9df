import ArgumentParser
import Foundation
import LedgerLog

/// Looks up records' trails through the key index in a large log.
struct AuditBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit")

    @Option(help: "An existing log directory.") var log: String
    @Option var entity = "sales"
    @Option var key = "sale_id"
    @Option(help: "Key values to look up, comma-separated.") var values: String

    func run() throws {
        let reader = try LogReader(directory: log)
        var times: [Double] = []
        for v in values.split(separator: ",") {
            let t0 = Workload.now()
            let trail = try reader.trail(entity: entity, canonicalKey: EventIdentity.canonicalKey([(name: key, text: String(v))]))
            let dt = Workload.now() - t0
            times.append(dt * 1000)
            print("\(key)=\(v): \(trail.count) events in \(String(format: "%.2f", dt * 1000)) ms")
        }
        print("median_ms \(String(format: "%.3f", Workload.median(times)))")
        print("max_ms \(String(format: "%.3f", times.max() ?? 0))")
    }
}
