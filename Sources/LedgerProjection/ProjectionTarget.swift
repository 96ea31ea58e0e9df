/// A store a projector writes into (Postgres, SQLite). Each call of ``apply(_:checkpoint:)`` is one
/// transaction holding the batch's effects, its dead letters and the new checkpoint, so applying
/// a batch twice is impossible and a crash at any instant leaves the last commit intact.
public protocol ProjectionTarget: AnyObject, Sendable {
    /// The projector's name, as `ledger project NAME` and `ledger projections` show it.
    var name: String { get }

    /// Takes the single-instance lock (a Postgres advisory lock, a SQLite lock file) for as long
    /// as the target is open; throws ``ProjectionError/Code/locked`` when another instance holds it.
    func acquireLock() async throws(ProjectionError)

    /// The stored checkpoint, or ``ProjectionCheckpoint/start`` for an empty target.
    func checkpoint() async throws(ProjectionError) -> ProjectionCheckpoint

    /// Applies `batch` (consecutive offsets from the stored checkpoint's `nextOffset`) and stores
    /// `checkpoint` in one transaction. An event the target cannot hold goes to its dead-letter
    /// table, in the same transaction, with the reason; the rest of the batch still lands.
    func apply(_ batch: ProjectionBatch, checkpoint: ProjectionCheckpoint) async throws(ProjectionError) -> ProjectionBatchResult

    /// Told of the batch after the one being applied, once it is read and decided, so the target
    /// can begin what that batch needs while it writes this one. A hint: ``apply(_:checkpoint:)``
    /// of any batch is right whether or not it came. The default does nothing.
    func prepare(_ next: ProjectionBatch)

    /// Releases the lock and the connection.
    func close() async
}

extension ProjectionTarget {
    public func prepare(_ next: ProjectionBatch) {}
}

/// What one ``ProjectionTarget/apply(_:checkpoint:)`` did.
public struct ProjectionBatchResult: Sendable, Hashable {
    public var applied: Int
    public var deadLettered: Int
    /// Events of entities or ops this projection does not use (checkpoints, other entities).
    public var ignored: Int

    public init(applied: Int = 0, deadLettered: Int = 0, ignored: Int = 0) {
        self.applied = applied
        self.deadLettered = deadLettered
        self.ignored = ignored
    }
}
