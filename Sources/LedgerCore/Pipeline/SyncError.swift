/// A sync run stopped. The log keeps everything committed before the failure; a new run resumes
/// from the last checkpoint.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case source = "source failed"
        case mapping = "mapping error"
        case log = "log error"
        case deadLetters = "dead-letter store failed"
        case state = "delta state error"
    }

    public var code: Code
    public var context: String
    public var cause: String
    /// The source's own error, for ``Code/source``.
    public var sourceError: SourceError?

    public init(_ code: Code, context: String, cause: String, sourceError: SourceError? = nil) {
        self.code = code
        self.context = context
        self.cause = cause
        self.sourceError = sourceError
    }

    /// The dead-letter store failed with `error`.
    public init(deadLetters error: DeadLetterError) {
        self.init(.deadLetters, context: error.context, cause: error.cause)
    }

    public var description: String { "\(code.rawValue): \(context): \(cause)" }
}
