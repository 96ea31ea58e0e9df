import LedgerProjection
@testable import LedgerPostgres
import LedgerTestKit
import Logging
import PostgresNIO
import Testing

extension LedgerServerTests {
    /// A session's queries end with a transient error when the connection closes under them; a
    /// plain PostgresNIO query written after the channel's handlers are gone is never answered.
    @Suite struct PostgresSessionTests {
        let scratch = PostgresScratch()

        @Test func queriesRunOneAfterAnotherAndAtOnce() async throws {
            let session = PostgresSession(try await scratch.configuration.connect(logger: scratch.logger))
            let logger = scratch.logger
            @Sendable func sum() async throws -> Int64 {
                var sum: Int64 = 0
                for try await n in try await session.query("SELECT generate_series(1, 100)::bigint", logger: logger).decode(Int64.self) { sum += n }
                return sum
            }
            var total: Int64 = 0
            for _ in 0..<3 { total += try await sum() }
            #expect(total == 3 * 5050)
            let together = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<4 { group.addTask { try await sum() } }
                return try await group.reduce(0, +)
            }
            #expect(together == 4 * 5050)
            await session.close()
        }

        @Test func aQueryAfterTheConnectionClosedThrowsATransientError() async throws {
            let session = PostgresSession(try await scratch.configuration.connect(logger: scratch.logger))
            try await session.connection.close()
            do {
                _ = try await session.query("SELECT 1", logger: scratch.logger)
                Issue.record("a query on a closed connection returned")
            } catch {
                #expect(error is PostgresConnectionClosed)
                #expect(PostgresErrorClassification.isTransient(error))
            }
        }

        @Test func aQueryInFlightWhenTheServerEndsTheBackendThrowsATransientError() async throws {
            let session = PostgresSession(try await scratch.configuration.connect(logger: scratch.logger))
            var pid: Int32 = 0
            for try await p in try await session.query("SELECT pg_backend_pid()", logger: scratch.logger).decode(Int32.self) { pid = p }
            let killer = Task {
                try await Task.sleep(for: .milliseconds(200))
                _ = try await scratch.scalar("SELECT pg_terminate_backend(\(pid))::text")
            }
            do {
                let rows = try await session.query("SELECT pg_sleep(30)", logger: scratch.logger)
                for try await _ in rows {}
                Issue.record("the query outlived its backend")
            } catch {
                #expect(PostgresErrorClassification.isTransient(error), "\(error)")
            }
            try await killer.value
            try await session.connection.closeFuture.get()
            #expect(session.isClosed)
            do {
                _ = try await session.query("SELECT 1", logger: scratch.logger)
                Issue.record("a query on a terminated connection returned")
            } catch {
                #expect(PostgresErrorClassification.isTransient(error), "\(error)")
            }
        }
    }
}
