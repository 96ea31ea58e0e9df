import LedgerLog
import PropertyBased
import Testing

/// Unsigned LEB128 varints and zigzag integers (SPEC §3): shortest form written, longer forms rejected.
@Suite struct VarintTests {
    static func encode(_ v: UInt64) -> [UInt8] {
        var w = ByteWriter()
        w.varint(v)
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(FormatError) -> (value: UInt64, consumed: Int) {
        try bytes.withBytes { (raw) throws(FormatError) in
            var r = ByteReader(raw)
            let v = try r.varint()
            return (v, r.position)
        }
    }

    static func decodeZigzag(_ bytes: [UInt8]) throws(FormatError) -> Int64 {
        try bytes.withBytes { (raw) throws(FormatError) in
            var r = ByteReader(raw)
            return try r.zigzag()
        }
    }

    static let knownVarints: [(UInt64, [UInt8])] = [
        (0, [0x00]),
        (1, [0x01]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (300, [0xAC, 0x02]),
        (16_383, [0xFF, 0x7F]),
        (16_384, [0x80, 0x80, 0x01]),
        (UInt64(1) << 63, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
        (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: knownVarints)
    func knownEncodings(value: UInt64, bytes: [UInt8]) throws {
        #expect(Self.encode(value) == bytes)
        let decoded = try Self.decode(bytes)
        #expect(decoded.value == value)
        #expect(decoded.consumed == bytes.count)
    }

    @Test func everyValueRoundTripsInTheShortestForm() async {
        // Pick a bit length first so that small and large values are equally likely.
        let values = Generator<UInt64, Shrink.None<UInt64>> { rng in
            let bits = Int.random(in: 0...64, using: &rng)
            if bits == 0 { return 0 }
            let low = UInt64(1) << (bits - 1)
            return UInt64.random(in: low...(bits == 64 ? .max : (low << 1) - 1), using: &rng)
        }
        await propertyCheck(count: 500, input: values) { v in
            let bytes = Self.encode(v)
            let bits = 64 - v.leadingZeroBitCount
            #expect(bytes.count == max(1, (bits + 6) / 7))
            let decoded = try Self.decode(bytes + [0xEE])   // trailing bytes are not consumed
            #expect(decoded.value == v)
            #expect(decoded.consumed == bytes.count)
        }
    }

    static let badVarints: [([UInt8], String)] = [
        ([0x80, 0x00], "not in shortest form"),
        ([0xFF, 0x80, 0x00], "not in shortest form"),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], "not in shortest form"),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], "overflows 64 bits"),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x00], "overflows 64 bits"),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "overflows 64 bits"),
        ([0x80], "truncated"),
        ([], "truncated"),
    ]

    @Test(arguments: badVarints)
    func nonShortestOverlongAndTruncatedVarintsAreRejected(bytes: [UInt8], reason: String) {
        do {
            let v = try Self.decode(bytes)
            Issue.record("\(bytes) decoded to \(v.value)")
        } catch {
            #expect(error.reason.contains(reason), "\(error)")
            #expect(error.position == 0)
        }
    }

    static let zigzags: [(Int64, UInt64)] = [
        (0, 0), (-1, 1), (1, 2), (-2, 3), (2, 4), (-64, 127), (64, 128), (Int64.max, UInt64.max - 1), (Int64.min, UInt64.max),
    ]

    @Test(arguments: zigzags)
    func zigzagMapsSignedToUnsigned(value: Int64, zigzag: UInt64) throws {
        var w = ByteWriter()
        w.zigzag(value)
        #expect(w.bytes == Self.encode(zigzag))
        #expect(try Self.decodeZigzag(w.bytes) == value)
    }

    @Test func everySignedValueRoundTripsThroughZigzag() async {
        let values = Generator<Int64, Shrink.None<Int64>> { rng in
            let bits = Int.random(in: 0...63, using: &rng)
            return bits == 63 ? Int64.random(in: .min ... .max, using: &rng)
                : Int64.random(in: -(Int64(1) << bits)...((Int64(1) << bits) - 1), using: &rng)
        }
        await propertyCheck(count: 500, input: values) { v in
            var w = ByteWriter()
            w.zigzag(v)
            let decoded = try Self.decodeZigzag(w.bytes)
            #expect(decoded == v)
        }
    }

    @Test func stringsMustBeValidUTF8AndFitTheBuffer() {
        #expect(throws: FormatError.self) {
            try [UInt8]([0x02, 0xC3, 0x28]).withBytes { (raw) throws(FormatError) in
                var r = ByteReader(raw)
                _ = try r.str()
            }
        }
        #expect(throws: FormatError.self) {
            try [UInt8]([0x05, 0x61, 0x62]).withBytes { (raw) throws(FormatError) in
                var r = ByteReader(raw)
                _ = try r.str()
            }
        }
        let ok = try? [UInt8]([0x03, 0xE2, 0x82, 0xAC]).withBytes { (raw) throws(FormatError) in
            var r = ByteReader(raw)
            return try r.str()
        }
        #expect(ok == "€")
    }
}
