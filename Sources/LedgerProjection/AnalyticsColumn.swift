/// One column of an analytics table, with the type both targets give it.
public struct AnalyticsColumn: Sendable, Hashable {
    /// How a column's values are typed: Postgres uses the SQL type of ``postgresType``; SQLite keeps
    /// numerics as canonical decimal text, bigints as INTEGER and timestamps as ISO-8601 UTC text.
    public enum Kind: Sendable, Hashable {
        case text, bigint, numeric, timestamp

        /// The Postgres column type.
        public var postgresType: String {
            switch self {
            case .text: "text"
            case .bigint: "bigint"
            case .numeric: "numeric"
            case .timestamp: "timestamptz"
            }
        }

        /// The SQLite column type (exact decimals as text).
        public var sqliteType: String {
            switch self {
            case .text, .numeric, .timestamp: "TEXT"
            case .bigint: "INTEGER"
            }
        }
    }

    public var name: String
    public var kind: Kind
    /// Whether the column is NOT NULL (keys and the event metadata columns).
    public var notNull: Bool

    public init(_ name: String, _ kind: Kind, notNull: Bool = false) {
        self.name = name
        self.kind = kind
        self.notNull = notNull
    }
}
