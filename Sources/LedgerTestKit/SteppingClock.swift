public import LedgerLog
import Synchronization

/// A ``LogClock`` source that returns `start`, `start + step`, `start + 2·step`, … on successive readings.
public final class SteppingClock: Sendable {
    private let next: Mutex<Int64>
    public let step: Int64

    public init(start: Int64, step: Int64) {
        next = Mutex(start)
        self.step = step
    }

    /// The value the next reading returns.
    public var peek: Int64 { next.withLock { $0 } }

    public func reading() -> Int64 {
        next.withLock { t in
            defer { t += step }
            return t
        }
    }

    public var logClock: LogClock { LogClock { self.reading() } }
}
