import LedgerLog

/// Two distinct product codes bought together, ordered so that `a < b` by UTF-8 bytes (code
/// points, as SQLite, Postgres's C collation and Python order them): a row key of `also_bought`.
public struct ProductPair: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let a: String
    public let b: String

    /// The pair of `x` and `y` in order, or nil when they are the same code.
    public init?(_ x: String, _ y: String) {
        if x.utf8Precedes(y) {
            a = x; b = y
        } else if y.utf8Precedes(x) {
            a = y; b = x
        } else {
            return nil
        }
    }

    /// The pair of `a` and `b`, already distinct and in order.
    init(ordered a: String, _ b: String) {
        self.a = a
        self.b = b
    }

    /// By bytes, as the pair's order is (see ``ExactText``).
    public static func == (x: ProductPair, y: ProductPair) -> Bool { x.a.utf8Compare(y.a) == 0 && x.b.utf8Compare(y.b) == 0 }

    public func hash(into hasher: inout Hasher) {
        a.utf8Hash(into: &hasher)
        b.utf8Hash(into: &hasher)
    }

    public static func < (x: ProductPair, y: ProductPair) -> Bool {
        let c = x.a.utf8Compare(y.a)
        return c != 0 ? c < 0 : x.b.utf8Compare(y.b) < 0
    }

    public var description: String { "(\(a), \(b))" }
}
