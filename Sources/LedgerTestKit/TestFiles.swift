#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes for tests that damage, truncate and copy log files.
public enum TestFiles {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func read(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// Replaces the file's contents (creating it if needed).
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// XORs the byte at `position` with `mask` (which must not be zero).
    public static func flip(_ path: String, at position: Int, mask: UInt8 = 0xFF) throws(Failure) {
        precondition(mask != 0)
        var bytes = try read(path)
        guard position < bytes.count else { throw Failure(description: "\(path) has no byte \(position)") }
        bytes[position] ^= mask
        try write(bytes, to: path)
    }

    public static func truncate(_ path: String, to size: Int) throws(Failure) {
        guard posixTruncate(path, off_t(size)) == 0 else {
            throw Failure(description: "cannot truncate \(path): \(String(cString: strerror(errno)))")
        }
    }

    public static func size(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    public static func exists(_ path: String) -> Bool { size(path) != nil }

    public static func remove(_ path: String) { unlink(path) }

    /// The names of the regular files in `directory`, sorted.
    public static func names(in directory: String) throws(Failure) -> [String] {
        guard let d = opendir(directory) else { throw Failure(description: "cannot list \(directory)") }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Copies every file of the flat directory `source` into `destination` (created if needed).
    public static func copyDirectory(_ source: String, to destination: String) throws(Failure) {
        if !exists(destination) && mkdir(destination, 0o755) != 0 {
            throw Failure(description: "cannot create \(destination): \(String(cString: strerror(errno)))")
        }
        for name in try names(in: source) {
            try write(read(source + "/" + name), to: destination + "/" + name)
        }
    }

    /// Removes a flat directory and the files in it.
    public static func removeDirectory(_ path: String) {
        if let names = try? names(in: path) { for name in names { unlink(path + "/" + name) } }
        rmdir(path)
    }

    /// The contents of every file in `directory` whose name ends with `suffix`.
    public static func snapshot(_ directory: String, suffix: String) throws(Failure) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for name in try names(in: directory) where name.hasSuffix(suffix) {
            out[name] = try read(directory + "/" + name)
        }
        return out
    }
}

private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func posixTruncate(_ path: String, _ size: off_t) -> Int32 { truncate(path, size) }
