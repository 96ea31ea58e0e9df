import LedgerLog
import LedgerTestKit
import Logging

/// A log in a temporary directory, written event by event for projection tests.
struct TestLog {
    let directory: TemporaryDirectory
    var path: String { directory.path }

    init() { directory = TemporaryDirectory("ledger-projection") }

    /// Appends `events` in one batch and returns them as read back.
    @discardableResult
    func append(_ events: [NewEvent]) throws -> [LedgerLog.LogEvent] {
        let writer = try LogWriter(directory: path, logger: Logger(label: "test"))
        defer { writer.close() }
        let from = writer.head.nextOffset
        _ = try writer.append(events)
        let reader = try LogReader(directory: path)
        let cursor = try reader.cursor(from: from)
        var out: [LedgerLog.LogEvent] = []
        while let e = try cursor.next() { out.append(e) }
        return out
    }

    static func sale(_ id: Int64, receipt: FieldValue, code: String, total: String = "10.5", op: EventOp = .upsert) throws -> NewEvent {
        let fields: [Field] = op == .delete ? [Field("sale_id", .integer(id))] : [
            Field("sale_id", .integer(id)), Field("receipt_no", receipt), Field("product_code", .string(code)),
            Field("qty", .decimal(LedgerDecimal("1")!)), Field("price", .decimal(LedgerDecimal(total)!)),
            Field("total", .decimal(LedgerDecimal(total)!)), Field("at", .timestamp(Timestamp(microseconds: 1_767_225_600_000_000))),
        ]
        return try NewEvent(op: op, source: "pos", entity: "sales", keyFields: ["sale_id"], fields: fields)
    }

    /// Sales 1 to 3 of receipt 10 (codes a, b, c), where sale 2's receipt number is text: a poison event.
    static func salesWithAPoisonLine() throws -> [NewEvent] {
        [
            try sale(1, receipt: .integer(10), code: "a"),
            try sale(2, receipt: .string("not a number"), code: "b"),
            try sale(3, receipt: .integer(10), code: "c"),
        ]
    }

    static func product(_ id: String, code: String) throws -> NewEvent {
        try NewEvent(source: "pos", entity: "products", keyFields: ["product_id"], fields: [
            Field("product_id", .string(id)), Field("code", .string(code)), Field("name", .string("Item \(id)")),
            Field("sell_price", .decimal(LedgerDecimal("12.50")!)),
        ])
    }

    func remove() { directory.remove() }
}
