/// Where each key's row is in a rebuild's netted rows: integer and text keys in maps of their own
/// (cheaper to hash than ``AnalyticsValue``).
public struct RowIndex: Sendable {
    private var ints: [Int64: Int] = [:]
    private var texts: [ExactText: Int] = [:]

    public init() {}

    /// Records that `key` now lives in row `row` (nil: nowhere) and returns the row it lived in.
    public mutating func move(_ key: AnalyticsValue, to row: Int?) -> Int? {
        switch key {
        case .bigint(let k): row.map { ints.updateValue($0, forKey: k) } ?? ints.removeValue(forKey: k)
        case .text(let k): row.map { texts.updateValue($0, forKey: ExactText(k)) } ?? texts.removeValue(forKey: ExactText(k))
        default: nil
        }
    }
}
