import Foundation

/// A minimal RFC 4180 reader for the shared workload's CSV files (tests only).
public enum CSVFile {
    /// Rows as header → value maps.
    public static func rows(path: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var records: [[String]] = []
        var field = "", record: [String] = []
        var quoted = false, afterQuote = false
        for ch in text {
            if quoted {
                if ch == "\"" { quoted = false; afterQuote = true } else { field.append(ch) }
                continue
            }
            switch ch {
            case "\"":
                if afterQuote { field.append("\"") }
                quoted = true
                afterQuote = false
            case ",":
                record.append(field); field = ""; afterQuote = false
            case "\n", "\r\n":
                record.append(field); field = ""; afterQuote = false
                records.append(record); record = []
            default:
                field.append(ch); afterQuote = false
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { return [] }
        return records.dropFirst().map { r in
            Dictionary(uniqueKeysWithValues: zip(header, r).map { ($0, $1) })
        }
    }
}
