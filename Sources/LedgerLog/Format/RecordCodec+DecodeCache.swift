#if canImport(Glibc)
import Glibc
#endif

extension RecordCodec {
    /// The header strings of the previous record a reader decoded: source, entity, the key names
    /// and the field names. Records of one batch usually repeat them byte for byte, and then the
    /// strings (already validated) are reused instead of decoded again.
    public struct DecodeCache {
        var source = Slot<String>()
        var entity = Slot<String>()
        var keys = Slot<[String]>()
        var names = Slot<[String]>()

        public init() {}

        /// The bytes a value was decoded from, and the value.
        struct Slot<Value> {
            var bytes: [UInt8] = []
            var value: Value?

            /// The cached value when `raw` equals the bytes it came from.
            func value(for raw: UnsafeRawBufferPointer) -> Value? {
                guard let value, raw.count == bytes.count else { return nil }
                return bytes.withUnsafeBytes { b in raw.count == 0 || memcmp(b.baseAddress!, raw.baseAddress!, raw.count) == 0 } ? value : nil
            }

            mutating func store(_ value: Value, for raw: UnsafeRawBufferPointer) {
                bytes = Array(raw)
                self.value = value
            }
        }
    }
}

extension ByteReader {
    /// A string through `slot`: reused when its bytes equal the previous one's.
    mutating func str(_ what: StaticString, cached slot: inout RecordCodec.DecodeCache.Slot<String>) throws(FormatError) -> String {
        let start = position
        let n = try length(what)
        let raw = try bytes(n, what)
        if let s = slot.value(for: raw) { return s }
        let s = try Self.string(raw, what, at: start)
        slot.store(s, for: raw)
        return s
    }

    /// `count` strings (each `varint(length) bytes`) through `slot`: the whole run of bytes is
    /// compared with the previous one's. `check` runs on each newly decoded string with its
    /// predecessor and where it began.
    mutating func strings(_ count: Int, _ what: StaticString, cached slot: inout RecordCodec.DecodeCache.Slot<[String]>,
                          check: (String, String?, Int) throws(FormatError) -> Void) throws(FormatError) -> [String] {
        let runStart = position
        for _ in 0..<count { _ = try bytes(try length(what), what) }
        let run = UnsafeRawBufferPointer(rebasing: base[runStart..<position])
        if let cached = slot.value(for: run) { return cached }
        var r = ByteReader(run)
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let at = runStart + r.position
            let s = try Self.string(try r.bytes(try r.length(what), what), what, at: at)
            try check(s, out.last, at)
            out.append(s)
        }
        slot.store(out, for: run)
        return out
    }
}
