import Foundation
import LedgerLog
public import LedgerProjection
import LedgerSQLite
import Logging

/// A small `gen_pos.py` workload synced with `ledger sync` into two logs: `backfill` (after the
/// initial load) and `full` (the same log continued with the incremental batch). The source also
/// has the standard schema's optional `customers` table (``POSSQLiteFixture/addCustomers()``),
/// changed with the incremental batch. Built once per test process; tests copy what they write into.
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

    /// The customers rows after the backfill, or after the incremental batch, as both projections
    /// must hold them: `customer_id|name|phone|email|created_at|updated_at` in key order, an empty
    /// field for NULL, times in UTC as `2024-03-02T01:00:00.000000Z` (the source's are in
    /// ``timeZone``, UTC+7).
    public static func expectedCustomers(afterDelta: Bool) -> [String] {
        typealias F = POSSQLiteFixture
        func utc(day: Int, hour: Int, minute: Int, month: Int = 3) -> String {
            String(format: "2024-%02d-%02dT%02d:%02d:00.000000Z", month, day, hour - 7, minute)
        }
        var rows: [String: String] = [:]
        for i in 1...F.customerCount {
            let phone = i % 4 == 0 ? "" : "09" + String(format: "%08d", i * 7919 % 100_000_000)
            let email = i % 3 == 0 ? "" : "c\(i)@example.com"
            let created = i % 2 == 0 ? utc(day: i % 28 + 1, hour: 10, minute: 15) : utc(day: i % 28 + 1, hour: 8, minute: 0)
            var name = "Customer \(i)", updated = created
            if afterDelta && F.renamedCustomers.contains(i) {
                name = "Renamed \(i)"
                updated = utc(day: 1, hour: 9, minute: 0, month: 6)
            }
            rows[F.customerID(i)] = "\(F.customerID(i))|\(name)|\(phone)|\(email)|\(created)|\(updated)"
        }
        if afterDelta {
            for i in F.deletedCustomers { rows[F.customerID(i)] = nil }
            let at = utc(day: 1, hour: 9, minute: 0, month: 6)
            for i in F.addedCustomers { rows[F.customerID(i)] = "\(F.customerID(i))|New \(i)|0900000000||\(at)|\(at)" }
        }
        return rows.sorted { $0.key < $1.key }.map(\.value)
    }

    /// The number of rows of ``expectedCustomers(afterDelta:)``.
    public static var customersAfterDelta: Int { expectedCustomers(afterDelta: true).count }

    /// `expected.json` as a dictionary.
    public func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture.path + "/expected.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}

public struct WorkloadFailure: Error, CustomStringConvertible {
    public var description: String
}
