/// An error from the log store: a code, the place (file and byte position), and the cause.
///
/// Descriptions name files by their name within the log directory and never include payload data.
public struct LogError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Another writer holds the log.
        case locked
        /// Committed data is damaged: a CRC, magic, offset, hash or length is wrong.
        case damaged
        /// The operating system refused an operation.
        case io
        /// The directory is not a log, or an offset/record does not exist.
        case notFound
        /// The caller passed something the log cannot hold.
        case invalidArgument
        /// The writer hit an error it cannot recover from in-process; reopen the log.
        case writerFailed
    }

    public var code: Code
    public var message: String
    /// The file within the log directory, when one is concerned.
    public var file: String?
    /// The absolute byte position in `file`, when known.
    public var position: UInt64?
    public var errno: Int32?

    public init(_ code: Code, _ message: String, file: String? = nil, position: UInt64? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.position = position
        self.errno = errno
    }

    /// A format violation found in `file`, at `base` + the violation's relative position.
    public init(_ e: FormatError, file: String, base: UInt64) {
        self.init(.damaged, e.reason, file: file, position: base + UInt64(max(e.position, 0)))
    }

    public var description: String {
        var s = "\(code.rawValue): \(message)"
        if let file {
            s += " (\(file)"
            if let position { s += " at byte \(position)" }
            s += ")"
        }
        if let errno { s += " [errno \(errno)]" }
        return s
    }
}
