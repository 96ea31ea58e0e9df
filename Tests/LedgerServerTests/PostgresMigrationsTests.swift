import LedgerPostgres
import Testing

/// The migrations embedded by tools/gen-pg-migrations (no server needed).
@Suite struct PostgresMigrationsTests {
    @Test func embeddedMigrationsAreVersionedInOrder() {
        let versions = PostgresMigrations.embedded.map(\.version)
        #expect(versions.first == 1)
        #expect(versions == Array(1...versions.count))
    }

    @Test func schemaNameIsSubstituted() throws {
        let first = try #require(PostgresMigrations.embedded.first)
        let up = first.upSQL(schema: "bi")
        #expect(up.contains("CREATE TABLE bi.products"))
        #expect(up.contains("CREATE TABLE bi.also_bought"))
        #expect(!up.contains("{{schema}}"))
        #expect(first.downSQL(schema: "bi").contains("DROP SCHEMA IF EXISTS bi CASCADE"))
    }
}
