import Foundation
import LedgerLog

#if canImport(Glibc)
import Glibc
#endif

/// Loads JSONL rows (one object per line) into events, before any timing starts.
enum Workload {
    static func events(jsonl path: String, entity: String, key: String, limit: Int? = nil) throws -> [NewEvent] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var events: [NewEvent] = []
        events.reserveCapacity(limit ?? 1_000_000)
        var lineStart = data.startIndex
        for i in data.indices where data[i] == 0x0A {
            let line = String(decoding: data[lineStart..<i], as: UTF8.self)
            lineStart = i + 1
            guard case .object(let members) = try JSONParser.parse(line) else { continue }
            let fields = members.map { (name, v) -> Field in
                switch v {
                case .string(let s): Field(name, .string(s))
                case .number(let n): Field(name, .decimal(LedgerDecimal(n)!))
                case .bool(let b): Field(name, .bool(b))
                default: Field(name, .null)
                }
            }
            guard fields.contains(where: { $0.name == key && !$0.value.isNull }) else { continue }
            events.append(try NewEvent(source: "gen_pos", entity: entity, keyFields: [key], fields: fields))
            if let limit, events.count >= limit { break }
        }
        return events
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func percentile(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s[min(s.count - 1, Int((Double(s.count) * p).rounded(.up)) - 1)]
    }

    /// CPU time (user + system) of all threads of this process so far, in seconds: a figure that a
    /// busy machine disturbs less than wall time.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(u.ru_utime) + s(u.ru_stime)
    }

    /// Current resident set size of this process, in bytes (from /proc/self/statm).
    static func currentRSS() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// Peak resident set size of this process, in bytes.
    static func peakRSS() -> Int {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return u.ru_maxrss * 1024
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func directoryBytes(_ path: String, suffixes: [String]) -> UInt64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { n in suffixes.contains { n.hasSuffix($0) } }
            .reduce(0) { $0 + (LogDirectory.fileSize(path + "/" + $1) ?? 0) }
    }
}
