public import LedgerLog

/// A product's sales over the projection's live sales lines.
public struct BestSeller: Sendable, Hashable {
    public var productCode: String
    /// The product's name from `products` (by code), or from its sales lines.
    public var productName: String?
    /// Exact sum of `sales.total`.
    public var revenue: LedgerDecimal
    /// Exact sum of `sales.qty`.
    public var quantity: LedgerDecimal
    public var lines: Int64

    public init(productCode: String, productName: String?, revenue: LedgerDecimal, quantity: LedgerDecimal, lines: Int64) {
        self.productCode = productCode
        self.productName = productName
        self.revenue = revenue
        self.quantity = quantity
        self.lines = lines
    }
}
