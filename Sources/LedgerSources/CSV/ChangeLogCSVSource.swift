public import LedgerCore

/// A CSV export of the POS change log (`id,table_name,pk,op,change_time`, as `changes.csv`): its D
/// entries become deletes of the named records. I and U entries carry no row, so they are skipped;
/// the rows come from the tables' own CSV exports.
///
/// Reading, resuming and the cursor are ``CSVSource``'s.
public final class ChangeLogCSVSource: ChangeSource {
    public let csv: CSVSource
    public let mapping: SourceMapping

    public var name: String { csv.name }

    public init(name: String, path: String, mapping: SourceMapping, reader: CSVReader.Options = .init()) {
        self.csv = CSVSource(name: name, path: path, options: .init(entity: "changes", reader: reader))
        self.mapping = mapping
    }

    public func nextBatch(after cursor: SourceCursor?, limit: Int) throws(SourceError) -> SourceBatch {
        var batch = try csv.nextBatch(after: cursor, limit: limit)
        var changes: [SourceChange] = []
        for change in batch.changes {
            guard case .row(let row) = change else {
                changes.append(change)
                continue
            }
            func text(_ column: String) -> String? {
                if case .text(let s)? = row.value(column) { return s }
                return nil
            }
            guard let table = text("table_name"), let op = text("op"), let pk = row.value("pk") else {
                changes.append(.malformed(SourceMalformed(
                    entity: "changes", position: row.position, raw: row.rawJSON,
                    reason: "a change-log row needs table_name, pk and op")))
                continue
            }
            guard op == "D" else { continue }
            guard let entity = mapping.table(table) else { continue }
            var position = row.position
            position.changeID = text("id").flatMap { Int64($0) }
            position.key = text("pk")
            changes.append(.delete(SourceDelete(
                entity: entity.entity, position: position, keyColumns: entity.keyColumns, keyValues: [pk])))
        }
        batch.changes = changes
        return batch
    }
}
