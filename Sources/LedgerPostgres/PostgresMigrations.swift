/// The versioned migrations of `projections/postgres/`, embedded in the binary by
/// `tools/gen-pg-migrations` (see `PostgresMigrations+SQL.swift`).
public enum PostgresMigrations {
    /// One versioned migration: the SQL applies and undoes it with `{{schema}}` as the schema name.
    public struct Migration: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var up: String
        public var down: String

        public init(version: Int, name: String, up: String, down: String) {
            self.version = version
            self.name = name
            self.up = up
            self.down = down
        }

        /// The up SQL for `schema` (a checked identifier, see ``PostgresConfiguration/isIdentifier(_:)``).
        public func upSQL(schema: String) -> String { Self.substitute(up, schema: schema) }

        /// The down SQL for `schema`.
        public func downSQL(schema: String) -> String { Self.substitute(down, schema: schema) }

        private static func substitute(_ sql: String, schema: String) -> String {
            sql.split(separator: "{{schema}}", omittingEmptySubsequences: false).joined(separator: schema)
        }
    }
}
