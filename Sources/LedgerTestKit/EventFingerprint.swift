public import LedgerLog

/// A byte-exact rendering of an event's stored content (op, source, entity, key fields, rowversion,
/// fields and values), built without the log's encoders. Strings are compared by their UTF-8 bytes, so
/// two texts that Swift's `==` treats as canonically equivalent still differ here.
public enum EventFingerprint {
    public static func of(_ e: NewEvent) -> [UInt8] {
        build(op: e.op, source: e.source, entity: e.entity, keyFields: e.keyFields, rowversion: e.rowversion, fields: e.fields)
    }

    public static func of(_ e: LogEvent) -> [UInt8] {
        build(op: e.op, source: e.source, entity: e.entity, keyFields: e.keyFields, rowversion: e.rowversion, fields: e.fields)
    }

    static func build(op: EventOp, source: String, entity: String, keyFields: [String], rowversion: String?, fields: [Field]) -> [UInt8] {
        var out: [UInt8] = []
        func number(_ v: UInt64) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        func blob(_ b: some Collection<UInt8>) { number(UInt64(b.count)); out.append(contentsOf: b) }
        func text(_ s: String) { blob(Array(s.utf8)) }
        out.append(op.rawValue)
        text(source)
        text(entity)
        number(UInt64(keyFields.count))
        keyFields.forEach(text)
        if let rowversion { out.append(1); text(rowversion) } else { out.append(0) }
        number(UInt64(fields.count))
        for f in fields {
            text(f.name)
            switch f.value {
            case .null: out.append(0)
            case .bool(let b): out.append(b ? 2 : 1)
            case .integer(let i): out.append(3); number(UInt64(bitPattern: i))
            case .decimal(let d): out.append(4); text(d.text)
            case .string(let s): out.append(5); text(s)
            case .timestamp(let t): out.append(6); number(UInt64(bitPattern: t.microseconds))
            case .bytes(let b): out.append(7); blob(b)
            case .json(let j): out.append(8); text(j)
            case .sealed(let k, let c): out.append(9); text(k); blob(c)
            }
        }
        return out
    }
}
