import LedgerLog

/// One receipt's lines of one product code: a row key of `basket_lines`.
public struct BasketLine: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var receiptNo: Int64
    public var productCode: String

    public init(receiptNo: Int64, productCode: String) {
        self.receiptNo = receiptNo
        self.productCode = productCode
    }

    /// By receipt, then by the code's UTF-8 bytes (as SQLite and Postgres's "C" collation order
    /// the table's key).
    /// By receipt and the code's bytes (see ``ExactText``).
    public static func == (x: BasketLine, y: BasketLine) -> Bool { x.receiptNo == y.receiptNo && x.productCode.utf8Compare(y.productCode) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(receiptNo)
        productCode.utf8Hash(into: &hasher)
    }

    public static func < (x: BasketLine, y: BasketLine) -> Bool {
        x.receiptNo != y.receiptNo ? x.receiptNo < y.receiptNo : x.productCode.utf8Precedes(y.productCode)
    }

    public var description: String { "\(receiptNo)/\(productCode)" }
}
