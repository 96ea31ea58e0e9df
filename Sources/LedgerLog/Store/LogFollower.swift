#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes a reader when the writer commits: inotify on `HEAD` (Linux), with a polling fallback.
public final class LogFollower {
    private let directory: String
    private var inotifyFD: Int32 = -1
    private var lastHead: HeadRecord?

    public init(directory: String) {
        self.directory = directory
        #if os(Linux)
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        if fd >= 0 {
            if inotify_add_watch(fd, directory, UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO)) >= 0 {
                inotifyFD = fd
            } else {
                close(fd)
            }
        }
        #endif
        lastHead = HeadRecord.read(directory: directory)
    }

    deinit { if inotifyFD >= 0 { close(inotifyFD) } }

    /// Waits until HEAD differs from what was last seen, or `timeoutMilliseconds` pass; returns the current HEAD.
    public func waitForCommit(timeoutMilliseconds: Int32 = 1000) -> HeadRecord? {
        let deadline = LogClock.system.now() + Int64(timeoutMilliseconds) * 1000
        while true {
            let h = HeadRecord.read(directory: directory)
            if let h, h != lastHead {
                lastHead = h
                return h
            }
            let remaining = (deadline - LogClock.system.now()) / 1000
            if remaining <= 0 { return h }
            if inotifyFD >= 0 {
                var p = pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)
                _ = poll(&p, 1, Int32(min(remaining, 100)))
                var buf = [UInt8](repeating: 0, count: 4096)
                while read(inotifyFD, &buf, buf.count) > 0 {}
            } else {
                usleep(1000)
            }
        }
    }
}
