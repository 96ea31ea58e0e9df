/// A payload value: one of the typed values of log-format/SPEC.md §3.1.
public enum FieldValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case decimal(LedgerDecimal)
    case string(String)
    case timestamp(Timestamp)
    case bytes([UInt8])
    /// Canonical JSON text of an array or object.
    case json(String)
    /// A value stored encrypted under a per-subject key (reserved for crypto-shredding).
    case sealed(keyID: String, ciphertext: [UInt8])

    enum Tag: UInt8 {
        case null = 0, `false` = 1, `true` = 2, integer = 3, decimal = 4, string = 5
        case timestamp = 6, bytes = 7, json = 8, sealed = 9
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The canonical text of §3.2, used in business keys.
    public var canonicalText: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .integer(let i): String(i)
        case .decimal(let d): d.text
        case .string(let s): s
        case .timestamp(let t): t.iso8601
        case .bytes(let b): Hex.encode(b)
        case .json(let j): j
        case .sealed(let keyID, _): "sealed:" + keyID
        }
    }

    /// Appends the tag and the value's bytes (§3.1).
    public func encode(into w: inout ByteWriter) {
        w.appendRaw(bound: encodedUpperBound) { write(into: &$0) }
    }

    /// An upper bound of the encoded size (for ``RawWriter``).
    @inline(__always)
    var encodedUpperBound: Int {
        switch self {
        case .null, .bool: 1
        case .integer, .timestamp: 11
        case .decimal(let d): 11 + d.text.utf8.count
        case .string(let s), .json(let s): 11 + s.utf8.count
        case .bytes(let b): 11 + b.count
        case .sealed(let k, let c): 22 + k.utf8.count + c.count
        }
    }

    /// Same bytes as ``encode(into:)``, unchecked.
    @inline(__always)
    func write(into w: inout RawWriter) {
        switch self {
        case .null: w.u8(Tag.null.rawValue)
        case .bool(let b): w.u8(b ? Tag.true.rawValue : Tag.false.rawValue)
        case .integer(let i): w.u8(Tag.integer.rawValue); w.zigzag(i)
        case .decimal(let d): w.u8(Tag.decimal.rawValue); w.str(d.text)
        case .string(let s): w.u8(Tag.string.rawValue); w.str(s)
        case .timestamp(let t): w.u8(Tag.timestamp.rawValue); w.zigzag(t.microseconds)
        case .bytes(let b):
            w.u8(Tag.bytes.rawValue)
            w.varint(UInt64(b.count))
            b.withUnsafeBytes { w.raw($0) }
        case .json(let j): w.u8(Tag.json.rawValue); w.str(j)
        case .sealed(let k, let c):
            w.u8(Tag.sealed.rawValue)
            w.str(k)
            w.varint(UInt64(c.count))
            c.withUnsafeBytes { w.raw($0) }
        }
    }

    public static func decode(from r: inout ByteReader) throws(FormatError) -> FieldValue {
        let at = r.position
        guard let tag = Tag(rawValue: try r.u8("value tag")) else { throw FormatError("unknown value tag", at: at) }
        switch tag {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .integer: return .integer(try r.zigzag("integer"))
        case .decimal:
            let textAt = r.position
            let s = try r.str("decimal")
            guard let d = LedgerDecimal(canonical: s) else { throw FormatError("decimal \"\(s)\" is not canonical", at: textAt) }
            return .decimal(d)
        case .string: return .string(try r.str("string value"))
        case .timestamp: return .timestamp(Timestamp(microseconds: try r.zigzag("timestamp")))
        case .bytes:
            let n = try r.length("bytes length")
            return .bytes(Array(try r.bytes(n)))
        case .json: return .json(try r.str("json value"))
        case .sealed:
            let k = try r.str("sealed key id")
            let n = try r.length("sealed length")
            return .sealed(keyID: k, ciphertext: Array(try r.bytes(n)))
        }
    }
}
