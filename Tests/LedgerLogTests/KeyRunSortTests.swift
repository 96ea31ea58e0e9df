@testable import LedgerLog
import Testing

/// The key journal's entries are sorted into runs by a radix sort on the record-id prefix
/// (KeyIndex.sortRun): it must give exactly the order of `sort()`.
@Suite struct KeyRunSortTests {
    @Test(arguments: [0, 1, 2, 65, 1000, 8192])
    func theRadixSortOfAJournalGivesTheOrderOfSort(count: Int) {
        var rng = SystemRandomNumberGenerator()
        // Offsets ascend as in a journal; prefixes are random 24-bit values with many repeats.
        var offset: UInt64 = 5
        let keys = (0..<count).map { _ -> UInt64 in
            offset += UInt64.random(in: 1...3, using: &rng)
            let prefix = UInt64.random(in: 0..<(count > 100 ? 4096 : 1 << 24), using: &rng) * (count > 100 ? 4099 : 1) & 0xFF_FFFF
            return prefix << 32 | offset
        }
        var radix = keys
        KeyIndex.sortRun(&radix)
        #expect(radix == keys.sorted())
    }

    @Test func keysWhoseOffsetsDoNotAscendAreSortedToo() {
        var rng = SystemRandomNumberGenerator()
        let keys = (0..<500).map { _ in UInt64.random(in: 0..<(1 << 24), using: &rng) << 32 | UInt64.random(in: 0..<1000, using: &rng) }
        var sorted = keys
        KeyIndex.sortRun(&sorted)
        #expect(sorted == keys.sorted())
    }
}
