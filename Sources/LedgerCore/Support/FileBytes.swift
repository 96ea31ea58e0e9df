#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import LedgerLog

/// Whole-file reads and atomic whole-file writes, for small state files beside the log.
public enum FileBytes {
    /// The file's bytes, or nil when it cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        // One buffer of the file's size, read into directly; a file that grew meanwhile is read on.
        var out = [UInt8](unsafeUninitializedCapacity: max(Int(info.st_size), 0)) { buffer, count in
            while count < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                count += n
            }
        }
        guard out.count == Int(info.st_size) else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: 1 << 16, alignment: 1) { more in
            while true {
                let n = Glibc.read(fd, more.baseAddress, more.count)
                if n < 0 { if errno == EINTR { continue }; return nil }
                if n == 0 { return out }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: more[..<n]))
            }
        }
    }

    /// Writes `bytes` to `path.tmp`, fsyncs it, renames it over `path` and fsyncs the directory.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(LogError) {
        try writeAtomically(to: path) { (emit) throws(LogError) in
            try bytes.withUnsafeBytes { b in Result { () throws(LogError) in try emit(b) } }.get()
        }
    }

    /// As ``writeAtomically(_:to:)``, with the bytes handed piece by piece to the function `produce` is given.
    /// Not `durable`: no fsync of the file or the directory, for a cache that its reader checks
    /// (after an OS crash it may be missing, old or torn, never a mix that passes its checksum).
    public static func writeAtomically(
        to path: String, durable: Bool = true, _ produce: (_ emit: (UnsafeRawBufferPointer) throws(LogError) -> Void) throws(LogError) -> Void
    ) throws(LogError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LogError(.io, "cannot create: \(String(cString: strerror(errno)))", file: tmp) }
        do {
            try produce { (bytes) throws(LogError) in
                var done = 0
                while done < bytes.count {
                    let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw LogError(.io, "cannot write: \(String(cString: strerror(errno)))", file: tmp)
                    }
                    done += n
                }
            }
        } catch {
            close(fd)
            throw error
        }
        guard !durable || fsync(fd) == 0 else {
            let e = String(cString: strerror(errno))
            close(fd)
            throw LogError(.io, "cannot fsync: \(e)", file: tmp)
        }
        close(fd)
        guard rename(tmp, path) == 0 else { throw LogError(.io, "cannot rename into place: \(String(cString: strerror(errno)))", file: path) }
        guard durable else { return }
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
