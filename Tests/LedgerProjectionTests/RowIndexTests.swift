import LedgerLog
import LedgerProjection
import LedgerTestKit
import Testing

@Suite struct RowIndexTests {
    /// Random moves of integer and text keys (negative, extreme, nowhere and back) agree with a
    /// dictionary model keyed by the whole value.
    @Test(arguments: 0..<5)
    func movesAgreeWithADictionary(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var index = RowIndex()
        var model: [AnalyticsValue: Int] = [:]
        let special: [Int64] = [0, -1, .min, .max, 1 << 40]
        for row in 0..<20_000 {
            let key: AnalyticsValue = switch Int.random(in: 0..<10, using: &rng) {
            case 0: .text("k\(Int.random(in: 0..<500, using: &rng))")
            case 1: .bigint(special.randomElement(using: &rng)!)
            default: .bigint(Int64.random(in: -3_000...3_000, using: &rng) * 7919)
            }
            let to: Int? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : row
            #expect(index.move(key, to: to) == model[key])
            model[key] = to
        }
    }

}
