/// The net effect of a batch of sales-line changes on `basket_lines` and `also_bought`.
public struct CoOccurrenceDelta: Sendable, Hashable {
    /// Each changed basket line's new count; 0 means the row goes away.
    public var lines: [BasketLine: Int64] = [:]
    /// Each changed pair's net change in receipts (never 0). The target adds it to the stored
    /// count and deletes rows that reach 0.
    public var pairs: [ProductPair: Int64] = [:]

    public init() {}

    public var isEmpty: Bool { lines.isEmpty && pairs.isEmpty }
}
