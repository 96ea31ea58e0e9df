import ArgumentParser
import LedgerProjection
import LedgerSQLite

struct AlsoBoughtCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "also-bought",
        abstract: "Products bought together with PRODUCT_CODE, from the SQLite projection: code and receipts, tab-separated."
    )

    @OptionGroup var log: LogOptions
    @OptionGroup var projection: ProjectionOptions

    @Argument(help: ArgumentHelp("The product code.", valueName: "PRODUCT_CODE"))
    var productCode: String

    @Option(help: "How many products to list.")
    var top = 10

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be positive") }
    }

    func run() async throws {
        let path = try projection.db ?? projection.sqlitePath(logDirectory: log.directory())
        do {
            for a in try SQLiteAnalytics(path: path).alsoBought(productCode, top: top) {
                Terminal.out("\(a.productCode)\t\(a.receipts)")
            }
        } catch { throw ExitStatus.fail(error) }
    }
}
