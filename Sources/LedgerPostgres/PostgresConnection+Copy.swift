import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// COPYs `rows` into `table` (unqualified: a temporary table or one on the search path) in chunks of 1 MiB.
    func copy(_ rows: PostgresCopyBinary, into table: String, logger: Logger) async throws {
        guard rows.rows > 0 else { return }
        try await copyBinary(into: table, logger: logger) { writer in
            var at = 0
            while at < rows.bytes.readableBytes {
                let n = min(1 << 20, rows.bytes.readableBytes - at)
                try await writer.write(rows.bytes.getSlice(at: rows.bytes.readerIndex + at, length: n)!)
                at += n
            }
        }
    }

    /// `COPY table FROM STDIN WITH (FORMAT binary)`: `body` writes the rows (``PostgresCopyBinary``),
    /// between the header and trailer written here. `table` is unqualified, a trusted name.
    ///
    /// PostgresNIO 1.33's `copyFrom` only builds text-format COPYs: it writes `COPY "<table>"` and
    /// then ` FROM STDIN WITH (FORMAT text)` on the same line. The table name given to it here closes
    /// the quote, asks for the binary format and comments out the rest. The server then answers with
    /// a binary CopyInResponse, which PostgresNIO's state machine accepts. The live tests round-trip
    /// every column type through this path, so a PostgresNIO that builds the statement differently
    /// fails them.
    func copyBinary(into table: String, logger: Logger, _ body: (PostgresCopyFromWriter) async throws -> Void) async throws {
        precondition(!table.contains("\"") && !table.contains("\n"), "a COPY target is a plain name")
        try await copyFrom(table: "\(table)\" FROM STDIN WITH (FORMAT binary) --", logger: logger) { writer in
            try await writer.write(ByteBuffer(bytes: PostgresCopyBinary.header))
            try await body(writer)
            try await writer.write(ByteBuffer(bytes: PostgresCopyBinary.trailer))
        }
    }
}
