/// One receipt's lines of one product code: a row key of `basket_lines`.
public struct BasketLine: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var receiptNo: Int64
    public var productCode: String

    public init(receiptNo: Int64, productCode: String) {
        self.receiptNo = receiptNo
        self.productCode = productCode
    }

    public static func < (x: BasketLine, y: BasketLine) -> Bool {
        (x.receiptNo, x.productCode) < (y.receiptNo, y.productCode)
    }

    public var description: String { "\(receiptNo)/\(productCode)" }
}
