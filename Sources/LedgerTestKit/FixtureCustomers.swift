import Foundation

/// The customers of the projection workload's source (the standard schema's optional `customers`
/// table), described once: ``POSSQLiteFixture/addCustomers()`` and
/// ``POSSQLiteFixture/changeCustomers()`` write them as a POS does (padded, empty for none, local
/// times in two formats), and tests expect them back normalized (``Customer/expectedRow``).
public enum FixtureCustomers {
    /// A local time in 2024 in the workload's time zone (UTC+7), at 07:00 or later.
    struct LocalTime: Sendable {
        var month: Int, day: Int, hour: Int, minute: Int

        /// As the POS writes it: `2024-03-02 10:15:00`, or with a `T` between date and time.
        func written(withT: Bool) -> String {
            String(format: "2024-%02d-%02d%@%02d:%02d:00", month, day, withT ? "T" : " ", hour, minute)
        }

        /// As the projections hold it: `2024-03-02T03:15:00.000000Z`.
        var utc: String { String(format: "2024-%02d-%02dT%02d:%02d:00.000000Z", month, day, hour - 7, minute) }
    }

    public struct Customer: Sendable {
        public var id: String
        var name: String
        var phone: String?
        var email: String?
        var created: LocalTime
        var updated: LocalTime
        /// Whether the POS wrote the times with a `T`.
        var withT: Bool

        /// The row's values as an SQL tuple, written as a POS writes them: text padded with spaces,
        /// no phone as an empty string, no email as NULL.
        var written: String {
            "('\(id)', \(Self.padded(name)), \(phone.map(Self.padded) ?? "''"), \(email.map { "'\($0)'" } ?? "NULL"), "
                + "'\(created.written(withT: withT))', '\(updated.written(withT: withT))')"
        }

        /// `text` padded as the POS pads it, as an SQL literal.
        static func padded(_ text: String) -> String { "'  \(text) '" }

        /// The row as both projections hold it: `customer_id|name|phone|email|created_at|updated_at`,
        /// an empty field for NULL, times in UTC.
        public var expectedRow: String { "\(id)|\(name)|\(phone ?? "")|\(email ?? "")|\(created.utc)|\(updated.utc)" }
    }

    static let count = 40
    static let renamed = [2, 5, 11, 17, 23]
    static let deleted = [3, 8, 30]
    static let added = [41, 42, 43, 44]
    /// When the incremental batch's changes are made.
    static let changedAt = LocalTime(month: 6, day: 1, hour: 9, minute: 0)

    static func id(_ i: Int) -> String { "C" + String(format: "%05d", i) }

    /// Customer `i` as the backfill finds it.
    static func original(_ i: Int) -> Customer {
        let created = i % 2 == 0 ? LocalTime(month: 3, day: i % 28 + 1, hour: 10, minute: 15) : LocalTime(month: 3, day: i % 28 + 1, hour: 8, minute: 0)
        return Customer(id: id(i), name: "Customer \(i)", phone: i % 4 == 0 ? nil : "09" + String(format: "%08d", i * 7919 % 100_000_000),
                        email: i % 3 == 0 ? nil : "c\(i)@example.com", created: created, updated: created, withT: i % 2 == 1)
    }

    /// Customer `i` renamed by the incremental batch.
    static func renamed(_ i: Int) -> Customer {
        var c = original(i)
        c.name = "Renamed \(i)"
        c.updated = changedAt
        return c
    }

    /// Customer `i`, added by the incremental batch.
    static func new(_ i: Int) -> Customer {
        Customer(id: id(i), name: "New \(i)", phone: "0900000000", email: nil, created: changedAt, updated: changedAt, withT: false)
    }

    /// The table after the backfill, or after the incremental batch, in key order.
    public static func table(afterDelta: Bool) -> [Customer] {
        var rows: [Int: Customer] = [:]
        for i in 1...count { rows[i] = afterDelta && renamed.contains(i) ? renamed(i) : original(i) }
        if afterDelta {
            for i in deleted { rows[i] = nil }
            for i in added { rows[i] = new(i) }
        }
        return rows.sorted { $0.key < $1.key }.map(\.value)
    }
}
