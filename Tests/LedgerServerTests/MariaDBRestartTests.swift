import LedgerCore
import LedgerSources
import LedgerTestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension LedgerServerTests {
    /// The MariaDB server restarted (tools/db-restart) under a `MariaDBPOSDatabase`: the call after the
    /// restart fails as `unavailable`, the caller's retry reconnects and reads the same data.
    @Suite struct MariaDBRestartTests {
        /// A scratch database with a 100-row table `items` and a change log up to id 100.
        static func prepare() throws -> MariaDBScratch {
            let scratch = try MariaDBScratch()
            let db = try scratch.connect()
            defer { db.close() }
            try db.execute("CREATE TABLE items (_row BIGINT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(64), KEY items_pk (code))")
            try db.execute("INSERT INTO items (code) SELECT CONCAT('K', seq) FROM seq_1_to_100")
            try db.execute("""
                CREATE TABLE log_table_sync_change (id BIGINT AUTO_INCREMENT PRIMARY KEY, table_name VARCHAR(64) NOT NULL,
                pk VARCHAR(64) NOT NULL, op CHAR(1) NOT NULL, change_time DATETIME NOT NULL)
                """)
            try db.execute("INSERT INTO log_table_sync_change (table_name, pk, op, change_time) SELECT 'items', CONCAT('K', seq), 'I', '2026-11-22 10:00:00' FROM seq_1_to_100")
            return scratch
        }

        static let expectedRows = (1...100).map { POSRow(rowID: Int64($0), values: [.text("K\($0)")]) }

        @Test func theCallAfterARestartIsUnavailableAndTheRetryReconnects() throws {
            let scratch = try Self.prepare()
            defer { scratch.drop() }
            let pos = MariaDBPOSDatabase(configuration: scratch.configuration)
            let direct = try scratch.connect()
            #expect(try pos.rows(of: "items", columns: ["code"], afterRowID: 0, limit: 1000) == Self.expectedRows)
            #expect(try direct.query("SELECT COUNT(*) FROM items") == [[.text("100")]])

            let restart = try Command.run([ServerEnvironment.restartScript, "mariadb"])
            try #require(restart.status == 0, "tools/db-restart mariadb failed: \(restart.error)")

            // Both connections died with the server; neither reconnects on its own within a call.
            let lost = try #require(throws: SourceError.self) {
                try pos.rows(of: "items", columns: ["code"], afterRowID: 0, limit: 1000)
            }
            #expect(lost.code == .unavailable)
            #expect(lost.isTransient)
            #expect(lost.context == pos.label)
            #expect(Self.isConnectionLoss(lost), "\(lost)")
            #expect(!pos.isConnected)
            let directLost = try #require(throws: SourceError.self) { try direct.query("SELECT 1") }
            #expect(directLost.code == .unavailable)
            #expect(!direct.isOpen)

            // The retry connects again and reads exactly the same rows.
            #expect(try pos.rows(of: "items", columns: ["code"], afterRowID: 0, limit: 1000) == Self.expectedRows)
            #expect(pos.isConnected)
            #expect(try pos.maxChangeID() == 100)
        }

        @Test func whileTheServerIsDownCallsAreUnavailableAndTheFirstCallAfterwardsSucceeds() throws {
            let scratch = try Self.prepare()
            defer { scratch.drop() }
            let pos = MariaDBPOSDatabase(configuration: scratch.configuration)
            #expect(try pos.maxChangeID() == 100)

            let log = TemporaryDirectory("ledger-db-restart")
            defer { log.remove() }
            let restart = try ChildProcess(executable: ServerEnvironment.restartScript, arguments: ["mariadb", "--pause", "3"],
                                           standardErrorPath: log.path + "/stderr")
            restart.closeInput()
            var failures: [SourceError] = []
            var successesAfterFailure = 0
            var restartStatus: Int32?
            let deadline = ContinuousClock.now + .seconds(120)
            // Poll as a sync loop would (100 ms backoff) until the restart is over and a call has succeeded since.
            while ContinuousClock.now < deadline {
                do {
                    let max = try pos.maxChangeID()
                    #expect(max == 100)
                    if !failures.isEmpty { successesAfterFailure += 1 }
                } catch {
                    failures.append(error)
                    #expect(!pos.isConnected)
                }
                if restartStatus == nil { restartStatus = restart.exitStatusIfEnded() }
                if restartStatus != nil && successesAfterFailure > 0 { break }
                usleep(100_000)
            }
            let status = restartStatus ?? restart.waitForExit()
            try #require(status == 0, "tools/db-restart failed (\(ChildProcess.describe(status)))")
            #expect(successesAfterFailure > 0, "no call succeeded after the restart")
            #expect(!failures.isEmpty, "no call failed while the server was down")
            #expect(failures.allSatisfy { $0.code == .unavailable && $0.context == pos.label }, "\(failures)")
            // Down for 3 s, polled every 100 ms: connections were refused (CR_CONNECTION_ERROR).
            #expect(failures.contains { $0.cause?.hasPrefix("error 2002 ") == true }, "\(failures)")
            #expect(try pos.changes(after: 98, limit: 10).map(\.pk) == ["K99", "K100"])
        }

        /// The errors of a connection the server dropped: gone, lost, killed, shutting down, or the
        /// server closing the socket during a read (Connector/C's 5xxx).
        static func isConnectionLoss(_ error: SourceError) -> Bool {
            let number = error.cause.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
            return [2006, 2013, 1053, 1927, 4031].contains(number) || (5000..<6000).contains(number)
        }
    }
}
