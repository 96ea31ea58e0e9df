/// Where dead letters are kept. Recording the same position of the same source again replaces the
/// earlier entry, so a re-run after a crash never duplicates one.
public protocol DeadLetterSink: AnyObject {
    func record(_ letters: [DeadLetter]) throws(DeadLetterError)
}

/// The dead-letter store failed.
public struct DeadLetterError: Error, Sendable, CustomStringConvertible {
    public var context: String
    public var cause: String

    public init(context: String, cause: String) {
        self.context = context
        self.cause = cause
    }

    public var description: String { "\(context): \(cause)" }
}
