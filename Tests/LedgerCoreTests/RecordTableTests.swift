import LedgerCore
import LedgerLog
import Testing

@Suite struct RecordTableTests {
    func state(_ n: UInt64, entity: UInt16 = 0, deleted: Bool = false, rowversion: String? = nil) -> RecordState {
        var hash = Digest32()
        (hash.w0, hash.w1, hash.w2, hash.w3) = (n, ~n, n &* 31, 7)
        return RecordState(entity: entity, deleted: deleted, dataHash: hash, rowversion: rowversion, offset: n)
    }

    /// Ids that spread like XXH3 output (a SplitMix64 sequence).
    func id(_ i: UInt64) -> XXH128 {
        var z = i &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return XXH128(high: i, low: z ^ (z >> 31))
    }

    @Test func holdsEveryRecordThroughGrowthAndOverwrites() {
        var t = RecordTable()
        var reference: [XXH128: RecordState] = [:]
        for i in 0..<50_000 as Range<UInt64> {
            let r = state(i, entity: UInt16(i % 3), deleted: i % 11 == 0, rowversion: i % 7 == 0 ? "rv\(i)" : nil)
            t.set(id(i), r)
            reference[id(i)] = r
        }
        // Overwrite a third: rowversions come and go, deletes flip.
        for i in stride(from: 0, to: 50_000, by: 3) as StrideTo<UInt64> {
            let r = state(i + 1_000_000, entity: 1, deleted: i % 2 == 0, rowversion: i % 7 == 0 ? nil : "new\(i)")
            t.set(id(i), r)
            reference[id(i)] = r
        }
        #expect(t.count == 50_000)
        for (k, v) in reference { #expect(t[k] == v) }
        #expect(t[id(50_000)] == nil)
        var seen = 0
        for (k, v) in t {
            #expect(reference[k] == v)
            seen += 1
        }
        #expect(seen == 50_000)
        #expect(Set(t.keys) == Set(reference.keys))
    }

    @Test func collidingIdsProbeAndWrapAround() {
        var t = RecordTable()
        // Same low word (same home slot), different high words; one home slot at the table's end.
        let same = (0..<8 as Range<UInt64>).map { XXH128(high: $0, low: 15) }
        for (i, k) in same.enumerated() { t.set(k, state(UInt64(i))) }
        #expect(t.count == 8)
        for (i, k) in same.enumerated() { #expect(t[k] == state(UInt64(i))) }
        #expect(t[XXH128(high: 99, low: 15)] == nil)
        t.set(same[3], state(42, deleted: true))
        #expect(t[same[3]] == state(42, deleted: true))
        #expect(t.count == 8)
    }

    @Test func copiesAreIndependent() {
        var a = RecordTable()
        for i in 0..<100 as Range<UInt64> { a.set(id(i), state(i)) }
        var b = a
        b.set(id(5), state(500, rowversion: "x"))
        b.set(id(1000), state(1000))
        #expect(a[id(5)] == state(5))
        #expect(a[id(1000)] == nil)
        #expect(a.count == 100)
        #expect(b.count == 101)
        #expect(b[id(5)] == state(500, rowversion: "x"))
        #expect(a != b)
    }

    @Test func equalityIgnoresCapacityAndInsertionOrder() {
        var a = RecordTable()
        var b = RecordTable()
        b.reserveCapacity(100_000)
        for i in 0..<1000 as Range<UInt64> { a.set(id(i), state(i, rowversion: i % 5 == 0 ? "r" : nil)) }
        for i in (0..<1000 as Range<UInt64>).reversed() { b.set(id(i), state(i, rowversion: i % 5 == 0 ? "r" : nil)) }
        #expect(a == b)
        b.set(id(10), state(10))
        #expect(a != b)
    }
}
