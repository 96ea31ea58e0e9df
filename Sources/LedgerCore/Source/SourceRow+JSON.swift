import LedgerLog

extension SourceRow {
    /// The row as a JSON object in column order: text as strings, null as null, undecodable bytes
    /// as `{"hex": "..."}`. This is what a dead letter keeps.
    public var rawJSON: String {
        var out = "{"
        for (i, (c, v)) in zip(columns, values).enumerated() {
            if i > 0 { out += "," }
            JSONText.appendQuoted(c, to: &out)
            out += ":"
            switch v {
            case .null: out += "null"
            case .text(let s): JSONText.appendQuoted(s, to: &out)
            case .bytes(let b): out += "{\"hex\":\"" + Hex.encode(b) + "\"}"
            }
        }
        return out + "}"
    }
}
