#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The single-writer lock: `flock(LOCK_EX | LOCK_NB)` on `LOCK`, holding the writer's process id.
final class WriterLock {
    private let file: LogFile

    init(directory: String) throws(LogError) {
        let f = try LogFile(path: directory + "/" + SegmentName.lock, mode: .create)
        // A lock released an instant ago can still be held by a child process another thread is
        // spawning (it shares the descriptor until its exec closes it): retry for up to 200 ms.
        var locked = flock(f.fd, LOCK_EX | LOCK_NB) == 0
        for _ in 0..<40 where !locked {
            usleep(5000)
            locked = flock(f.fd, LOCK_EX | LOCK_NB) == 0
        }
        if !locked {
            let holder = (try? f.read(32, at: 0)).map { String(decoding: $0, as: UTF8.self) }?
                .trimmingPrefix(while: { $0 == " " }).split(separator: "\n").first.map(String.init) ?? "unknown"
            throw LogError(.locked, "the log is already open for writing by process \(holder)", file: SegmentName.lock)
        }
        try f.truncate(to: 0)
        try f.write(Array("\(getpid())\n".utf8), at: 0)
        file = f
    }

    /// Releases the lock (also released when the process dies).
    func release() { flock(file.fd, LOCK_UN) }
}
