import LedgerLog

/// Finds where a member path (`entities.sales.fields.qty.type`) is in mapping-file text, since
/// ``JSONParser`` keeps no positions: walks the (already valid) JSON, skipping other values.
enum MappingFileLocator {
    /// The byte offset of the deepest member of `path` that exists (its name), or 0.
    static func offset(of path: String, in u: [UInt8]) -> Int {
        var i = skipWhitespace(u, 0)
        var best = i
        for component in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            guard i < u.count else { break }
            if u[i] == UInt8(ascii: "{") {
                guard let (nameAt, valueAt) = member(component, inObjectAt: i, u) else { break }
                best = nameAt
                i = valueAt
            } else if u[i] == UInt8(ascii: "["), let index = Int(component) {
                guard let at = element(index, inArrayAt: i, u) else { break }
                best = at
                i = at
            } else {
                break
            }
        }
        return best
    }

    static func lineAndColumn(_ u: [UInt8], offset: Int) -> (line: Int, column: Int) {
        var line = 1, lineStart = 0
        for k in 0..<min(max(offset, 0), u.count) where u[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        return (line, offset - lineStart + 1)
    }

    private static func member(_ name: String, inObjectAt start: Int, _ u: [UInt8]) -> (Int, Int)? {
        var i = skipWhitespace(u, start + 1)
        while i < u.count, u[i] == UInt8(ascii: "\"") {
            let nameAt = i
            i = skipValue(u, i)
            guard case .string(let key)? = try? JSONParser.parse(String(decoding: u[nameAt..<i], as: UTF8.self)) else { return nil }
            i = skipWhitespace(u, i)
            guard i < u.count, u[i] == UInt8(ascii: ":") else { return nil }
            i = skipWhitespace(u, i + 1)
            if key == name { return (nameAt, i) }
            i = skipWhitespace(u, skipValue(u, i))
            guard i < u.count, u[i] == UInt8(ascii: ",") else { return nil }
            i = skipWhitespace(u, i + 1)
        }
        return nil
    }

    private static func element(_ index: Int, inArrayAt start: Int, _ u: [UInt8]) -> Int? {
        var i = skipWhitespace(u, start + 1)
        for _ in 0..<index {
            i = skipWhitespace(u, skipValue(u, i))
            guard i < u.count, u[i] == UInt8(ascii: ",") else { return nil }
            i = skipWhitespace(u, i + 1)
        }
        return i < u.count && u[i] != UInt8(ascii: "]") ? i : nil
    }

    private static func skipWhitespace(_ u: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < u.count, u[i] == 0x20 || u[i] == 0x09 || u[i] == 0x0A || u[i] == 0x0D { i += 1 }
        return i
    }

    /// The offset just after the value starting at `start`.
    private static func skipValue(_ u: [UInt8], _ start: Int) -> Int {
        var i = start, depth = 0
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                while i < u.count, u[i] != UInt8(ascii: "\"") { i += u[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
                i += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                if depth == 0 { return i }
                depth -= 1
                i += 1
            } else if depth == 0 && (c == UInt8(ascii: ",") || c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D) {
                return i
            } else {
                i += 1
            }
            if depth == 0 && (c == UInt8(ascii: "\"") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]")) { return i }
        }
        return i
    }
}
