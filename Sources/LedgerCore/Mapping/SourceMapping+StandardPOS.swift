extension SourceMapping {
    /// The standard point-of-sale schema (what `../shared/pos_load.py` writes): tables `products`,
    /// `receipts` and `sales`, and `customers` where the database has it (keyed by the code that
    /// `receipts.customer` and `sales.customer` hold), every column text. Sources of this schema need
    /// no mapping file.
    public static func standardPOS(timeZone: String = "UTC") -> SourceMapping {
        SourceMapping(timeZone: timeZone, entities: [
            EntityMapping(entity: "products", key: ["product_id"], fields: [
                FieldMapping(name: "product_id", required: true),
                FieldMapping(name: "code"),
                FieldMapping(name: "name"),
                FieldMapping(name: "category"),
                FieldMapping(name: "department"),
                FieldMapping(name: "unit"),
                FieldMapping(name: "buy_price", type: .decimal),
                FieldMapping(name: "sell_price", type: .decimal),
                FieldMapping(name: "current_stock", type: .decimal),
                FieldMapping(name: "updated_at", type: .timestamp),
            ]),
            EntityMapping(entity: "receipts", key: ["receipt_id"], fields: [
                FieldMapping(name: "receipt_id", type: .integer, required: true),
                FieldMapping(name: "receipt_no", type: .integer),
                FieldMapping(name: "at", type: .timestamp),
                FieldMapping(name: "payment_channel"),
                FieldMapping(name: "customer"),
            ]),
            EntityMapping(entity: "sales", key: ["sale_id"], fields: [
                FieldMapping(name: "sale_id", type: .integer, required: true),
                FieldMapping(name: "at", type: .timestamp),
                FieldMapping(name: "receipt_no", type: .integer),
                FieldMapping(name: "product_code"),
                FieldMapping(name: "product_name"),
                FieldMapping(name: "qty", type: .decimal),
                FieldMapping(name: "price", type: .decimal),
                FieldMapping(name: "total", type: .decimal),
                FieldMapping(name: "customer"),
            ]),
            EntityMapping(entity: "customers", key: ["customer_id"], fields: [
                FieldMapping(name: "customer_id", required: true),
                FieldMapping(name: "name"),
                FieldMapping(name: "phone"),
                FieldMapping(name: "email"),
                FieldMapping(name: "created_at", type: .timestamp),
                FieldMapping(name: "updated_at", type: .timestamp),
            ], optional: true),
        ])
    }
}
