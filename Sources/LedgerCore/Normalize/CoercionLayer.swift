public import LedgerLog

/// The coercion layer: clean text to the value of the field's declared ``FieldType``.
///
/// `string` is taken as is; `decimal` and `integer` go through ``NumericsLayer`` (an integer must be
/// integral and fit in `Int64`: `2,026,000,000,001` and `2.026000000001e12` are integers, `2.5` is not);
/// `timestamp` goes through ``DateTimeLayer``; `bool` accepts true/false, 1/0, yes/no, y/n, t/f in any
/// case; `hex` accepts an even number of hex digits, optionally after `0x` or `\x`.
public enum CoercionLayer {
    /// A coerced value and whether its canonical text differs from the input.
    public struct Output: Sendable, Hashable {
        public var value: FieldValue
        public var changed: Bool

        public init(value: FieldValue, changed: Bool) {
            self.value = value
            self.changed = changed
        }
    }

    /// `true`/`false` for the accepted spellings.
    public static func bool(_ text: String, field: String) -> Result<Output, NormalizationFailure> {
        var s = text
        let v: Bool? = s.withUTF8 { u in
            guard u.count <= 5, !u.contains(0) else { return nil }
            var w: UInt64 = 0
            for c in u { w = w << 8 | UInt64(c >= 0x41 && c <= 0x5A ? c + 0x20 : c) }
            switch w {
            case 0x74_72_75_65, 0x31, 0x79_65_73, 0x79, 0x74: return true          // true 1 yes y t
            case 0x66_61_6C_73_65, 0x30, 0x6E_6F, 0x6E, 0x66: return false         // false 0 no n f
            default: return nil
            }
        }
        guard let v else {
            return .failure(NormalizationFailure(
                .coercion, field: field, reason: "\(QuotedValue.quote(text)) is not a boolean (true/false, 1/0, yes/no, y/n, t/f)"))
        }
        return .success(Output(value: .bool(v), changed: text != (v ? "true" : "false")))
    }

    /// Bytes from hex text.
    public static func hex(_ text: String, field: String) -> Result<Output, NormalizationFailure> {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") || digits.hasPrefix("\\x") { digits = digits.dropFirst(2) }
        guard let bytes = Hex.decode(String(digits)) else {
            let why = digits.utf8.count % 2 == 1 ? "has an odd number of hex digits" : "is not hex"
            return .failure(NormalizationFailure(.coercion, field: field, reason: "\(QuotedValue.quote(text)) \(why)"))
        }
        return .success(Output(value: .bytes(bytes), changed: Hex.encode(bytes) != text))
    }

    /// The `Int64` of a number the numerics layer parsed from `text`.
    public static func integer(_ number: NumericsLayer.Number, text: String, field: String) -> Result<Int64, NormalizationFailure> {
        switch number {
        case .integer(let v): return .success(v)
        case .decimal(let d):
            let why = d.text.utf8.contains(UInt8(ascii: ".")) ? "is not an integer" : "is outside the 64-bit integer range"
            return .failure(NormalizationFailure(.coercion, field: field, reason: "\(QuotedValue.quote(text)) \(why)"))
        }
    }
}
