import ArgumentParser
import Foundation
import LedgerSources

/// The input limit of a CSV import: reading and parsing the file with ledger's own CSV reader (fields
/// split, quotes undone, line numbers kept), nothing normalized, hashed or written.
struct CSVParseBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "csv-parse")

    @Option(help: "The CSV file.") var file: String
    @Option var runs = 3

    func run() throws {
        var rates: [Double] = []
        for run in 1...runs {
            let t0 = Workload.now()
            let reader = try CSVReader(path: file)
            var records = 0, fields = 0
            while let r = try reader.next() {
                // As an import reads it: records of the header's width keep no copy of their bytes.
                if records == 0 { reader.expectedFieldCount = r.fields.count }
                records += 1
                fields += r.fields.count
            }
            let dt = Workload.now() - t0
            let rate = Double(records) / dt
            rates.append(rate)
            print("run \(run): \(records) records (\(fields) fields) in \(String(format: "%.3f", dt)) s = \(Int(rate)) records/s")
        }
        print("median_records_per_s \(Int(rates.sorted()[rates.count / 2]))")
    }
}
