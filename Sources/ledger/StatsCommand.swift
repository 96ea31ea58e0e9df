import ArgumentParser
import LedgerLog

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Segments, events, bytes on disk, compression ratio, head offset and hash."
    )

    @OptionGroup var options: LogOptions

    func run() throws {
        let directory = try options.directory()
        let s: LogStatistics
        do { s = try LogStatistics.collect(directory: directory) } catch { throw ExitStatus.fail(error) }
        func mib(_ b: UInt64) -> String {
            let tenths = (b * 10 + (1 << 19)) >> 20
            return "\(tenths / 10).\(tenths % 10) MiB"
        }
        Terminal.out("segments        \(s.segments) (\(s.sealedSegments) sealed)")
        Terminal.out("events          \(s.events)")
        Terminal.out("batches         \(s.batches)")
        Terminal.out("segment bytes   \(s.segmentBytes) (\(mib(s.segmentBytes)))")
        Terminal.out("index bytes     \(s.indexBytes) (\(mib(s.indexBytes)))")
        Terminal.out("record bytes    \(s.decodedBytes) decoded, \(s.compressedBytes) compressed")
        let ratio = s.compressedBytes == 0 ? 0 : Double(s.decodedBytes) / Double(s.compressedBytes)
        Terminal.out("compression     \(String(format2: ratio))x")
        Terminal.out("head offset     \(s.head.nextOffset == 0 ? "none" : String(s.head.nextOffset - 1))")
        Terminal.out("head hash       \(s.head.chainHead.hex)")
    }
}

extension String {
    /// Two decimals without Foundation.
    init(format2 v: Double) {
        let c = Int((v * 100).rounded())
        let frac = c % 100
        self = "\(c / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
