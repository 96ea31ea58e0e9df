import Logging
import PostgresNIO
import Synchronization

/// A connection whose queries end with an error when the connection closes under them, instead of
/// waiting forever.
///
/// PostgresNIO (1.33) hands a query to its channel without a write promise. A query written after
/// the server closed the connection and the channel's handlers were removed (a server restart
/// landing between two statements of a batch) is never answered, and its caller never resumes. A
/// session watches the channel's close future, with one callback for its whole life, and fails the
/// operations in flight with ``PostgresConnectionClosed``, which is transient: a projector reconnects,
/// a replay ends with the error. The projection target, the replays, the migrator and
/// ``PostgresAnalytics`` run every query and COPY through one.
final class PostgresSession: Sendable {
    let connection: PostgresConnection
    private let state = Mutex<State>(State())

    private struct State {
        var closed = false
        var lastID: UInt64 = 0
        /// The operations in flight, each failed (exactly once) by whichever of the operation and the
        /// close gets there first.
        var waiting: [UInt64: @Sendable (any Error) -> Void] = [:]
    }

    init(_ connection: PostgresConnection) {
        self.connection = connection
        connection.closeFuture.whenComplete { [weak self] _ in self?.closed() }
    }

    var isClosed: Bool { connection.isClosed || state.withLock { $0.closed } }

    /// Runs `operation` on the connection; throws ``PostgresConnectionClosed`` once the connection
    /// has closed, whether or not PostgresNIO ever answers.
    func perform<T: Sendable>(_ operation: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let id: UInt64? = state.withLock { s in
                guard !s.closed else { return nil }
                s.lastID &+= 1
                s.waiting[s.lastID] = { continuation.resume(throwing: $0) }
                return s.lastID
            }
            guard let id else { return continuation.resume(throwing: PostgresConnectionClosed()) }
            // When the operation is lost, this task stays suspended; the caller has moved on.
            Task { [connection] in
                let result: Result<T, any Error>
                do { result = .success(try await operation(connection)) } catch { result = .failure(error) }
                if state.withLock({ $0.waiting.removeValue(forKey: id) }) != nil { continuation.resume(with: result) }
            }
        }
    }

    func query(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await perform { try await $0.query(query, logger: logger) }
    }

    /// Runs one statement whose rows, if any, are not needed.
    func execute(_ sql: String, logger: Logger) async throws {
        _ = try await query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    func close() async { try? await connection.close() }

    private func closed() {
        let waiting = state.withLock { s in
            s.closed = true
            defer { s.waiting = [:] }
            return s.waiting
        }
        for fail in waiting.values { fail(PostgresConnectionClosed()) }
    }
}

/// The connection closed while a query was in flight or before it was sent.
struct PostgresConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection closed before the query was answered" }
}
