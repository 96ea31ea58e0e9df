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
/// query in flight with ``PostgresConnectionClosed``, which is transient: a projector reconnects, a
/// replay ends with the error. Queries run one at a time.
final class PostgresSession: Sendable {
    let connection: PostgresConnection
    private let inFlight = Mutex<InFlight>(InFlight())

    private struct InFlight {
        var closed = false
        var id: UInt64 = 0
        var continuation: CheckedContinuation<PostgresRowSequence, any Error>?
    }

    init(_ connection: PostgresConnection) {
        self.connection = connection
        connection.closeFuture.whenComplete { [weak self] _ in self?.closed() }
    }

    var isClosed: Bool { connection.isClosed || inFlight.withLock { $0.closed } }

    /// Runs `query`; throws ``PostgresConnectionClosed`` once the connection has closed.
    func query(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await withCheckedThrowingContinuation { continuation in
            let id: UInt64? = inFlight.withLock { s in
                guard !s.closed else { return nil }
                precondition(s.continuation == nil, "PostgresSession runs one query at a time")
                s.id &+= 1
                s.continuation = continuation
                return s.id
            }
            guard let id else { return continuation.resume(throwing: PostgresConnectionClosed()) }
            // When the query is lost, this task stays suspended; the caller has moved on.
            Task { [connection] in
                let result: Result<PostgresRowSequence, any Error>
                do { result = .success(try await connection.query(query, logger: logger)) } catch { result = .failure(error) }
                self.finish(id, result)
            }
        }
    }

    func close() async { try? await connection.close() }

    private func finish(_ id: UInt64, _ result: Result<PostgresRowSequence, any Error>) {
        let continuation = inFlight.withLock { s -> CheckedContinuation<PostgresRowSequence, any Error>? in
            guard s.id == id, let c = s.continuation else { return nil }
            s.continuation = nil
            return c
        }
        continuation?.resume(with: result)
    }

    private func closed() {
        let continuation = inFlight.withLock { s in
            s.closed = true
            defer { s.continuation = nil }
            return s.continuation
        }
        continuation?.resume(throwing: PostgresConnectionClosed())
    }
}

/// The connection closed while a query was in flight or before it was sent.
struct PostgresConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection closed before the query was answered" }
}
