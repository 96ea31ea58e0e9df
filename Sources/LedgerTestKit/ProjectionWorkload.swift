import Foundation
import LedgerLog
public import LedgerProjection
import LedgerSQLite
import Logging

/// A small `gen_pos.py` workload synced with `ledger sync` into two logs: `backfill` (after the
/// initial load) and `full` (the same log continued with the incremental batch). The source also
/// has the standard schema's optional `customers` table (``FixtureCustomers``), changed with the
/// incremental batch. Built once per test process; tests copy what they write into.
public struct ProjectionWorkload: Sendable {
    public let fixture: POSSQLiteFixture
    public var backfillLog: String { fixture.path + "/log-backfill" }
    public var fullLog: String { fixture.path + "/log-full" }

    public static let shared = Result { try ProjectionWorkload() }

    public static let timeZone = "Asia/Ho_Chi_Minh"

    private init() throws {
        fixture = try POSSQLiteFixture.generate(products: 150, receipts: 900, sales: 3000, seed: 7)
        try fixture.addCustomers()
        try Self.ledger(["sync", "--log", fixture.path + "/log-backfill", "--sqlite", fixture.databasePath, "--time-zone", Self.timeZone])
        try Self.shell("cp -r '\(fixture.path)/log-backfill' '\(fixture.path)/log-full'")
        try fixture.loadDelta()
        try fixture.changeCustomers()
        try Self.ledger(["sync", "--log", fixture.path + "/log-full", "--sqlite", fixture.databasePath, "--time-zone", Self.timeZone])
    }

    /// Runs the `ledger` binary; throws unless it exits 0.
    @discardableResult
    public static func ledger(_ arguments: [String]) throws -> Command.Result {
        let r = try Command.run([PackagePaths.ledgerBinary()] + arguments)
        guard r.status == 0 else { throw WorkloadFailure(description: "ledger \(arguments.joined(separator: " ")) exited \(r.status): \(r.error)") }
        return r
    }

    public static func shell(_ command: String) throws {
        let r = try Command.run(["sh", "-c", command])
        guard r.status == 0 else { throw WorkloadFailure(description: "\(command): \(r.error)") }
    }

    /// Projects `log` into the SQLite file `db` up to the head, in batches of `batchSize`.
    @discardableResult
    public static func project(log: String, db: String, batchSize: Int = 10_000) async throws -> ProjectionCheckpoint {
        try await project(log: log, into: try SQLiteAnalyticsTarget(path: db), batchSize: batchSize)
    }

    /// Projects `log` into `target` up to the head, in batches of `batchSize`, and closes the target.
    @discardableResult
    public static func project(log: String, into target: any ProjectionTarget, batchSize: Int = 10_000) async throws -> ProjectionCheckpoint {
        let projector = Projector(logDirectory: log, target: target, configuration: ProjectorConfiguration(batchSize: batchSize),
                                  logger: Logger(label: "test"))
        do {
            let cp = try await projector.runOnce()
            await target.close()
            return cp
        } catch {
            await target.close()
            throw error
        }
    }

    /// `expected.json` as a dictionary.
    public func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture.path + "/expected.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}

public struct WorkloadFailure: Error, CustomStringConvertible {
    public var description: String
}
