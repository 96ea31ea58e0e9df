import LedgerCore
import LedgerSources
import LedgerTestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension LedgerServerTests {
    @Suite struct MariaDBConnectionTests {
        @Test func valuesRoundTripIncludingNullEmptyUnicodeQuotesAndBytes() throws {
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            let db = try scratch.connect()
            try db.execute("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(255) NULL, b BLOB NULL)")
            let texts: [RawValue] = [
                .null,
                .text(""),
                .text("héllo ✓ 😀 日本語 \u{00A0}nbsp"),
                .text("it's a \\ backslash, \"quotes\", \n\r\t and a \u{0} NUL and \u{1A}"),
                .text("x'); DROP TABLE t; -- "),
                .text("  trailing spaces kept  "),
            ]
            for value in texts {
                try db.execute("INSERT INTO t (v, b) VALUES (\(try db.literal(value)), NULL)")
            }
            try db.execute("INSERT INTO t (v, b) VALUES (NULL, \(try db.literal(.bytes([0xFF, 0x00, 0xFE]))))")
            try db.execute("INSERT INTO t (v, b) VALUES (NULL, \(try db.literal(.bytes(Array("abc".utf8)))))")
            #expect(db.lastInsertID == 8)

            let rows = try db.query("SELECT id, v, b FROM t ORDER BY id")
            #expect(rows.map { $0[0] } == (1...8).map { .text(String($0)) })
            #expect(rows.prefix(6).map { $0[1] } == texts)
            #expect(rows.prefix(6).allSatisfy { $0[2] == .null })
            // A binary column: invalid UTF-8 comes back as bytes, valid UTF-8 as text.
            #expect(rows[6][2] == .bytes([0xFF, 0x00, 0xFE]))
            #expect(rows[7][2] == .text("abc"))
            // The emoji needs utf8mb4 all the way.
            #expect(try db.query("SELECT @@character_set_client, @@character_set_connection, @@character_set_results")
                    == [[.text("utf8mb4"), .text("utf8mb4"), .text("utf8mb4")]])
            #expect(try db.query("SELECT CHAR_LENGTH(v) FROM t WHERE id = 3") == [[.text("19")]])
        }

        @Test func escapingFollowsNoBackslashEscapesMode() throws {
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            let db = try scratch.connect()
            try db.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')")
            let tricky = "a\\' OR '1'='1"
            #expect(try db.literal(tricky) == "'a\\'' OR ''1''=''1'")
            #expect(try db.query("SELECT \(try db.literal(tricky))") == [[.text(tricky)]])
        }

        @Test func executeReportsAffectedRows() throws {
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            let db = try scratch.connect()
            #expect(try db.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))") == 0)
            #expect(try db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')") == 3)
            #expect(try db.execute("UPDATE t SET v = 'z' WHERE id >= 2") == 2)
            // A statement with a result set: read and dropped; the connection stays in sync.
            #expect(try db.execute("SELECT * FROM t") == 0)
            #expect(try db.query("SELECT COUNT(*) FROM t WHERE v = 'z'") == [[.text("2")]])
        }

        @Test func streamsALargeResultRowByRow() throws {
            let db = try MariaDBConnection(MariaDBScratch.baseConfiguration)
            var count = 0, sum: Int64 = 0
            try db.forEachRow("SELECT seq, REPEAT('x', 100) FROM seq_1_to_300000") { row throws(SourceError) in
                guard case .text(let n) = row[0], case .text(let pad) = row[1] else { return }
                count += 1
                sum += Int64(n)!
                if pad.utf8.count != 100 { count = -1_000_000 }
            }
            #expect(count == 300_000)
            #expect(sum == 45_000_150_000)
        }

        @Test func aBodyThatThrowsStopsTheStreamAndTheConnectionStaysUsable() throws {
            let db = try MariaDBConnection(MariaDBScratch.baseConfiguration)
            var seen = 0
            let stop = SourceError(.limitExceeded, context: "test", cause: "enough")
            #expect {
                try db.forEachRow("SELECT seq FROM seq_1_to_100000") { _ throws(SourceError) in
                    seen += 1
                    if seen == 10 { throw stop }
                }
            } throws: { ($0 as? SourceError)?.cause == "enough" }
            #expect(seen == 10)
            #expect(db.isOpen)
            #expect(try db.query("SELECT 41 + 1") == [[.text("42")]])
        }

        @Test func unknownTablesAndColumnsAreBadSchemaAndUnknownDatabasesNotFound() throws {
            let scratch = try MariaDBScratch()
            defer { scratch.drop() }
            let db = try scratch.connect()
            let missingTable = try #require(throws: SourceError.self) { try db.query("SELECT * FROM no_such_table") }
            #expect(missingTable.code == .badSchema)
            #expect(missingTable.context == scratch.configuration.label)
            #expect(missingTable.cause == "error 1146 (42S02): Table '\(scratch.name).no_such_table' doesn't exist")
            try db.execute("CREATE TABLE t (a VARCHAR(5))")
            let missingColumn = try #require(throws: SourceError.self) { try db.query("SELECT nope FROM t") }
            #expect(missingColumn.code == .badSchema)
            #expect(missingColumn.cause == "error 1054 (42S22): Unknown column 'nope' in 'SELECT'")
            // A statement error leaves the connection usable.
            #expect(db.isOpen)
            #expect(try db.query("SELECT COUNT(*) FROM t") == [[.text("0")]])

            var config = scratch.configuration
            config.database = scratch.name + "_missing"
            let noDatabase = try #require(throws: SourceError.self) { try MariaDBConnection(config) }
            #expect(noDatabase.code == .notFound)
            #expect(noDatabase.context == "mariadb \(config.hostAndPort)/\(config.database)")
        }

        @Test func aWrongPasswordIsAClearErrorWithoutThePassword() throws {
            var config = MariaDBScratch.baseConfiguration
            config.password = "wrong-pw-Zq81x"
            let error = try #require(throws: SourceError.self) { try MariaDBConnection(config) }
            #expect(error.code == .unavailable)
            #expect(error.context == "mariadb \(config.hostAndPort)/\(config.database)")
            #expect(error.cause == "error 1045 (28000): Access denied for user '\(config.user)'@'127.0.0.1' (using password: YES)")
            #expect(!error.description.contains("wrong-pw-Zq81x"))
            #expect(!String(reflecting: error).contains("wrong-pw-Zq81x"))
        }

        @Test func nothingListeningIsUnavailable() throws {
            var config = MariaDBScratch.baseConfiguration
            config.port = 1
            let error = try #require(throws: SourceError.self) { try MariaDBConnection(config) }
            #expect(error.code == .unavailable)
            #expect(error.isTransient)
            #expect(error.context == "mariadb \(config.host):1/\(config.database)")
            #expect(error.cause?.hasPrefix("error 2002 (HY000): Can't connect to server on '127.0.0.1'") == true, "\(error)")
        }

        @Test func aQueryLongerThanTheReadTimeoutLosesTheConnection() throws {
            var config = MariaDBScratch.baseConfiguration
            config.timeouts.read = .seconds(1)
            let db = try MariaDBConnection(config)
            let start = ContinuousClock.now
            let error = try #require(throws: SourceError.self) { try db.query("SELECT SLEEP(5)") }
            let elapsed = ContinuousClock.now - start
            #expect(error.code == .unavailable)
            #expect(error.cause?.hasPrefix("error 2013 (HY000): Lost connection to server during query") == true, "\(error)")
            #expect(elapsed < .seconds(4), "read timeout took \(elapsed)")
            #expect(!db.isOpen)
            let closed = try #require(throws: SourceError.self) { try db.query("SELECT 1") }
            #expect(closed.code == .unavailable)
            #expect(closed.cause == "the connection is closed")
        }

        @Test func identifiersOtherThanPlainNamesAreRefused() throws {
            #expect(try MariaDBConnection.quoteIdentifier("sales_2026", context: "c") == "`sales_2026`")
            for bad in ["", "sales; DROP TABLE x", "a`b", "é", "a b", String(repeating: "x", count: 65)] {
                let error = try #require(throws: SourceError.self) { try MariaDBConnection.quoteIdentifier(bad, context: "c") }
                #expect(error.code == .badSchema)
                #expect(error.context == "c")
            }
        }
    }
}
