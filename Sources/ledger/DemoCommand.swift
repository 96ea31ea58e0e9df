import ArgumentParser
import LedgerCore
import LedgerLog
import LedgerProjection
import LedgerSQLite
import LedgerSources
import Logging

#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a point-of-sale workload into SQLite, sync it into a log, apply an incremental batch, and show the result.",
        discussion: """
            Needs python3 and the workload generator ../shared/gen_pos.py beside the project (or --generator DIR).
            Everything goes into one directory (default ./ledger-demo): the workload, the source pos.db and the log.
            """
    )

    static let timeZone = "Asia/Ho_Chi_Minh"

    @Option(help: "Sales lines to generate (products and receipts scale with it).")
    var rows = 20_000

    @Option(help: ArgumentHelp("Where the workload, the SQLite source and the log go.", valueName: "DIR"))
    var dir = "ledger-demo"

    @Option(help: ArgumentHelp("The folder holding gen_pos.py and pos_load.py.", valueName: "DIR"))
    var generator: String?

    @Option(help: "The workload's seed.")
    var seed = 42

    func validate() throws {
        guard rows >= 100 else { throw ValidationError("--rows must be at least 100") }
    }

    func run() async throws {
        let tools = try generatorDirectory()
        let work = dir + "/workload", pos = dir + "/pos.db", log = dir + "/log"
        guard !LogDirectory.exists(log) && !LogDirectory.exists(pos) else {
            Terminal.error("ledger: \(dir) already holds a demo; remove it or pass --dir")
            throw ExitStatus.dataError
        }
        let products = max(50, rows / 50), receipts = max(20, rows / 4)
        step("generating \(rows) sales lines, \(receipts) receipts, \(products) products (seed \(seed)) into \(work)")
        try shell(["python3", tools + "/gen_pos.py", work, "--seed", "\(seed)", "--products", "\(products)",
                   "--receipts", "\(receipts)", "--sales", "\(rows)"])
        step("loading them into the SQLite point-of-sale database \(pos), as the shop's POS would")
        try shell(["python3", tools + "/pos_load.py", work, "--phase", "backfill", "--sqlite", pos])

        let logger = LogOptions.makeLogger()
        var runner = SyncRunner(directory: log, logger: logger)
        runner.quiet = true
        // The workload is a shop in Vietnam: local times without an offset are UTC+7.
        let settings = SourceSettings(sqlite: pos, timeZone: Self.timeZone)
        let mapping = SourceMapping.standardPOS(timeZone: Self.timeZone)
        step("backfill: ledger sync --log \(log) --sqlite \(pos) --time-zone \(Self.timeZone)")
        let backfill = try runner.run(source: try SourceFactory.make(settings, mapping: mapping, logger: logger), mapping: mapping, label: "backfill")
        Terminal.out("    \(backfill.summary)")

        step("the POS writes an incremental batch (updates, deletes, new receipts) and its change-log entries")
        try shell(["python3", tools + "/pos_load.py", work, "--phase", "delta", "--sqlite", pos])
        step("incremental: ledger sync --log \(log) --sqlite \(pos) --time-zone \(Self.timeZone)")
        let delta = try runner.run(source: try SourceFactory.make(settings, mapping: mapping, logger: logger), mapping: mapping, label: "incremental")
        Terminal.out("    \(delta.summary)")

        step("checking the log against the workload's ground truth (expected.json)")
        try check(log: log, work: work)

        let analytics = SQLiteAnalyticsTarget.defaultPath(logDirectory: log)
        step("projecting into SQLite: ledger project sqlite --once --log \(log)")
        try await project(log: log, logger: logger)
        try showAnalytics(analytics)

        Terminal.out("""

            Next:
              ledger tail --log \(log) --entity sales --format table | head
              ledger audit --log \(log) sales 1
              ledger dead-letters list --log \(log)
              ledger also-bought --log \(log) PRODUCT_CODE --top 5
              ledger projections --log \(log)
              sqlite3 \(analytics) 'SELECT * FROM also_bought ORDER BY receipts DESC LIMIT 5'
              ledger verify --log \(log)
            """)
    }

    private func check(log: String, work: String) throws {
        guard let bytes = FileBytes.read(work + "/expected.json"),
              case .object(let expected)? = try? JSONParser.parse(String(decoding: bytes, as: UTF8.self)) else {
            Terminal.error("ledger: cannot read \(work)/expected.json")
            throw ExitStatus.ioError
        }
        // One pass over the log: each record's newest state.
        var state = DeltaState()
        var totals: [XXH128: LedgerDecimal] = [:]
        do {
            let reader = try LogReader(directory: log)
            let cursor = try reader.cursor(from: 0, limit: try reader.head().nextOffset)
            while let e = try cursor.next() {
                state.apply(e)
                guard e.entity == "sales" else { continue }
                if e.op == .upsert, case .decimal(let d)? = e.value(of: "total") { totals[e.recordID] = d } else { totals[e.recordID] = nil }
            }
        } catch { throw ExitStatus.fail(error) }
        var total = DecimalSum()
        for d in totals.values { total.add(d) }
        var ok = true
        if case .object(let rows)? = expected.first(where: { $0.0 == "rows_after_delta" })?.1 {
            for (entity, v) in rows {
                guard case .number(let n) = v else { continue }
                let have = state.liveCount(of: entity)
                ok = ok && String(have) == n
                Terminal.out("    \(entity): \(have) live records (expected \(n)) \(String(have) == n ? "ok" : "MISMATCH")")
            }
        }
        if case .string(let want)? = expected.first(where: { $0.0 == "sales_total_sum_after_delta" })?.1 {
            let have = total.text
            let same = LedgerDecimal(want) == LedgerDecimal(have)
            ok = ok && same
            Terminal.out("    sum of sales totals: \(have) (expected \(want)) \(same ? "ok" : "MISMATCH")")
        }
        let store = try DeadLettersCommand.store(log)
        if case .number(let n)? = expected.first(where: { $0.0 == "malformed_total" })?.1 {
            let have: Int
            do { have = try store.count(status: .open) } catch { throw DeadLettersCommand.fail(error) }
            ok = ok && String(have) == n
            Terminal.out("    dead letters: \(have) (malformed rows in the workload: \(n)) \(String(have) == n ? "ok" : "MISMATCH")")
        }
        if !ok { throw ExitStatus.verifyFailed }
    }

    private func project(log: String, logger: Logger) async throws {
        do {
            let target = try SQLiteAnalyticsTarget(path: SQLiteAnalyticsTarget.defaultPath(logDirectory: log))
            let (checkpoint, totals) = try await ProjectionRunner(directory: log, logger: logger).runOnce(target)
            Terminal.out("    sqlite: at offset \(checkpoint.nextOffset) · \(totals.applied) applied · \(totals.deadLettered) dead letters")
        } catch { throw ExitStatus.fail(error) }
    }

    /// Best sellers, and what is bought with the best seller.
    private func showAnalytics(_ path: String) throws {
        do {
            let analytics = try SQLiteAnalytics(path: path)
            let best = try analytics.bestSellers(top: 5)
            Terminal.out("    best sellers (by revenue):")
            for b in best {
                Terminal.out("      \(b.productCode)  \(b.productName ?? "")  revenue \(b.revenue)  qty \(b.quantity)  lines \(b.lines)")
            }
            guard let popular = best.first else { return }
            Terminal.out("    also bought with \(popular.productCode) (receipts):")
            for a in try analytics.alsoBought(popular.productCode, top: 5) {
                Terminal.out("      \(a.productCode)  \(a.receipts)")
            }
        } catch { throw ExitStatus.fail(error) }
    }

    private func step(_ s: String) { Terminal.out("• " + s) }

    private func generatorDirectory() throws -> String {
        var candidates: [String] = []
        if let generator { candidates.append(generator) }
        if let env = getenv("LEDGER_WORKLOAD_TOOLS") { candidates.append(String(cString: env)) }
        // The project checkout this binary was built from: <root>/Sources/ledger/DemoCommand.swift.
        let root = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        candidates += [root + "/../shared", "../shared"]
        for c in candidates where LogDirectory.exists(c + "/gen_pos.py") && LogDirectory.exists(c + "/pos_load.py") { return c }
        Terminal.error("ledger: cannot find gen_pos.py and pos_load.py (looked in \(candidates.joined(separator: ", "))); pass --generator DIR")
        throw ExitStatus.noInput
    }

    private func shell(_ args: [String]) throws {
        let status = Subprocess.run(args)
        guard status == 0 else {
            Terminal.error("ledger: \(args.prefix(2).joined(separator: " ")) failed (exit \(status))")
            throw ExitStatus.ioError
        }
    }
}
