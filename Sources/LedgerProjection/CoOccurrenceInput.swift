import LedgerLog
/// The input of co-occurrence: the live sales lines of one receipt and product code.
public struct CoOccurrenceInput: Sendable, Hashable {
    public var receiptNo: Int64
    public var productCode: String
    /// Live sales lines of that code on that receipt.
    public var lines: Int64

    public init(receiptNo: Int64, productCode: String, lines: Int64) {
        self.receiptNo = receiptNo
        self.productCode = productCode
        self.lines = lines
    }
}

extension CoOccurrenceInput {
    /// Groups sales lines into inputs: lines per receipt and product code, ordered by receipt, then
    /// code by bytes. Sorting by receipt alone is cheap; each receipt's few lines are counted by code.
    public static func grouping(_ lines: [BasketLine]) -> [CoOccurrenceInput] {
        let live = lines.sorted { $0.receiptNo < $1.receiptNo }
        var out: [CoOccurrenceInput] = []
        out.reserveCapacity(live.count)
        var i = 0
        while i < live.count {
            var j = i + 1
            while j < live.count && live[j].receiptNo == live[i].receiptNo { j += 1 }
            let codes = live[i..<j].map(\.productCode).sorted { $0.utf8Precedes($1) }
            var k = 0
            while k < codes.count {
                var m = k + 1
                while m < codes.count && codes[m].utf8Compare(codes[k]) == 0 { m += 1 }
                out.append(CoOccurrenceInput(receiptNo: live[i].receiptNo, productCode: codes[k], lines: Int64(m - k)))
                k = m
            }
            i = j
        }
        return out
    }
}
