#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file (index lookups binary-search it without a syscall per probe).
public final class MappedFile {
    public let bytes: UnsafeRawBufferPointer

    /// Maps `file` (its first `size` bytes when given), its pages read in at once when `populate`
    /// (a file read from end to end); nil for an empty file or when mapping fails.
    init?(_ file: LogFile, size known: UInt64? = nil, populate: Bool = false) {
        guard let size = known ?? (try? file.size()), size > 0 else { return nil }
        let p = mmap(nil, Int(size), PROT_READ, MAP_SHARED | (populate ? MAP_POPULATE : 0), file.fd, 0)
        guard let p, p != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: p, count: Int(size))
    }

    /// Maps the whole file at `path`, its pages read in at once; nil when it cannot be opened or
    /// mapped, or is empty.
    public convenience init?(path: String) {
        guard let file = try? LogFile(path: path, mode: .readOnly) else { return nil }
        self.init(file, populate: true)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
