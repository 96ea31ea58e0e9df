import LedgerLog
public import LedgerProjection
import NIOCore
public import PostgresNIO

/// Rows as one binary Postgres array per column, for
/// `SELECT * FROM unnest($1::bigint[], $2::text[], ...)`: a batch's rows in one statement, without a
/// staging table, and without the server parsing every value from text. Pure.
public struct PostgresArrayColumns: Sendable {
    private let kinds: [AnalyticsColumn.Kind]
    /// Per column, its elements in the wire format: a 32-bit length (-1 for NULL), then the bytes.
    private var elements: [ByteBuffer]
    private var hasNulls: [Bool]
    public private(set) var rows = 0
    /// The bindings made ahead of the statement by ``encodeBindings()``, until the next append.
    private var encoded: PostgresBindings?

    public init(kinds: [AnalyticsColumn.Kind]) {
        self.kinds = kinds
        elements = Array(repeating: ByteBuffer(), count: kinds.count)
        hasNulls = Array(repeating: false, count: kinds.count)
    }

    /// Appends one row: one value per column, each null or of its column's kind (as
    /// ``AnalyticsChange`` validates every row before it is written).
    public mutating func append(_ values: [AnalyticsValue]) {
        precondition(values.count == kinds.count, "a row needs one value per column")
        for (i, v) in values.enumerated() { put(v, column: i) }
        rows += 1
        encoded = nil
    }

    /// Appends a row of three columns, with no array made for it.
    public mutating func append(_ a: AnalyticsValue, _ b: AnalyticsValue, _ c: AnalyticsValue) {
        precondition(kinds.count == 3, "a row needs one value per column")
        put(a, column: 0)
        put(b, column: 1)
        put(c, column: 2)
        rows += 1
        encoded = nil
    }

    private mutating func put(_ v: AnalyticsValue, column i: Int) {
        switch (v, kinds[i]) {
        case (.null, _): hasNulls[i] = true
        case (.bigint, .bigint), (.text, .text), (.numeric, .numeric), (.timestamp, .timestamp): break
        default: preconditionFailure("a \(v) in a \(kinds[i].postgresType) column")
        }
        PostgresBinaryValue.write(v, into: &elements[i])
    }

    /// The rows as a relation aliased `x`, for ``bindings``: `(SELECT * FROM unnest($1::bigint[], ...)
    /// AS u (names...) ORDER BY orderBy) x`, each array typed by its column's kind; without
    /// `orderBy`, in the arrays' order. Sorted by the table's key, a statement's probes walk the key
    /// index from left to right.
    public func unnest(_ names: [String], orderBy: String? = nil) -> String {
        precondition(names.count == kinds.count, "one name per column")
        let arrays = kinds.enumerated().map { "$\($0.offset + 1)::\($0.element.postgresType)[]" }.joined(separator: ", ")
        let order = orderBy.map { " ORDER BY \($0)" } ?? ""
        return "(SELECT * FROM unnest(\(arrays)) AS u (\(names.joined(separator: ", ")))\(order)) x"
    }

    /// One binary array per column, in column order: the statement's `$1`, `$2`, ...
    public var bindings: PostgresBindings { encoded ?? makeBindings() }

    /// Makes ``bindings`` now (a copy of every element), so that a statement built later leaves at
    /// once: for rows prepared on another thread than the one that sends them.
    public mutating func encodeBindings() { encoded = makeBindings() }

    private func makeBindings() -> PostgresBindings {
        var binds = PostgresBindings(capacity: kinds.count)
        for i in kinds.indices {
            binds.append(BinaryArray(kind: kinds[i], count: rows, hasNulls: hasNulls[i], elements: elements[i]))
        }
        return binds
    }

    /// A one-dimensional array in Postgres's binary format.
    struct BinaryArray: PostgresDynamicTypeEncodable {
        let kind: AnalyticsColumn.Kind
        let count: Int
        let hasNulls: Bool
        let elements: ByteBuffer

        /// The oids of the array type and of its elements' type.
        private var oids: (array: UInt32, element: UInt32) {
            switch kind {
            case .bigint: (1016, 20)
            case .text: (1009, 25)
            case .numeric: (1231, 1700)
            case .timestamp: (1185, 1184)
            }
        }

        var psqlType: PostgresDataType { PostgresDataType(oids.array) }

        var psqlFormat: PostgresFormat { .binary }

        func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
            buffer.writeInteger(Int32(count == 0 ? 0 : 1))
            buffer.writeInteger(Int32(hasNulls ? 1 : 0))
            buffer.writeInteger(oids.element)
            if count > 0 {
                buffer.writeInteger(Int32(count))
                buffer.writeInteger(Int32(1))
            }
            var e = elements
            buffer.writeBuffer(&e)
        }
    }
}
