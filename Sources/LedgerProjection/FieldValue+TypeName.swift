import LedgerLog

extension FieldValue {
    /// The value's type, for dead-letter reasons (never its content).
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .integer: "integer"
        case .decimal: "decimal"
        case .string: "string"
        case .timestamp: "timestamp"
        case .bytes: "bytes"
        case .json: "json"
        case .sealed: "sealed"
        }
    }
}
