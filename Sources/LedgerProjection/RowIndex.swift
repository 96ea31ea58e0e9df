/// Where each key's row is in a rebuild's netted rows: integer and text keys in maps of their own
/// (cheaper to hash than ``AnalyticsValue``); integer keys in an open-addressing table.
public struct RowIndex: Sendable {
    private var ints = IntegerSlots()
    private var texts: [String: Int] = [:]

    public init() {}

    /// Records that `key` now lives in row `row` (nil: nowhere) and returns the row it lived in.
    public mutating func move(_ key: AnalyticsValue, to row: Int?) -> Int? {
        switch key {
        case .bigint(let k): ints.move(k, to: row ?? -1)
        case .text(let k): row.map { texts.updateValue($0, forKey: k) } ?? texts.removeValue(forKey: k)
        default: nil
        }
    }
}

/// Integer key → row, linear probing from a multiplicative hash. A key moved nowhere keeps its slot
/// with row -1, so nothing is ever removed.
private struct IntegerSlots: Sendable {
    private var keys = [Int64](repeating: 0, count: 1024)
    /// Per slot: the row, -1 for nowhere, `Int.min` for an empty slot.
    private var rows = [Int](repeating: Int.min, count: 1024)
    private var count = 0
    private var shift: UInt64 = 64 - 10

    /// Sets `key`'s row (-1: nowhere) and returns its previous row, if it had one.
    mutating func move(_ key: Int64, to row: Int) -> Int? {
        if (count + 1) * 4 > rows.count * 3 { grow() }
        let mask = rows.count - 1
        var i = slot(key)
        while rows[i] != Int.min {
            if keys[i] == key {
                let old = rows[i]
                rows[i] = row
                return old >= 0 ? old : nil
            }
            i = (i + 1) & mask
        }
        keys[i] = key
        rows[i] = row
        count += 1
        return nil
    }

    private func slot(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    private mutating func grow() {
        let oldKeys = keys, oldRows = rows
        keys = [Int64](repeating: 0, count: oldRows.count * 2)
        rows = [Int](repeating: Int.min, count: oldRows.count * 2)
        shift -= 1
        let mask = rows.count - 1
        for j in oldRows.indices where oldRows[j] != Int.min {
            var i = slot(oldKeys[j])
            while rows[i] != Int.min { i = (i + 1) & mask }
            keys[i] = oldKeys[j]
            rows[i] = oldRows[j]
        }
    }
}
