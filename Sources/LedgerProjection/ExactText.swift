import LedgerLog

/// A text compared, ordered and hashed by its UTF-8 bytes, as the log, SQLite and Postgres compare
/// keys and product codes. Swift's `==` on `String` is canonical equivalence: "é" and "e" with a
/// combining accent are one string to it, and two keys to the stores.
public struct ExactText: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let text: String

    public init(_ text: String) { self.text = text }

    public init(stringLiteral text: String) { self.text = text }

    public static func == (x: ExactText, y: ExactText) -> Bool { x.text.utf8Compare(y.text) == 0 }

    public static func < (x: ExactText, y: ExactText) -> Bool { x.text.utf8Precedes(y.text) }

    public func hash(into hasher: inout Hasher) { text.utf8Hash(into: &hasher) }

    public var description: String { text }
}
