#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file (index lookups binary-search it without a syscall per probe).
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    /// Maps `file` (its first `size` bytes when given); nil for an empty file or when mapping fails.
    init?(_ file: LogFile, size known: UInt64? = nil) {
        guard let size = known ?? (try? file.size()), size > 0 else { return nil }
        let p = mmap(nil, Int(size), PROT_READ, MAP_SHARED, file.fd, 0)
        guard let p, p != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: p, count: Int(size))
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
