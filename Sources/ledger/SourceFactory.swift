import LedgerCore
import LedgerSources
import Logging

/// Builds the source a command names.
enum SourceFactory {
    static func make(_ s: SourceSettings, mapping: SourceMapping, options: POSChangeLogSource.Options = .init(), logger: Logger) throws -> any ChangeSource {
        let database: any POSDatabase
        do {
            if let path = s.sqlite {
                database = try SQLitePOSDatabase(path: path)
            } else if let dsn = s.mysql {
                database = MariaDBPOSDatabase(configuration: try MariaDBConfiguration.parse(dsn: dsn))
            } else {
                fatalError("SourceOptions.resolve() guarantees a source")
            }
        } catch {
            Terminal.error("ledger: \(error)")
            throw error.code == .notFound ? ExitStatus.noInput : ExitStatus.dataError
        }
        return POSChangeLogSource(name: s.name, database: database, mapping: mapping, options: options, logger: logger)
    }
}
