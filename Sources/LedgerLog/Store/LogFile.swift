#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor with the positioned I/O the store needs. Not thread-safe by itself.
public final class LogFile: @unchecked Sendable {
    public let fd: Int32
    public let path: String
    /// The name shown in errors: the last path component.
    public let name: String

    public enum Mode: Sendable { case readOnly, readWrite, create }

    public init(path: String, mode: Mode) throws(LogError) {
        let flags: Int32 = switch mode {
        case .readOnly: O_RDONLY | O_CLOEXEC
        case .readWrite: O_RDWR | O_CLOEXEC
        case .create: O_RDWR | O_CREAT | O_CLOEXEC
        }
        let fd = open(path, flags, 0o644)
        self.path = path
        self.name = String(path.split(separator: "/").last ?? Substring(path))
        guard fd >= 0 else {
            let e = errno
            throw LogError(e == ENOENT ? .notFound : .io, "cannot open: \(String(cString: strerror(e)))", file: name, errno: e)
        }
        self.fd = fd
    }

    deinit { close(fd) }

    public func size() throws(LogError) -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ioError("fstat") }
        return UInt64(st.st_size)
    }

    func ioError(_ what: String, at position: UInt64? = nil) -> LogError {
        let e = errno
        return LogError(.io, "\(what) failed: \(String(cString: strerror(e)))", file: name, position: position, errno: e)
    }

    /// Reads up to `count` bytes at `position`; fewer only at the end of the file.
    public func read(_ count: Int, at position: UInt64) throws(LogError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = try out.withMutableBytes { (b) throws(LogError) -> Int in try read(into: b, at: position) }
        if n < count { out.removeLast(count - n) }
        return out
    }

    /// Fills `buffer` from `position`, returning the bytes read (fewer only at the end of the file).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at position: UInt64) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(position) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("read", at: position)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    public func write(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws(LogError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("write", at: position)
            }
            done += n
        }
    }

    public func write(_ bytes: [UInt8], at position: UInt64) throws(LogError) {
        try bytes.withBytes { (b) throws(LogError) in try write(b, at: position) }
    }

    public func truncate(to size: UInt64) throws(LogError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw ioError("truncate", at: size) }
    }

    public func sync() throws(LogError) {
        guard fsync(fd) == 0 else { throw ioError("fsync") }
    }

    public func syncData() throws(LogError) {
        guard fdatasync(fd) == 0 else { throw ioError("fdatasync") }
    }

    /// Creates `path` holding `contents` atomically: written and fsynced under `path.tmp`, renamed,
    /// and the directory fsynced. Returns the file opened for reading and writing.
    public static func createAtomically(directory: String, name: String, contents: [UInt8]) throws(LogError) -> LogFile {
        try createAtomically(directory: directory, name: name) { (tmp) throws(LogError) in try tmp.write(contents, at: 0) }
    }

    /// Creates `name` atomically like ``createAtomically(directory:name:contents:)``, its contents
    /// written by `write` into the empty temporary file (so they need not be in memory at once).
    static func createAtomically(
        directory: String, name: String, write: (LogFile) throws(LogError) -> Void
    ) throws(LogError) -> LogFile {
        let path = directory + "/" + name
        let tmp = try LogFile(path: path + ".tmp", mode: .create)
        try tmp.truncate(to: 0)
        try write(tmp)
        try tmp.sync()
        guard rename(path + ".tmp", path) == 0 else {
            throw LogError(.io, "rename failed: \(String(cString: strerror(errno)))", file: name, errno: errno)
        }
        try syncDirectory(directory)
        return try LogFile(path: path, mode: .readWrite)
    }

    /// fsyncs a directory so that created and renamed entries are durable.
    public static func syncDirectory(_ path: String) throws(LogError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw LogError(.io, "cannot open directory", file: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw LogError(.io, "fsync of directory failed", file: path, errno: errno) }
    }
}
