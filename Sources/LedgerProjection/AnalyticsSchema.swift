/// The analytics projection's tables, shared by the SQLite and Postgres targets.
///
/// `products`, `receipts`, `sales` and `customers` mirror the log's entities (``AnalyticsTable``;
/// `customers` stays empty for a source without them);
/// `basket_lines` and `also_bought` hold co-occurrence (``CoOccurrence``);
/// `projector_checkpoint` and `projector_dead_letters` hold the projector's own state.
public enum AnalyticsSchema {
    public static let products = AnalyticsTable(name: "products", columns: [
        AnalyticsColumn("product_id", .text, notNull: true),
        AnalyticsColumn("code", .text),
        AnalyticsColumn("name", .text),
        AnalyticsColumn("category", .text),
        AnalyticsColumn("department", .text),
        AnalyticsColumn("unit", .text),
        AnalyticsColumn("buy_price", .numeric),
        AnalyticsColumn("sell_price", .numeric),
        AnalyticsColumn("current_stock", .numeric),
        AnalyticsColumn("updated_at", .timestamp),
    ])

    public static let receipts = AnalyticsTable(name: "receipts", columns: [
        AnalyticsColumn("receipt_id", .bigint, notNull: true),
        AnalyticsColumn("receipt_no", .bigint),
        AnalyticsColumn("at", .timestamp),
        AnalyticsColumn("payment_channel", .text),
        AnalyticsColumn("customer", .text),
    ])

    public static let sales = AnalyticsTable(name: "sales", columns: [
        AnalyticsColumn("sale_id", .bigint, notNull: true),
        AnalyticsColumn("at", .timestamp),
        AnalyticsColumn("receipt_no", .bigint),
        AnalyticsColumn("product_code", .text),
        AnalyticsColumn("product_name", .text),
        AnalyticsColumn("qty", .numeric),
        AnalyticsColumn("price", .numeric),
        AnalyticsColumn("total", .numeric),
        AnalyticsColumn("customer", .text),
    ])

    /// Customers, from sources that have them (the standard POS schema's optional `customers`
    /// table), keyed by the code `receipts.customer` and `sales.customer` hold.
    public static let customers = AnalyticsTable(name: "customers", columns: [
        AnalyticsColumn("customer_id", .text, notNull: true),
        AnalyticsColumn("name", .text),
        AnalyticsColumn("phone", .text),
        AnalyticsColumn("email", .text),
        AnalyticsColumn("created_at", .timestamp),
        AnalyticsColumn("updated_at", .timestamp),
    ])

    /// The entity tables, in creation order.
    public static let entityTables = [products, receipts, sales, customers]
    /// The names of ``entityTables``, in the same order.
    static let entityTableNames = entityTables.map(\.name)

    /// The entity table projecting `entity`, if any.
    public static func table(forEntity entity: String) -> AnalyticsTable? {
        switch entity {
        case "products": products
        case "receipts": receipts
        case "sales": sales
        case "customers": customers
        default: nil
        }
    }

    /// `also_bought(product_a, product_b, receipts)`, `product_a < product_b`; rows at 0 are deleted.
    public static let alsoBought = "also_bought"
    /// `basket_lines(receipt_no, product_code, lines)`: live sales lines per receipt and product code.
    public static let basketLines = "basket_lines"
    /// `projector_checkpoint(projector, next_offset, last_hash, updated_at)`.
    public static let checkpoint = "projector_checkpoint"
    /// `projector_dead_letters(projector, event_offset, entity, key, reason, event, recorded_at)`.
    public static let deadLetters = "projector_dead_letters"

    /// The projected tables a rebuild loads and checksums compare: the entity tables, `basket_lines`, `also_bought`.
    public static let projectedTables = entityTables.map(\.name) + [basketLines, alsoBought]

    /// Index of `sales.receipt_no` in ``sales``'s columns.
    public static let salesReceiptNoIndex = 2
    /// Index of `sales.product_code` in ``sales``'s columns.
    public static let salesProductCodeIndex = 3
    /// Index of `sales.total` in ``sales``'s columns.
    public static let salesTotalIndex = 7
}
