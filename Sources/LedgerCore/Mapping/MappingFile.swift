import Foundation
import LedgerLog

/// A JSON mapping file (schema: `projections/mappings/README.md`) to a ``SourceMapping``.
///
/// Strict: unknown members are errors (a typo must not silently drop a rule), and the result is
/// validated as the normalizers will use it (key and rowversion fields exist, defaults normalize, the
/// time zone is known). Errors carry the file, the line and the member's path.
public enum MappingFile {
    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(MappingError) -> SourceMapping {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MappingError(.unreadable, field: nil, message: "cannot read \(path)", file: name)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw MappingError(.unreadable, field: nil, message: "the file is not UTF-8", file: name)
        }
        return try parse(text, file: name)
    }

    /// Parses mapping JSON; `file` names it in errors.
    public static func parse(_ text: String, file: String = "mapping.json") throws(MappingError) -> SourceMapping {
        do throws(MappingError) {
            let json: JSONValue
            do { json = try JSONParser.parse(text) } catch {
                let (line, column) = MappingFileLocator.lineAndColumn(Array(text.utf8), offset: error.column - 1)
                throw MappingError(.syntax, field: nil, message: "not valid JSON: \(error.reason)", line: line, column: column)
            }
            let mapping = try MappingFileDecoder.sourceMapping(json)
            _ = try Normalizer.all(for: mapping)
            return mapping
        } catch {
            var e = error
            e.file = file
            if e.line == nil, let path = e.field {
                let u = Array(text.utf8)
                let (line, column) = MappingFileLocator.lineAndColumn(u, offset: MappingFileLocator.offset(of: path, in: u))
                e.line = line
                e.column = column
            }
            throw e
        }
    }

    /// The mapping as a mapping file that ``parse(_:file:)`` reads back to the same value.
    public static func render(_ m: SourceMapping) -> String {
        func q(_ s: String) -> String {
            var out = ""
            JSONText.appendQuoted(s, to: &out)
            return out
        }
        var out = "{\n  \"version\": 1,\n  \"timeZone\": \(q(m.timeZone)),\n  \"encoding\": \(q(m.encoding.rawValue)),\n  \"entities\": {\n"
        for (ei, e) in m.entities.enumerated() {
            out += "    \(q(e.entity)): {\n"
            if e.table != e.entity { out += "      \"table\": \(q(e.table)),\n" }
            out += "      \"key\": [\(e.key.map(q).joined(separator: ", "))],\n"
            if let rv = e.rowversion { out += "      \"rowversion\": \(q(rv)),\n" }
            if e.optional { out += "      \"optional\": true,\n" }
            out += "      \"fields\": {\n"
            for (fi, f) in e.fields.enumerated() {
                var members = ["\"type\": \(q(f.type.rawValue))"]
                if f.column != f.name { members.insert("\"column\": \(q(f.column))", at: 0) }
                if f.required { members.append("\"required\": true") }
                if let d = f.defaultValue { members.append("\"default\": \(q(d))") }
                if let v = f.minimum { members.append("\"minimum\": \(q(v.text))") }
                if let v = f.maximum { members.append("\"maximum\": \(q(v.text))") }
                out += "        \(q(f.name)): {\(members.joined(separator: ", "))}" + (fi + 1 < e.fields.count ? ",\n" : "\n")
            }
            out += "      }\n    }" + (ei + 1 < m.entities.count ? ",\n" : "\n")
        }
        return out + "  }\n}\n"
    }
}
