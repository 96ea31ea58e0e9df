import LedgerLog
import PropertyBased
import Testing

/// CRC-32C (SPEC conventions) and XXH3-128 (SPEC §4) against their published check values.
@Suite struct ChecksumTests {
    /// Bit-at-a-time CRC-32C straight from the definition: reflected polynomial 0x82F63B78,
    /// initial value and final xor 0xFFFFFFFF.
    static func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        }
        return ~c
    }

    @Test func crc32cOfTheCheckStringIsE3069283() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func crc32cOfNothingIsZero() {
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func crc32cContinuesAcrossChunks() {
        let whole = Array("123456789".utf8)
        let first = Array(whole[0..<4]).withUnsafeBytes { CRC32C.checksum($0) }
        let chained = Array(whole[4...]).withUnsafeBytes { CRC32C.checksum($0, continuing: first) }
        #expect(chained == 0xE306_9283)
    }

    @Test func crc32cAgreesWithTheBitwiseDefinitionOnEveryLengthAndAlignment() async {
        // Short lengths take ISA-L's byte and word paths, long ones (past a few hundred bytes) its
        // folded three-way path; the random start offset covers alignment.
        await propertyCheck(count: 300, input: Gen<UInt8>.value(in: 0...255).array(of: 0...100), Gen.int(in: 0...7)) { bytes, shift in
            let padded = [UInt8](repeating: 0xA5, count: shift) + bytes
            let fast = padded.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[shift...])) }
            #expect(fast == Self.referenceCRC32C(bytes))
        }
        await propertyCheck(count: 100, input: Gen<UInt8>.value(in: 0...255).array(of: 100...20_000), Gen.int(in: 0...7)) { bytes, shift in
            let padded = [UInt8](repeating: 0xA5, count: shift) + bytes
            let fast = padded.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[shift...])) }
            #expect(fast == Self.referenceCRC32C(bytes))
        }
    }

    @Test func xxh128OfTheEmptyInputIsTheKnownXXH3Value() {
        #expect(XXH128.hash([]).hex == "99aa06d3014798d86001c324468d497f")
        #expect(EventIdentity.bkHash(canonicalKey: "").hex == "99aa06d3014798d86001c324468d497f")
    }

    @Test func xxh128CanonicalBytesAreBigEndianHighHalfFirst() {
        let h = XXH128.hash(Array("sale_id=1".utf8))
        var w = ByteWriter()
        h.appendCanonical(to: &w)
        #expect(w.bytes.count == 16)
        let back = w.bytes.withUnsafeBytes { XXH128(canonical: $0) }
        #expect(back == h)
        let highHex = String(h.high, radix: 16)
        #expect(h.hex.hasPrefix(String(repeating: "0", count: 16 - highHex.count) + highHex))
    }
}
