import LedgerLog

/// Product codes numbered as first seen (told apart by their bytes, ``ExactText``) and then ranked
/// in byte order, so that ranks packed into an integer order and compare as the codes do: sorting
/// and counting pairs then hashes and compares no string.
struct CodeRanks {
    private var numbers: [ExactText: UInt32] = [:]
    /// The codes, by number.
    private(set) var codes: [String] = []

    /// The number of `code`, given it if new.
    mutating func number(_ code: String) -> UInt32 {
        let key = ExactText(code)
        if let n = numbers[key] { return n }
        let n = UInt32(codes.count)
        numbers[key] = n
        codes.append(code)
        return n
    }

    /// Each number's rank in byte order (`rank`), and each rank's code (`code`).
    func ranked() -> (rank: [UInt32], code: [String]) {
        let order = codes.indices.sorted { codes[$0].utf8Precedes(codes[$1]) }
        var rank = [UInt32](repeating: 0, count: codes.count)
        for (r, n) in order.enumerated() { rank[n] = UInt32(r) }
        return (rank, order.map { codes[$0] })
    }
}
