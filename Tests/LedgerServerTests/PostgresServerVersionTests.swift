@testable import LedgerPostgres
import LedgerProjection
import Testing

extension LedgerServerTests {
    /// The projector writes its batches with `MERGE` (PostgreSQL 15 on): an older server is refused
    /// with an error that names the server's version, when the target opens (every target opened on
    /// the test server, Debian's PostgreSQL 15, passes the same check).
    @Suite struct PostgresServerVersionTests {
        @Test func aServerWithoutMergeIsRefusedByName() throws {
            let refusal = try #require(PostgresAnalyticsTarget.mergeRefusal(
                versionNumber: 140_011, version: "14.11 (Debian 14.11-1.pgdg120+1)", context: "projector postgres on postgres://ledger@127.0.0.1:5432/shop"))
            #expect(refusal.code == .configuration)
            #expect(!refusal.isTransient)
            #expect(refusal.description == "configuration: projector postgres on postgres://ledger@127.0.0.1:5432/shop: "
                + "PostgreSQL 14.11 (Debian 14.11-1.pgdg120+1) has no MERGE; the projection needs PostgreSQL 15 or later")
            #expect(PostgresAnalyticsTarget.mergeRefusal(versionNumber: 150_000, version: "15.0", context: "x") == nil)
            #expect(PostgresAnalyticsTarget.mergeRefusal(versionNumber: 170_002, version: "17.2", context: "x") == nil)
        }
    }
}
