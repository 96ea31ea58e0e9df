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
}
