/// Quotes a value for a failure reason: `"1..2"`, with quotes, backslashes and control characters
/// escaped and values longer than 64 characters cut with `…`.
enum QuotedValue {
    static let limit = 64

    static func quote(_ s: String) -> String {
        var out = "\""
        var n = 0
        for c in s.unicodeScalars {
            if n == limit { out += "…"; break }
            n += 1
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || (0x7F...0xA0).contains(c.value) {
                    out += "\\u{" + String(c.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// Bytes as text: printable ASCII as is, anything else as `\xHH`.
    static func quote(bytes: [UInt8]) -> String {
        var out = "\""
        for (i, b) in bytes.enumerated() {
            if i == limit { out += "…"; break }
            switch b {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let h = Array("0123456789ABCDEF")
                out += "\\x"
                out.append(h[Int(b >> 4)])
                out.append(h[Int(b & 0xF)])
            }
        }
        return out + "\""
    }
}
