#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LedgerProjection

/// The single-instance lock of a SQLite projection: `flock(LOCK_EX | LOCK_NB)` on `<db>.lock`,
/// holding the owner's process id. The kernel releases it when the process dies.
struct SQLiteLockFile: Sendable {
    let path: String
    let fd: Int32

    /// Takes the lock or throws ``ProjectionError/Code/locked``.
    init(path: String, projector: String) throws(ProjectionError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ProjectionError(.target, context: "opening the lock file \(path)", cause: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, buf.count, 0)
            let pid = String(decoding: buf.prefix(max(n, 0)), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "unknown"
            close(fd)
            throw ProjectionError(.locked, context: "projector \(projector)",
                                  cause: "another instance (process \(pid)) is projecting into this database; it holds \(path)")
        }
        _ = ftruncate(fd, 0)
        let line = Array("\(getpid())\n".utf8)
        _ = pwrite(fd, line, line.count, 0)
        self.fd = fd
    }

    /// Releases the lock.
    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
