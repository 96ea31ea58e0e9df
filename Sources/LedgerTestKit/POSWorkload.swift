import Foundation
public import LedgerLog

/// A small workload from the shared generator (`../shared/gen_pos.py`), in a temporary directory.
public struct POSWorkload: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: TemporaryDirectory
    /// The generator's `expected.json`.
    public let expected: JSONValue

    /// Runs the generator; `filePath` finds the package root (see ``PackagePaths``).
    public static func generate(
        products: Int, receipts: Int, sales: Int, seed: Int = 42, filePath: String = #filePath
    ) throws -> POSWorkload {
        let script = PackagePaths.root(filePath) + "/../shared/gen_pos.py"
        let dir = TemporaryDirectory("pos-workload")
        let r = try Command.run([
            "python3", script, dir.path, "--seed", String(seed), "--products", String(products),
            "--receipts", String(receipts), "--sales", String(sales),
        ])
        guard r.status == 0 else { throw Failure(description: "gen_pos.py failed (\(r.status)): \(r.error)") }
        let text = try String(contentsOfFile: dir.path + "/expected.json", encoding: .utf8)
        return POSWorkload(directory: dir, expected: try JSONParser.parse(text))
    }

    public func path(_ file: String) -> String { directory.path + "/" + file }

    /// `expected.json`'s `malformed_rows.<phase>.<table>` (absent means 0).
    public func malformedRows(phase: String, table: String) -> Int {
        guard case .object(let top) = expected,
              case .object(let phases)? = top.first(where: { $0.0 == "malformed_rows" })?.1,
              case .object(let tables)? = phases.first(where: { $0.0 == phase })?.1,
              case .number(let n)? = tables.first(where: { $0.0 == table })?.1
        else { return 0 }
        return Int(n) ?? 0
    }
}
