public import LedgerLog
import Logging

/// The tiny log of `log-format/vectors/tiny`: every value type, every op, two segments, both codecs,
/// written with a fixed clock so its hashes never change.
public enum FormatVector {
    /// A clock that starts at 2026-01-01T08:00:00Z and advances one second per reading.
    public static func steppingClock() -> LogClock {
        SteppingClock(start: 1_767_254_400_000_000, step: 1_000_000).logClock
    }

    public static func firstSegmentEvents() throws -> [[NewEvent]] {
        let product = try NewEvent(
            op: .upsert, source: "pos", entity: "products", keyFields: ["product_id"], rowversion: "7",
            fields: [
                Field("product_id", .string("P000001")),
                Field("name", .string("Café \"Nº1\"\t/ line\nbreak \u{01} ✓")),
                Field("sell_price", .decimal(LedgerDecimal("1250.50")!)),
                Field("buy_price", .decimal(LedgerDecimal("-0.000000000000000000000000000000000001")!)),
                Field("big", .decimal(LedgerDecimal("12345678901234567890123456789012345678")!)),
                Field("stock", .integer(-42)),
                Field("active", .bool(true)),
                Field("discontinued", .bool(false)),
                Field("note", .null),
                Field("empty", .string("")),
                Field("updated_at", .timestamp(Timestamp(iso8601: "2026-03-01T10:22:11.5+07:00")!)),
                Field("before_epoch", .timestamp(Timestamp(iso8601: "1969-12-31T23:59:59.999999Z")!)),
                Field("raw", .bytes([0x00, 0xFF, 0x10])),
                Field("attrs", .json(#"{"color":"red","sizes":[1,2.5]}"#)),
                Field("customer_email", .sealed(keyID: "subject-42", ciphertext: [0xDE, 0xAD, 0xBE, 0xEF])),
            ])
        let line1 = try NewEvent(
            source: "pos", entity: "sales", keyFields: ["receipt_no", "line"],
            fields: [Field("receipt_no", .string("2026000000001")), Field("line", .decimal(LedgerDecimal(1))),
                     Field("qty", .decimal(LedgerDecimal("5")!)), Field("total", .decimal(LedgerDecimal("19331.15")!))])
        let line2 = try NewEvent(
            source: "pos", entity: "sales", keyFields: ["receipt_no", "line"],
            fields: [Field("receipt_no", .string("2026000000001")), Field("line", .decimal(LedgerDecimal(2))),
                     Field("qty", .decimal(LedgerDecimal("0.5")!)), Field("total", .decimal(LedgerDecimal("171.63")!))])
        let deleteLine2 = try NewEvent(
            op: .delete, source: "pos", entity: "sales", keyFields: ["receipt_no", "line"],
            fields: [Field("receipt_no", .string("2026000000001")), Field("line", .decimal(LedgerDecimal(2)))])
        return [[product], [line1, line2], [deleteLine2]]
    }

    public static func secondSegmentEvents() throws -> [[NewEvent]] {
        let checkpoint = try NewEvent.checkpoint(
            source: "pos", entity: "sales",
            fields: [Field("change_id", .integer(1250)), Field("watermark", .timestamp(Timestamp(iso8601: "2026-01-01T08:00:00Z")!))])
        let escaped = try NewEvent(
            source: "csv", entity: "products", keyFields: ["product_id"],
            fields: [Field("product_id", .string("A|B=C\\D")), Field("name", .string("key with separators"))])
        let product = try NewEvent(
            op: .upsert, source: "pos", entity: "products", keyFields: ["product_id"], rowversion: "8",
            fields: [Field("product_id", .string("P000001")), Field("sell_price", .decimal(LedgerDecimal("1312.5")!))])
        return [[checkpoint], [escaped, product]]
    }

    /// Writes the vector log into `directory` (which must be empty).
    public static func write(to directory: String) throws {
        let logger = Logger(label: "format-vector")
        let clock = steppingClock()
        var config = LogConfiguration()
        let first = try LogWriter(directory: directory, configuration: config, clock: clock, logger: logger)
        for batch in try firstSegmentEvents() { try first.append(batch) }
        try first.sealActiveSegment()
        first.close()
        config.codec = .none
        let second = try LogWriter(directory: directory, configuration: config, clock: clock, logger: logger)
        for batch in try secondSegmentEvents() { try second.append(batch) }
        second.close()
    }
}
