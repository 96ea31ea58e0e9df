#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock a source reads for gap expiry and `--days` windows; injected so tests control time.
public struct SourceClock: Sendable {
    /// Seconds since the Unix epoch.
    public var now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) { self.now = now }

    /// `clock_gettime(CLOCK_REALTIME)` in whole seconds.
    public static let system = SourceClock {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }
}
