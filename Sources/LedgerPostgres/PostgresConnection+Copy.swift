import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// COPYs `rows` into `table` (unqualified: a temporary table or one on the search path) in chunks of 1 MiB.
    func copy(_ rows: PostgresCopyText, into table: String, logger: Logger) async throws {
        guard rows.rows > 0 else { return }
        try await copyFrom(table: table, logger: logger) { writer in
            var at = 0
            while at < rows.bytes.count {
                let end = min(at + (1 << 20), rows.bytes.count)
                try await writer.write(ByteBuffer(bytes: rows.bytes[at..<end]))
                at = end
            }
        }
    }
}
