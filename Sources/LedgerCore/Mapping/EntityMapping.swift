/// How the rows of one source table become events of one entity.
public struct EntityMapping: Sendable, Hashable {
    /// The entity name in the log.
    public var entity: String
    /// The source table (or CSV file stem) it is read from.
    public var table: String
    /// The business key: field names in declared order. Each is required.
    public var key: [String]
    /// The field holding the source's rowversion, if it has one.
    public var rowversion: String?
    public var fields: [FieldMapping]
    /// Whether a database source reads the table only when it exists (the standard schema's
    /// `customers`); a missing table of any other entity is an error.
    public var optional: Bool

    public init(entity: String, table: String? = nil, key: [String], rowversion: String? = nil, fields: [FieldMapping], optional: Bool = false) {
        self.entity = entity
        self.table = table ?? entity
        self.key = key
        self.rowversion = rowversion
        self.fields = fields
        self.optional = optional
    }

    public func field(_ name: String) -> FieldMapping? { fields.first { $0.name == name } }

    /// The source columns of the key fields, in key order.
    public var keyColumns: [String] { key.map { k in field(k)?.column ?? k } }
}
