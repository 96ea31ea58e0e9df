extension FieldValue {
    /// The JSON rendering of log-format/SPEC.md §11.
    public func appendJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += "{\"$int\":\"\(i)\"}"
        case .decimal(let d): out += d.text
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .timestamp(let t): out += "{\"$timestamp\":\"\(t.iso8601)\"}"
        case .bytes(let b): out += "{\"$bytes\":\"\(Hex.encode(b))\"}"
        case .json(let j): out += "{\"$json\":\(j)}"
        case .sealed(let k, let c):
            out += "{\"$sealed\":{\"key\":"
            JSONText.appendQuoted(k, to: &out)
            out += ",\"bytes\":\"\(Hex.encode(c))\"}}"
        }
    }
}

extension LogEvent {
    /// One line of `ledger tail --format jsonl` (log-format/SPEC.md §11), without the newline.
    public var jsonLine: String {
        var s = "{\"offset\":\(offset),\"time\":\"\(time.iso8601)\",\"source\":"
        JSONText.appendQuoted(source, to: &s)
        s += ",\"entity\":"
        JSONText.appendQuoted(entity, to: &s)
        s += ",\"op\":\"\(op)\",\"key\":{"
        for (i, k) in keyFields.enumerated() {
            if i > 0 { s += "," }
            JSONText.appendQuoted(k, to: &s)
            s += ":"
            (value(of: k) ?? .null).appendJSON(to: &s)
        }
        s += "},\"rowversion\":"
        if let rowversion { JSONText.appendQuoted(rowversion, to: &s) } else { s += "null" }
        s += ",\"bk_hash\":\"\(bkHash.hex)\",\"data_hash\":\"\(dataHash.hex)\",\"hash\":\"\(hash.hex)\",\"fields\":{"
        for (i, f) in fields.enumerated() {
            if i > 0 { s += "," }
            JSONText.appendQuoted(f.name, to: &s)
            s += ":"
            f.value.appendJSON(to: &s)
        }
        s += "}}"
        return s
    }
}
