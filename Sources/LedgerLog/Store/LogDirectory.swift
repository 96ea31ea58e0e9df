#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists the files of a log directory.
public enum LogDirectory {
    /// Base offsets of the segments, ascending.
    public static func segmentBases(_ directory: String) throws(LogError) -> [UInt64] {
        try names(directory).compactMap { SegmentName.base(of: $0) }.sorted()
    }

    /// The names of the entries in a directory.
    public static func names(_ directory: String) throws(LogError) -> [String] {
        guard let d = opendir(directory) else {
            let e = errno
            throw LogError(e == ENOENT ? .notFound : .io, "cannot open the log directory \(directory): \(String(cString: strerror(e)))", errno: e)
        }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            })
        }
        return names
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func create(_ path: String) throws(LogError) {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw LogError(.notFound, "\(path) is not a directory, so it cannot hold a log")
            }
            return
        }
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if !exists(prefix) && mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw LogError(.io, "cannot create directory \(path): \(String(cString: strerror(errno)))", errno: errno)
            }
        }
    }

    public static func remove(_ path: String) { unlink(path) }

    public static func fileSize(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_size) : nil
    }
}
