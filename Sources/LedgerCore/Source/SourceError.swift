/// A source could not be read. Never carries a password: `context` names the place, not the DSN.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The file or database is not there.
        case notFound = "not found"
        /// Connecting or a query failed; retrying may help.
        case unavailable = "unavailable"
        /// The source's data or schema is not what the mapping says.
        case badSchema = "bad schema"
        /// Input that is not readable at all (not a row-level problem: those are dead letters).
        case badInput = "bad input"
        /// A limit was exceeded (file size, line length).
        case limitExceeded = "limit exceeded"
    }

    public var code: Code
    /// Where: a file and line, a table, a host and database.
    public var context: String
    /// What went wrong underneath, already free of secrets.
    public var cause: String?

    public init(_ code: Code, context: String, cause: String? = nil) {
        self.code = code
        self.context = context
        self.cause = cause
    }

    /// Whether trying again later can succeed.
    public var isTransient: Bool { code == .unavailable }

    public var description: String {
        "\(context): \(code.rawValue)" + (cause.map { ": \($0)" } ?? "")
    }
}
