import LedgerLog

/// Mapping-file JSON to a ``SourceMapping``, member by member; errors name the member's path.
enum MappingFileDecoder {
    static func sourceMapping(_ json: JSONValue) throws(MappingError) -> SourceMapping {
        let top = try members(json, "", allowed: ["version", "comment", "timeZone", "encoding", "entities"])
        if let v = top["version"] {
            guard case .number("1") = v else {
                throw MappingError(.invalidValue, field: "version", message: "unsupported version; expected 1")
            }
        }
        if let c = top["comment"] { _ = try string(c, "comment") }
        let timeZone = try top["timeZone"].map { v throws(MappingError) in try string(v, "timeZone") } ?? "UTC"
        var encoding = SourceEncoding.utf8
        if let v = top["encoding"] {
            let s = try string(v, "encoding")
            guard let e = SourceEncoding(rawValue: s) else {
                throw MappingError(.invalidValue, field: "encoding", message: "unknown encoding \"\(s)\"; expected one of \(SourceEncoding.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            encoding = e
        }
        guard let entitiesJSON = top["entities"] else {
            throw MappingError(.missingKey, field: "entities", message: "the mapping has no entities")
        }
        var entities: [EntityMapping] = []
        for (name, value) in try orderedMembers(entitiesJSON, "entities") {
            entities.append(try entity(name, value, "entities.\(name)"))
        }
        guard !entities.isEmpty else { throw MappingError(.invalidValue, field: "entities", message: "the mapping has no entities") }
        return SourceMapping(timeZone: timeZone, encoding: encoding, entities: entities)
    }

    static func entity(_ name: String, _ json: JSONValue, _ path: String) throws(MappingError) -> EntityMapping {
        let m = try members(json, path, allowed: ["comment", "table", "key", "rowversion", "optional", "fields"])
        if let c = m["comment"] { _ = try string(c, "\(path).comment") }
        let table = try m["table"].map { v throws(MappingError) in try string(v, "\(path).table") }
        let key: [String]
        switch m["key"] {
        case nil: throw MappingError(.missingKey, field: "\(path).key", message: "an entity needs a key")
        case .string(let s)?: key = [s]
        case .array(let items)?:
            var k: [String] = []
            for (i, item) in items.enumerated() { k.append(try string(item, "\(path).key.\(i)")) }
            key = k
        case .some: throw MappingError(.wrongType, field: "\(path).key", message: "expected a field name or an array of field names")
        }
        let rowversion = try m["rowversion"].map { v throws(MappingError) in try string(v, "\(path).rowversion") }
        var optional = false
        switch m["optional"] {
        case nil: break
        case .bool(let b)?: optional = b
        case .some: throw MappingError(.wrongType, field: "\(path).optional", message: "expected true or false")
        }
        guard let fieldsJSON = m["fields"] else {
            throw MappingError(.missingKey, field: "\(path).fields", message: "an entity needs fields")
        }
        var fields: [FieldMapping] = []
        for (fname, value) in try orderedMembers(fieldsJSON, "\(path).fields") {
            fields.append(try field(fname, value, "\(path).fields.\(fname)"))
        }
        return EntityMapping(entity: name, table: table, key: key, rowversion: rowversion, fields: fields, optional: optional)
    }

    static func field(_ name: String, _ json: JSONValue, _ path: String) throws(MappingError) -> FieldMapping {
        if case .string = json { return FieldMapping(name: name, type: try type(json, path)) }
        let m = try members(json, path, allowed: ["comment", "column", "type", "required", "default", "minimum", "maximum"])
        if let c = m["comment"] { _ = try string(c, "\(path).comment") }
        let column = try m["column"].map { v throws(MappingError) in try string(v, "\(path).column") }
        let type = try m["type"].map { v throws(MappingError) in try self.type(v, "\(path).type") } ?? .string
        var required = false
        if let v = m["required"] {
            guard case .bool(let b) = v else { throw MappingError(.wrongType, field: "\(path).required", message: "expected true or false") }
            required = b
        }
        var defaultValue: String? = nil
        switch m["default"] {
        case nil: break
        case .string(let s)?: defaultValue = s
        case .number(let s)?: defaultValue = s
        case .bool(let b)?: defaultValue = b ? "true" : "false"
        case .some: throw MappingError(.wrongType, field: "\(path).default", message: "expected a string, number or boolean")
        }
        return FieldMapping(
            name: name, column: column, type: type, required: required, defaultValue: defaultValue,
            minimum: try m["minimum"].map { v throws(MappingError) in try decimal(v, "\(path).minimum") },
            maximum: try m["maximum"].map { v throws(MappingError) in try decimal(v, "\(path).maximum") })
    }

    static func type(_ json: JSONValue, _ path: String) throws(MappingError) -> FieldType {
        let s = try string(json, path)
        guard let t = FieldType(rawValue: s) else {
            throw MappingError(.invalidValue, field: path, message: "unknown type \"\(s)\"; expected one of \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return t
    }

    static func decimal(_ json: JSONValue, _ path: String) throws(MappingError) -> LedgerDecimal {
        let text: String
        switch json {
        case .number(let s), .string(let s): text = s
        default: throw MappingError(.wrongType, field: path, message: "expected a decimal number")
        }
        guard let d = LedgerDecimal(text) else { throw MappingError(.invalidValue, field: path, message: "\"\(text)\" is not a decimal") }
        return d
    }

    static func string(_ json: JSONValue, _ path: String) throws(MappingError) -> String {
        guard case .string(let s) = json else { throw MappingError(.wrongType, field: path, message: "expected a string") }
        return s
    }

    /// An object's members in document order; duplicate names are errors.
    static func orderedMembers(_ json: JSONValue, _ path: String) throws(MappingError) -> [(String, JSONValue)] {
        guard case .object(let ms) = json else { throw MappingError(.wrongType, field: path, message: "expected an object") }
        var seen: Set<String> = []
        for (k, _) in ms where !seen.insert(k).inserted {
            throw MappingError(.duplicate, field: path.isEmpty ? k : "\(path).\(k)", message: "\"\(k)\" appears twice")
        }
        return ms
    }

    /// An object's members by name, refusing names not in `allowed`.
    static func members(_ json: JSONValue, _ path: String, allowed: Set<String>) throws(MappingError) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (k, v) in try orderedMembers(json, path) {
            guard allowed.contains(k) else {
                throw MappingError(.unknownKey, field: path.isEmpty ? k : "\(path).\(k)", message: "unknown key \"\(k)\"; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            out[k] = v
        }
        return out
    }
}
