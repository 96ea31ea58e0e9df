import ArgumentParser
import LedgerPostgres
import LedgerProjection
import LedgerSQLite

struct AlsoBoughtCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "also-bought",
        abstract: "Products bought together with PRODUCT_CODE: code and receipts, tab-separated.",
        discussion: "Answers from the SQLite projection, or from the Postgres one with --dsn (PG_DSN alone does not switch)."
    )

    @OptionGroup var log: LogOptions
    @OptionGroup var projection: ProjectionOptions
    @OptionGroup var postgres: PostgresOptions

    @Argument(help: ArgumentHelp("The product code.", valueName: "PRODUCT_CODE"))
    var productCode: String

    @Option(help: "How many products to list.")
    var top = 10

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be positive") }
    }

    func run() async throws {
        do {
            let answers: [AlsoBought]
            if postgres.dsn != nil {
                let analytics = try await PostgresAnalytics.connect(try postgres.configuration(for: "also-bought"), logger: LogOptions.makeLogger())
                do { answers = try await analytics.alsoBought(productCode, top: top) } catch {
                    await analytics.close()
                    throw error
                }
                await analytics.close()
            } else {
                let path = try projection.db ?? projection.sqlitePath(logDirectory: log.directory())
                answers = try SQLiteAnalytics(path: path).alsoBought(productCode, top: top)
            }
            for a in answers { Terminal.out("\(a.productCode)\t\(a.receipts)") }
        } catch let error as ProjectionError { throw ExitStatus.fail(error) }
    }
}
