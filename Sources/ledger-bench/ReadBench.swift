import ArgumentParser
import LedgerLog

/// Reads, decompresses and verifies the whole chain (`LogVerifier`), and decodes every event (`EventCursor`).
struct ReadBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read")

    @Option(help: "An existing log directory.") var log: String
    @Option var runs = 5
    @Flag(help: "Skip the full-decode pass.") var verifyOnly = false
    @Flag(help: "Verify in deep mode (Merkle roots recomputed, every record decoded, key entries checked).") var deep = false

    func run() throws {
        var verifyRates: [Double] = [], decodeRates: [Double] = [], verifyCPU: [Double] = []
        var events: UInt64 = 0
        var decoded: UInt64 = 0
        for r in 0..<runs {
            var t0 = Workload.now()
            let cpu0 = Workload.cpuSeconds()
            let report = try LogVerifier(directory: log, deep: deep).verify()
            let cpu = Workload.cpuSeconds() - cpu0
            guard report.ok else { throw ValidationError("verify failed: \(String(describing: report.problem))") }
            var dt = Workload.now() - t0
            events = report.events
            decoded = report.decodedBytes
            verifyRates.append(Double(events) / dt)
            verifyCPU.append(cpu / Double(events) * 1e9)
            if verifyOnly {
                print("run \(r + 1): verify \(Int(verifyRates.last!)) events/s, CPU \(Int(verifyCPU.last!)) ns/event on all threads")
                continue
            }
            t0 = Workload.now()
            let cursor = try LogReader(directory: log).cursor(from: 0)
            var n: UInt64 = 0
            while try cursor.next() != nil { n += 1 }
            dt = Workload.now() - t0
            decodeRates.append(Double(n) / dt)
            print("run \(r + 1): verify \(Int(verifyRates.last!)) events/s, full decode \(Int(decodeRates.last!)) events/s")
        }
        print("events \(events)")
        print("decoded_record_bytes \(decoded)")
        print("median_verify_events_per_s \(Int(Workload.median(verifyRates)))")
        print("median_verify_cpu_ns_per_event \(Int(Workload.median(verifyCPU)))")
        if !decodeRates.isEmpty { print("median_decode_events_per_s \(Int(Workload.median(decodeRates)))") }
    }
}
