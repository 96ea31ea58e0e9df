import ArgumentParser
import Foundation
import LedgerCore
import LedgerLog
import LedgerSources
import LedgerTestKit

/// One stage of a CSV import alone: the file's rows, read into memory first (untimed), normalized on
/// one thread and turned into events with their record id and data hash, nothing classified or
/// written (`--fields`: through rows of fields, as the pipeline did before it wrote rows to bytes). The per-row cost of the stage the sync pipeline runs on all cores.
struct NormalizeBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "normalize")

    @Option(help: "A CSV file of the standard POS schema.") var file: String
    @Option(help: "Its entity (products, receipts, sales).") var entity = "sales"
    @Option(help: "The source's time zone.") var timeZone = "Asia/Ho_Chi_Minh"
    @Option var runs = 3
    @Flag(help: "Normalize only: no event, no hashes.") var normalizeOnly = false
    @Option(help: "Threads sharing the rows in chunks of 512, as the sync pipeline's prepare stage does.") var threads = 1
    @Flag(help: "Build every event from a normalized row of fields, not from the encoded row the pipeline writes first.") var fields = false

    func run() throws {
        let mapping = SourceMapping.standardPOS(timeZone: timeZone)
        guard let entityMapping = mapping.entity(entity) else { throw ValidationError("--entity: no mapping for \(entity)") }
        let normalizer = try Normalizer(source: mapping, entity: entity)
        let source = CSVSource(path: file, mapping: entityMapping, options: .init(entity: entity))
        var rows: [SourceRow] = []
        var cursor: SourceCursor? = nil
        while true {
            let batch = try source.nextBatch(after: cursor, limit: 100_000)
            for case .row(let r) in batch.changes { rows.append(r) }
            cursor = batch.cursor
            if !batch.hasMore { break }
        }
        let columns = normalizer.mappingLayer.columnIndexes(for: rows.first?.columns ?? [])
        var rates: [Double] = []
        let normalizeOnly = self.normalizeOnly
        let encode = !fields && !normalizeOnly
        let threads = max(1, threads)
        for run in 1...runs {
            let chunk = 512
            let chunks = (rows.count + chunk - 1) / chunk
            let results = LockedValue((failed: 0, check: UInt64(0)))
            let t0 = Workload.now()
            rows.withUnsafeBufferPointer { rows in
                nonisolated(unsafe) let rows = rows
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    var counters = NormalizationCounters()
                    var failed = 0
                    var check: UInt64 = 0
                    var writer = EncodedFieldsWriter()
                    for c in stride(from: t, to: chunks, by: threads) {
                        // Each row read in place, as the pipeline reads its changes.
                        for r in (c * chunk)..<min(rows.count, (c + 1) * chunk) {
                            // As the sync pipeline does first (`PreparedChange`): the row straight to its event's bytes.
                            if encode, let e = normalizer.encode(rows[r], columnIndexes: columns, counters: &counters, into: &writer) {
                                let event = NewEvent(encodedUpsert: "csv", entity: normalizer.mapping.entity, keyFields: normalizer.mapping.key,
                                                     rowversion: e.rowversion, fields: e.fields, recordID: e.recordID)
                                let d = EventIdentity.dataHash(of: event)
                                check &+= d.w0 ^ d.w3 ^ event.recordID.low
                                continue
                            }
                            switch normalizer.normalize(rows[r], columnIndexes: columns, counters: &counters) {
                            case .success(let n):
                                if normalizeOnly { check &+= UInt64(n.fields.count); continue }
                                // As the sync pipeline builds a row it cannot encode (`PreparedChange`).
                                let event = NewEvent(normalizedUpsert: "csv", entity: n.entity, keyFields: n.keyFields,
                                                     keyPositions: normalizer.keyPositions, rowversion: n.rowversion, sortedFields: n.fields)
                                // Every event's identity, summed, so two builds can be compared.
                                let d = EventIdentity.dataHash(of: event)
                                check &+= d.w0 ^ d.w3 ^ event.recordID.low
                            case .failure: failed += 1
                            }
                        }
                    }
                    results.withLock {
                        $0.failed += failed
                        $0.check &+= check
                    }
                }
            }
            let (failed, check) = results.value
            let dt = Workload.now() - t0
            let rate = Double(rows.count) / dt
            rates.append(rate)
            print("run \(run): \(rows.count) rows on \(threads) thread(s) (\(failed) refused) in \(String(format: "%.3f", dt)) s = \(Int(rate)) rows/s, \(String(format: "%.0f", dt / Double(rows.count) * 1e9)) ns/row (check \(check))")
        }
        print("median_rows_per_s \(Int(rates.sorted()[rates.count / 2]))")
    }
}

