import LedgerLog
import LedgerProjection
import Testing

@Suite struct AnalyticsChangeTests {
    @Test func decodesAnUpsertInColumnOrder() throws {
        let log = TestLog()
        defer { log.remove() }
        let events = try log.append([try TestLog.sale(5, receipt: .integer(42), code: "893")])
        guard case .upsert(let table, let values) = AnalyticsChange.decode(events[0]) else {
            Issue.record("not an upsert")
            return
        }
        #expect(table == AnalyticsSchema.sales)
        #expect(values.count == table.allColumns.count)
        #expect(values[0] == .bigint(5))
        #expect(values[AnalyticsSchema.salesReceiptNoIndex] == .bigint(42))
        #expect(values[AnalyticsSchema.salesProductCodeIndex] == .text("893"))
        #expect(values[AnalyticsSchema.salesTotalIndex] == .numeric(LedgerDecimal("10.5")!))
        #expect(values[table.index(of: "customer")!] == .null)
        #expect(values[table.index(of: "_offset")!] == .bigint(0))
        #expect(values[table.index(of: "_event_time")!] == .timestamp(events[0].time))
    }

    @Test func decodesADeleteByKey() throws {
        let log = TestLog()
        defer { log.remove() }
        let events = try log.append([try TestLog.sale(9, receipt: .null, code: "", op: .delete)])
        #expect(AnalyticsChange.decode(events[0]) == .delete(AnalyticsSchema.sales, .bigint(9)))
    }

    @Test func poisonsValuesTheColumnsCannotHold() throws {
        let log = TestLog()
        defer { log.remove() }
        let events = try log.append([
            try TestLog.sale(1, receipt: .decimal(LedgerDecimal("1e20")!), code: "a"),
            try TestLog.sale(2, receipt: .string("twelve"), code: "a"),
            try TestLog.sale(3, receipt: .decimal(LedgerDecimal("4.5")!), code: "a"),
            try NewEvent(source: "pos", entity: "receipts", keyFields: ["receipt_id"], fields: [Field("receipt_id", .string("R1"))]),
        ])
        for e in events {
            guard case .poison(let reason) = AnalyticsChange.decode(e) else {
                Issue.record("event \(e.offset) not poisoned")
                continue
            }
            #expect(!reason.isEmpty)
        }
    }

    @Test func ignoresCheckpointsAndOtherEntities() throws {
        let log = TestLog()
        defer { log.remove() }
        let events = try log.append([
            try NewEvent.checkpoint(source: "pos", fields: [Field("position", .integer(3))]),
            try NewEvent(source: "pos", entity: "stock_moves", keyFields: ["id"], fields: [Field("id", .integer(1))]),
        ])
        #expect(events.map(AnalyticsChange.decode) == [.ignore, .ignore])
    }

    @Test func integersWidenToNumeric() {
        let r = AnalyticsChange.convert(.integer(12), to: AnalyticsColumn("qty", .numeric))
        #expect(r == .success(.numeric(LedgerDecimal(12))))
    }
}

@Suite struct TextConversionTests {
    /// Text with a NUL byte anywhere is refused (Postgres text cannot hold it); other text passes whole.
    @Test func nulIsFoundAnywhere() {
        let column = AnalyticsColumn("name", .text)
        let long = String(repeating: "ü", count: 5_000)
        for text in ["", "plain", "\0", "a\0", "\0a", long + "\0", "\0" + long, String(long.prefix(2_500)) + "\0" + long, "NUL", long] {
            let result = AnalyticsChange.convert(.string(text), to: column)
            if text.utf8.contains(0) {
                guard case .failure(let reason) = result else { Issue.record("accepted \(text.count) characters with a NUL"); continue }
                #expect(reason.message.contains("NUL"))
            } else {
                #expect(result == .success(.text(text)))
            }
        }
    }
}
