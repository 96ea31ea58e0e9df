import Foundation
import LedgerPostgres
import LedgerTestKit
import Testing

/// The binary carries the migrations of projections/postgres/ (tools/gen-pg-migrations writes them
/// into Sources/LedgerPostgres/PostgresMigrations+SQL.swift): every file pair must be embedded,
/// byte for byte, so an edited migration that was not regenerated fails here (no server needed).
@Suite struct PostgresMigrationFilesTests {
    @Test func everyMigrationFileIsEmbeddedAsWritten() throws {
        let dir = PackagePaths.root() + "/projections/postgres"
        let ups = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".up.sql") }.sorted()
        #expect(!ups.isEmpty)
        #expect(ups.count == PostgresMigrations.embedded.count, "run tools/gen-pg-migrations")
        for (file, migration) in zip(ups, PostgresMigrations.embedded) {
            let base = String(file.dropLast(".up.sql".count))
            #expect(base == String(format: "%04d_", migration.version) + migration.name)
            let up = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            let down = try String(contentsOfFile: dir + "/" + base + ".down.sql", encoding: .utf8)
            #expect(migration.up + "\n" == up || migration.up == up, "\(file) differs from the embedded copy: run tools/gen-pg-migrations")
            #expect(migration.down + "\n" == down || migration.down == down, "\(base).down.sql differs from the embedded copy: run tools/gen-pg-migrations")
        }
    }
}
