import ArgumentParser
import Foundation
import LedgerLog

/// The cost of one chain hash (SHA-256 over a 48-byte prefix and a record body) through swift-crypto.
struct HashBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hash")

    @Option(help: "Body bytes per hash.") var size = 150
    @Option var count = 2_000_000

    func run() throws {
        let body = [UInt8](repeating: 0x5A, count: size)
        var h = Digest32.zero
        let t0 = Workload.now()
        body.withUnsafeBytes { b in
            for i in 0..<count {
                h = RecordCodec.chainHash(previous: h, offset: UInt64(i), time: 0, hashedBody: b)
            }
        }
        let dt = Workload.now() - t0
        print("chain_hashes_per_s \(Int(Double(count) / dt)) (\(size + 48) bytes each, \(String(format: "%.0f", dt / Double(count) * 1e9)) ns) last \(h.hex.prefix(8))")
    }
}
