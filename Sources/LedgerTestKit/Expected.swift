public import LedgerLog
import LedgerCore

/// The numbers of a workload's `expected.json`.
public struct Expected {
    public let json: [(String, JSONValue)]

    public init(directory: String) throws {
        guard let bytes = FileBytes.read(directory + "/expected.json"),
              case .object(let o) = try JSONParser.parse(String(decoding: bytes, as: UTF8.self)) else {
            throw HarnessError(description: "no expected.json in \(directory)")
        }
        json = o
    }

    private func object(_ name: String) -> [(String, JSONValue)] {
        if case .object(let o)? = json.first(where: { $0.0 == name })?.1 { return o }
        return []
    }

    public func rows(after phase: String, _ entity: String) -> Int {
        if case .number(let n)? = object("rows_after_\(phase)").first(where: { $0.0 == entity })?.1 { return Int(n) ?? -1 }
        return 0
    }

    public func malformed(_ phase: String) -> Int {
        guard case .object(let tables)? = object("malformed_rows").first(where: { $0.0 == phase })?.1 else { return 0 }
        return tables.reduce(0) { total, t in if case .number(let n) = t.1 { total + (Int(n) ?? 0) } else { total } }
    }

    public var malformedTotal: Int {
        if case .number(let n)? = json.first(where: { $0.0 == "malformed_total" })?.1 { return Int(n) ?? -1 }
        return -1
    }

    public var salesTotalAfterDelta: String {
        if case .string(let s)? = json.first(where: { $0.0 == "sales_total_sum_after_delta" })?.1 { return s }
        return ""
    }

    /// Where `live` differs from `rows_after_<phase>` (products, receipts, sales) and, after the
    /// delta, from `sales_total_sum_after_delta`: one line each, empty when it matches.
    public func mismatches(_ live: LiveRecords, after phase: String) -> [String] {
        var out: [String] = []
        for entity in ["products", "receipts", "sales"] where live.count(entity) != rows(after: phase, entity) {
            out.append("\(entity) after the \(phase): \(live.count(entity)) live records, expected \(rows(after: phase, entity))")
        }
        if phase == "delta", live.sum("total", of: "sales") != salesTotalAfterDelta {
            out.append("sum of sales totals: \(live.sum("total", of: "sales")), expected \(salesTotalAfterDelta)")
        }
        return out
    }
}
