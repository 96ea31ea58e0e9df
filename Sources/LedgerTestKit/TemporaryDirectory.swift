#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory under `$TMPDIR` (or /tmp), removed with ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "ledger-test") {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func remove() {
        _ = ledgerSystem("rm -rf '\(path)'")
    }
}

@discardableResult
func ledgerSystem(_ command: String) -> Int32 {
    var pid = pid_t()
    let args = ["/bin/sh", "-c", command]
    var cargs = args.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    guard posix_spawn(&pid, "/bin/sh", nil, nil, &cargs, environ) == 0 else { return -1 }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return status
}
