/// A parsed JSON value that keeps numbers as exact text, so no decimal passes through a `Double`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .bool(let b): h.combine(b)
        case .number(let n): h.combine(n)
        case .string(let s): h.combine(s)
        case .array(let a): h.combine(a)
        case .object(let o): for (k, v) in o { h.combine(k); h.combine(v) }
        }
    }

    /// Canonical JSON text (log-format/SPEC.md §3.1): sorted keys, canonical decimals, no spaces.
    /// Returns nil when a number is not a valid decimal or an object repeats a member name.
    public func canonicalText() -> String? {
        var out = ""
        return write(into: &out) ? out : nil
    }

    private func write(into out: inout String) -> Bool {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n):
            guard let d = LedgerDecimal(n) else { return false }
            out += d.text
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                guard v.write(into: &out) else { return false }
            }
            out += "]"
        case .object(let o):
            out += "{"
            let sorted = o.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            for i in sorted.indices.dropFirst() where sorted[i].0 == sorted[i - 1].0 { return false }
            for (i, (k, v)) in sorted.enumerated() {
                if i > 0 { out += "," }
                JSONText.appendQuoted(k, to: &out)
                out += ":"
                guard v.write(into: &out) else { return false }
            }
            out += "}"
        }
        return true
    }
}

/// JSON text helpers shared by the canonical form and the event rendering.
public enum JSONText {
    /// Appends `s` as a JSON string with the escapes of SPEC §3.1; non-ASCII stays UTF-8.
    public static func appendQuoted(_ s: String, to out: inout String) {
        out.unicodeScalars.append("\"")
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 {
                    let h = Array("0123456789abcdef")
                    out += "\\u00"
                    out.append(h[Int(c.value >> 4)])
                    out.append(h[Int(c.value & 0xF)])
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out.unicodeScalars.append("\"")
    }
}
