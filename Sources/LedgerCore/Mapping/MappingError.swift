/// A mapping that cannot be used: a mapping file that does not parse, or a mapping whose fields,
/// key, defaults or time zone are inconsistent.
///
/// Rendered as `file:line: path: message`, e.g.
/// `pos.json:12: entities.sales.fields.qty.type: unknown type "money"; expected one of string, decimal, ...`.
public struct MappingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The mapping file could not be read.
        case unreadable = "unreadable"
        /// The file is not valid JSON.
        case syntax = "syntax error"
        /// A member the schema does not know (typo safety).
        case unknownKey = "unknown key"
        /// A member the schema requires is absent.
        case missingKey = "missing key"
        /// A member has the wrong JSON type.
        case wrongType = "wrong type"
        /// A member's value is not allowed (an unknown field type, a bad decimal, a default that does
        /// not normalize to its field's type).
        case invalidValue = "invalid value"
        /// The key or rowversion names a field the entity does not have.
        case unknownField = "unknown field"
        /// Two entities or fields share a name.
        case duplicate = "duplicate"
        /// The time zone is neither `UTC`, a fixed offset nor a known IANA name.
        case unknownTimeZone = "unknown time zone"
    }

    public var code: Code
    /// The mapping file, as given to the parser; nil for mappings built in code.
    public var file: String?
    /// 1-based line and column in ``file`` of the offending member, when known.
    public var line: Int?
    public var column: Int?
    /// The path of the offending member, e.g. `entities.sales.fields.qty.type`.
    public var field: String?
    public var message: String

    public init(_ code: Code, field: String?, message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        var s = ""
        if let file { s += file + (line.map { ":\($0)" } ?? "") + ": " }
        if let field { s += field + ": " }
        return s + message
    }
}
