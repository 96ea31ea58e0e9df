public import LedgerLog

/// A value of an analytics column, already checked against the column's kind.
public enum AnalyticsValue: Sendable, Hashable {
    case null
    case text(String)
    case bigint(Int64)
    /// An exact decimal (money, quantities).
    case numeric(LedgerDecimal)
    case timestamp(Timestamp)

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// Key order as SQLite's B-trees and Postgres's "C" collation keep it: integers numerically,
    /// text by UTF-8 bytes. Keys of other kinds are unordered.
    public static func keyPrecedes(_ a: AnalyticsValue, _ b: AnalyticsValue) -> Bool {
        switch (a, b) {
        case (.bigint(let x), .bigint(let y)): x < y
        case (.text(let x), .text(let y)): x.utf8Precedes(y)
        default: false
        }
    }

    /// The value as SQLite stores it in text form (decimals canonical, timestamps ISO-8601 UTC), or
    /// nil for NULL and bigints.
    public var text: String? {
        switch self {
        case .null, .bigint: nil
        case .text(let s): s
        case .numeric(let d): d.text
        case .timestamp(let t): t.iso8601
        }
    }

    /// The bigint, if this is one.
    public var bigint: Int64? { if case .bigint(let i) = self { i } else { nil } }

    /// Text by its bytes (``ExactText``), so keys that differ only in Unicode normalization stay two.
    public static func == (x: AnalyticsValue, y: AnalyticsValue) -> Bool {
        switch (x, y) {
        case (.null, .null): true
        case (.text(let a), .text(let b)): a.utf8Compare(b) == 0
        case (.bigint(let a), .bigint(let b)): a == b
        case (.numeric(let a), .numeric(let b)): a == b
        case (.timestamp(let a), .timestamp(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .text(let s):
            hasher.combine(1)
            s.utf8Hash(into: &hasher)
        case .bigint(let i):
            hasher.combine(2)
            hasher.combine(i)
        case .numeric(let d):
            hasher.combine(3)
            hasher.combine(d)
        case .timestamp(let t):
            hasher.combine(4)
            hasher.combine(t)
        }
    }
}
