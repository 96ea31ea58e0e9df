/// A product bought together with a given one, and on how many receipts.
public struct AlsoBought: Sendable, Hashable {
    public var productCode: String
    public var receipts: Int64

    public init(productCode: String, receipts: Int64) {
        self.productCode = productCode
        self.receipts = receipts
    }
}
