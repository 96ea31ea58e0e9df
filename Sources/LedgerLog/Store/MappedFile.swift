#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file (index lookups binary-search it without a syscall per probe).
public final class MappedFile {
    public let bytes: UnsafeRawBufferPointer

    /// Maps `file` (its first `size` bytes when given); nil for an empty file or when mapping fails.
    init?(_ file: LogFile, size known: UInt64? = nil) {
        guard let size = known ?? (try? file.size()), size > 0 else { return nil }
        let p = mmap(nil, Int(size), PROT_READ, MAP_SHARED, file.fd, 0)
        guard let p, p != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: p, count: Int(size))
    }

    /// Maps the file at `path`, its pages read in at once (a file read from end to end); nil when it
    /// cannot be opened or mapped, or is empty.
    public init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { return nil }
        let p = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
        guard let p, p != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: p, count: Int(info.st_size))
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
