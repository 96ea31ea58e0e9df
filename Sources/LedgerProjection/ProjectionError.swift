/// A projector stopped, or could not start. The target keeps everything committed before it.
public struct ProjectionError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Another instance of the same projector holds the target's lock.
        case locked = "projector already running"
        /// The target's checkpoint does not match the log (another log, or a truncated one).
        case checkpointMismatch = "checkpoint does not match the log"
        /// The target failed (connection, SQL, disk); retrying may succeed.
        case target = "target failed"
        /// The target's schema is missing or at the wrong version (`ledger migrate`).
        case schema = "target schema"
        /// Reading the log failed.
        case log = "log error"
        /// Bad arguments or configuration.
        case configuration = "configuration"
    }

    public var code: Code
    public var context: String
    public var cause: String
    /// Whether retrying the same operation may succeed (a dropped connection, a server restart).
    public var isTransient: Bool

    public init(_ code: Code, context: String, cause: String, isTransient: Bool = false) {
        self.code = code
        self.context = context
        self.cause = cause
        self.isTransient = isTransient
    }

    /// Never contains a password: targets describe themselves without secrets.
    public var description: String { "\(code.rawValue): \(context): \(cause)" }
}
