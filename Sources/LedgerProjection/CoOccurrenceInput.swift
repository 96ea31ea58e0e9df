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
