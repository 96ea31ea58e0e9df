/// A strict RFC 8259 parser producing ``JSONValue`` with numbers kept as text.
public struct JSONParser {
    /// Why a JSON text was rejected, with the byte column (1-based) where it happened.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var column: Int
        public var description: String { "\(reason) at column \(column)" }
    }

    private let u: [UInt8]
    private var i = 0
    private var depth = 0

    private init(_ text: some StringProtocol) { u = Array(text.utf8) }

    public static func parse(_ text: some StringProtocol) throws(Failure) -> JSONValue {
        var p = JSONParser(text)
        p.ws()
        let v = try p.value()
        p.ws()
        guard p.i == p.u.count else { throw p.fail("unexpected text after the JSON value") }
        return v
    }

    private func fail(_ reason: String) -> Failure { Failure(reason: reason, column: i + 1) }

    private mutating func ws() {
        while i < u.count, u[i] == 0x20 || u[i] == 0x09 || u[i] == 0x0A || u[i] == 0x0D { i += 1 }
    }

    private mutating func value() throws(Failure) -> JSONValue {
        guard i < u.count else { throw fail("unexpected end of input") }
        switch u[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard u.count - i >= w.count, Array(u[i..<(i + w.count)]) == Array(w) else { throw fail("invalid literal") }
        i += w.count
    }

    private mutating func object() throws(Failure) -> JSONValue {
        depth += 1
        guard depth <= 512 else { throw fail("nesting is too deep") }
        defer { depth -= 1 }
        i += 1
        var members: [(String, JSONValue)] = []
        ws()
        if i < u.count, u[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            ws()
            guard i < u.count, u[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let k = try string()
            ws()
            guard i < u.count, u[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            ws()
            members.append((k, try value()))
            ws()
            guard i < u.count else { throw fail("unterminated object") }
            if u[i] == UInt8(ascii: ",") { i += 1; continue }
            if u[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        depth += 1
        guard depth <= 512 else { throw fail("nesting is too deep") }
        defer { depth -= 1 }
        i += 1
        var items: [JSONValue] = []
        ws()
        if i < u.count, u[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            ws()
            items.append(try value())
            ws()
            guard i < u.count else { throw fail("unterminated array") }
            if u[i] == UInt8(ascii: ",") { i += 1; continue }
            if u[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func number() throws(Failure) -> String {
        let start = i
        if i < u.count, u[i] == UInt8(ascii: "-") { i += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.i
            while p.i < p.u.count, p.u[p.i] >= 0x30, p.u[p.i] <= 0x39 { p.i += 1 }
            return p.i - s
        }
        let intStart = i
        let n = digits(&self)
        guard n > 0 else { i = start; throw fail("invalid value") }
        if n > 1 && u[intStart] == 0x30 { throw fail("leading zero in number") }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { throw fail("expected digits after '.'") }
        }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { throw fail("expected exponent digits") }
        }
        return String(decoding: u[start..<i], as: UTF8.self)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard u.count - i >= 4 else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = u[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func string() throws(Failure) -> String {
        i += 1
        var out: [UInt8] = []
        let start = i
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    i = start
                    throw fail("string is not valid UTF-8")
                }
                return s
            }
            if c < 0x20 { throw fail("control character in string") }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < u.count else { break }
                let e = u[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard u.count - i >= 6, u[i] == 0x5C, u[i + 1] == UInt8(ascii: "u") else { throw fail("unpaired surrogate") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail("unpaired surrogate")
                    }
                    guard let us = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                    out.append(contentsOf: String(Character(us)).utf8)
                default: throw fail("invalid escape")
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw fail("unterminated string")
    }
}
