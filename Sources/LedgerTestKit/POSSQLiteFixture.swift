import Foundation

/// A `gen_pos.py` workload in a temporary directory, loaded into a SQLite POS database with
/// `pos_load.py` (the shared scripts of `../shared`).
public struct POSSQLiteFixture: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: TemporaryDirectory
    public var path: String { directory.path }
    public var databasePath: String { directory.path + "/pos.db" }

    /// A fixture over `directory`, with no database yet (``sql(_:)`` creates it).
    public init(directory: TemporaryDirectory) { self.directory = directory }

    /// Generates the workload and loads its backfill phase.
    public static func generate(products: Int, receipts: Int, sales: Int, seed: Int = 42, filePath: String = #filePath) throws -> POSSQLiteFixture {
        let w = POSSQLiteFixture(directory: TemporaryDirectory("ledger-pos"))
        let shared = sharedDirectory(filePath)
        try w.run(["python3", shared + "/gen_pos.py", w.path, "--seed", "\(seed)", "--products", "\(products)",
                   "--receipts", "\(receipts)", "--sales", "\(sales)"])
        try w.run(["python3", shared + "/pos_load.py", w.path, "--phase", "backfill", "--sqlite", w.databasePath])
        return w
    }

    /// Applies the incremental batch (`pos_load.py --phase delta`).
    public func loadDelta(filePath: String = #filePath) throws {
        try run(["python3", Self.sharedDirectory(filePath) + "/pos_load.py", path, "--phase", "delta", "--sqlite", databasePath])
    }

    /// Adds the standard schema's optional `customers` table (with its `customers_pk` key index, as
    /// `pos_load.py` gives every table) holding ``FixtureCustomers``, and no change-log rows: the
    /// backfill reads the table.
    public func addCustomers() throws {
        try sql("""
            CREATE TABLE customers (customer_id TEXT, name TEXT, phone TEXT, email TEXT, created_at TEXT, updated_at TEXT);
            CREATE INDEX customers_pk ON customers (customer_id);
            INSERT INTO customers VALUES \(FixtureCustomers.table(afterDelta: false).map(\.written).joined(separator: ", "));
            """)
    }

    /// Changes customers as a POS does, with a change-log row per write: ``FixtureCustomers`` renames
    /// some, deletes some and adds some.
    public func changeCustomers() throws {
        typealias C = FixtureCustomers
        var statements: [String] = []
        func log(_ id: String, _ op: String) {
            statements.append("INSERT INTO log_table_sync_change (table_name, pk, op, change_time) VALUES ('customers', '\(id)', '\(op)', '\(C.changedAt.written(withT: false))')")
        }
        for i in C.renamed {
            let c = C.renamed(i)
            statements.append("UPDATE customers SET name = \(C.Customer.padded(c.name)), updated_at = '\(c.updated.written(withT: c.withT))' WHERE customer_id = '\(c.id)'")
            log(c.id, "U")
        }
        for i in C.deleted {
            statements.append("DELETE FROM customers WHERE customer_id = '\(C.id(i))'")
            log(C.id(i), "D")
        }
        for i in C.added {
            statements.append("INSERT INTO customers VALUES \(C.new(i).written)")
            log(C.id(i), "I")
        }
        try sql(statements.joined(separator: ";\n"))
    }

    /// `../shared` next to the package, or `/work/shared`.
    public static func sharedDirectory(_ filePath: String = #filePath) -> String {
        let beside = PackagePaths.root(filePath) + "/../shared"
        return FileManager.default.fileExists(atPath: beside + "/gen_pos.py") ? beside : "/work/shared"
    }

    /// The rows of a generated CSV file (`sales.csv`, `changes.csv`, ...).
    public func csv(_ name: String) throws -> [[String: String]] {
        try CSVFile.rows(path: path + "/" + name)
    }

    /// `expected.json`'s `backfill_change_id_max`.
    public func backfillChangeIDMax() throws -> Int64 {
        let data = try Data(contentsOf: URL(fileURLWithPath: path + "/expected.json"))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let max = json["backfill_change_id_max"] as? Int else { throw Failure(description: "expected.json without backfill_change_id_max") }
        return Int64(max)
    }

    /// Runs SQL on the database with Python's sqlite3 (a writer, as the POS would be); returns the
    /// result rows, columns joined by a tab.
    @discardableResult
    public func sql(_ statements: String) throws -> [String] {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            out = []
            for s in sys.stdin.read().split(';\\n'):
                if s.strip():
                    out += db.execute(s).fetchall()
            db.commit()
            for r in out: print('\\t'.join('' if v is None else str(v) for v in r))
            """
        let r = try Command.run(["python3", "-c", script, databasePath], input: statements)
        guard r.status == 0 else { throw Failure(description: "sqlite3 failed: \(r.error)") }
        return r.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    public func remove() { directory.remove() }

    private func run(_ arguments: [String]) throws {
        let r = try Command.run(arguments)
        guard r.status == 0 else { throw Failure(description: "\(arguments.prefix(2).joined(separator: " ")) failed: \(r.error)") }
    }
}
