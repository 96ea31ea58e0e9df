public import LedgerCore

/// Where ``CSVReader`` puts the fields it splits a record into.
protocol CSVFields {
    mutating func append(_ field: UnsafeBufferPointer<UInt8>)
}

/// A record's fields decoded as values, each a string (or bytes that are not valid text).
struct DecodedFields: CSVFields {
    let encoding: CSVReader.Encoding
    var values: [RawValue] = []

    init(encoding: CSVReader.Encoding, capacity: Int) {
        self.encoding = encoding
        values.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func append(_ field: UnsafeBufferPointer<UInt8>) { values.append(CSVReader.decode(field, encoding: encoding)) }
}

extension TextRowBlock: CSVFields {
    @inline(__always)
    mutating func append(_ field: UnsafeBufferPointer<UInt8>) { appendValue(UnsafeRawBufferPointer(field)) }
}
