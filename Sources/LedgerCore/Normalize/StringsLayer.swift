/// The strings layer: turns a raw value into clean text, or null.
///
/// - Leading and trailing whitespace, NBSP (U+00A0), C0 and C1 control characters, the other Unicode
///   spaces (U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) and a byte-order mark
///   are trimmed; characters inside the value are kept.
/// - CRLF and lone CR inside a value become LF.
/// - Text that is empty after trimming is null.
/// - ``RawValue/bytes(_:)`` (bytes the reader could not decode) are decoded as Latin-1 when the source's
///   encoding is `latin1`, taken as text when they are valid UTF-8 after all, and rejected otherwise
///   with `invalid UTF-8 at byte N` (N counted from 0).
public enum StringsLayer {
    /// Clean text (nil: null) and whether it differs from the input.
    public struct Output: Sendable, Hashable {
        public var text: String?
        public var changed: Bool

        public init(text: String?, changed: Bool) {
            self.text = text
            self.changed = changed
        }
    }

    /// Cleans `raw`; `.null` stays null (not counted as changed).
    public static func clean(_ raw: RawValue, encoding: SourceEncoding, field: String) -> Result<Output, NormalizationFailure> {
        switch raw {
        case .null: return .success(Output(text: nil, changed: false))
        case .text(let s): return .success(clean(s))
        case .bytes(let b):
            switch decode(b, encoding: encoding) {
            case .success(let s):
                var out = clean(s)
                out.changed = true
                return .success(out)
            case .failure(let offset):
                return .failure(NormalizationFailure(
                    .strings, field: field, reason: "invalid UTF-8 at byte \(offset.byte) of \(QuotedValue.quote(bytes: b))"))
            }
        }
    }

    /// Trims `text`, normalizes its line endings and maps empty to nil. Returns `text` itself
    /// (no copy) when nothing changes.
    public static func clean(_ text: String) -> Output {
        var s = text
        return s.withUTF8 { u -> Output in
            let n = u.count
            let kept = trimmed(u)
            if kept.isEmpty { return Output(text: nil, changed: true) }
            let (start, end) = (kept.lowerBound, kept.upperBound)
            let base = u.baseAddress! + start
            var hasCR = false
            for k in start..<end where u[k] == 0x0D { hasCR = true; break }
            if !hasCR {
                if start == 0 && end == n { return Output(text: text, changed: false) }
                return Output(text: String(decoding: UnsafeBufferPointer(start: base, count: end - start), as: UTF8.self), changed: true)
            }
            let cleaned = String(unsafeUninitializedCapacity: end - start) { out in
                var o = 0, i = start
                while i < end {
                    let b = u[i]
                    if b == 0x0D {
                        out[o] = 0x0A
                        if i + 1 < end, u[i + 1] == 0x0A { i += 1 }
                    } else {
                        out[o] = b
                    }
                    o += 1
                    i += 1
                }
                return o
            }
            return Output(text: cleaned, changed: true)
        }
    }

    /// The bytes of `u` left once leading and trailing junk (whitespace, control characters, NBSP,
    /// the other Unicode spaces, a byte-order mark) is trimmed; empty when nothing is left.
    @inline(__always)
    static func trimmed(_ u: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        let n = u.count
        var start = 0
        while start < n {
            let w = junkWidth(u, at: start)
            if w == 0 { break }
            start += w
        }
        if start == n { return n..<n }
        var end = n
        while end > start {
            let w = junkWidth(u, endingAt: end)
            if w == 0 { break }
            end -= w
        }
        return start..<end
    }

    /// Where `bytes` stop being valid UTF-8.
    public struct InvalidUTF8: Error, Sendable, Hashable {
        /// Offset of the first byte that is not part of a valid sequence, from 0.
        public var byte: Int
    }

    /// Decodes bytes as Latin-1, or as UTF-8 if they are valid UTF-8 and the encoding is `utf8`.
    public static func decode(_ bytes: [UInt8], encoding: SourceEncoding) -> Result<String, InvalidUTF8> {
        switch encoding {
        case .latin1:
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 2)
            for b in bytes {
                if b < 0x80 { out.append(b) } else { out.append(0xC0 | b >> 6); out.append(0x80 | b & 0x3F) }
            }
            return .success(String(decoding: out, as: UTF8.self))
        case .utf8:
            if let bad = firstInvalidUTF8(bytes) { return .failure(InvalidUTF8(byte: bad)) }
            return .success(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The offset of the first byte of `u` that does not start a well-formed UTF-8 sequence (no
    /// overlongs, surrogates, code points above U+10FFFF or truncated sequences); nil if all are valid.
    public static func firstInvalidUTF8(_ u: [UInt8]) -> Int? {
        var i = 0
        let n = u.count
        func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool { j < n && u[j] >= lo && u[j] <= hi }
        while i < n {
            let b = u[i]
            switch b {
            case 0x00...0x7F: i += 1
            case 0xC2...0xDF:
                guard cont(i + 1) else { return i }
                i += 2
            case 0xE0...0xEF:
                guard cont(i + 1, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF), cont(i + 2) else { return i }
                i += 3
            case 0xF0...0xF4:
                guard cont(i + 1, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF), cont(i + 2), cont(i + 3) else { return i }
                i += 4
            default: return i
            }
        }
        return nil
    }

    /// The width in bytes of the junk character (whitespace, control, NBSP, BOM) starting at `i`, or 0.
    @inline(__always)
    static func junkWidth(_ u: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = u[i]
        if b < 0x80 { return b <= 0x20 || b == 0x7F ? 1 : 0 }
        if b == 0xC2 { return i + 1 < u.count && u[i + 1] >= 0x80 && u[i + 1] <= 0xA0 ? 2 : 0 }
        guard b >= 0xE1, i + 2 < u.count else { return 0 }
        return isJunk3(b, u[i + 1], u[i + 2]) ? 3 : 0
    }

    /// The width of the junk character that ends just before `end`, or 0.
    @inline(__always)
    static func junkWidth(_ u: UnsafeBufferPointer<UInt8>, endingAt end: Int) -> Int {
        let b = u[end - 1]
        if b < 0x80 { return b <= 0x20 || b == 0x7F ? 1 : 0 }
        guard b <= 0xBF else { return 0 }
        if end >= 2, u[end - 2] == 0xC2, b <= 0xA0 { return 2 }
        if end >= 3, isJunk3(u[end - 3], u[end - 2], b) { return 3 }
        return 0
    }

    @inline(__always)
    static func isJunk3(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        switch (a, b) {
        case (0xE1, 0x9A): c == 0x80                                         // U+1680
        case (0xE2, 0x80): c <= 0x8A || c == 0xA8 || c == 0xA9 || c == 0xAF  // U+2000–200A, 2028, 2029, 202F
        case (0xE2, 0x81): c == 0x9F                                         // U+205F
        case (0xE3, 0x80): c == 0x80                                         // U+3000
        case (0xEF, 0xBB): c == 0xBF                                         // U+FEFF
        default: false
        }
    }
}
