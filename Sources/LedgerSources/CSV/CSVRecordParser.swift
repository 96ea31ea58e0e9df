/// The byte-level state machine of one CSV record (RFC 4180 quoting); line breaks outside quotes
/// are handled by ``CSVReader``.
struct CSVRecordParser {
    enum State: Equatable {
        case fieldStart
        case unquoted
        case quoted
        /// A quote inside a quoted field: the closing one, or the first of `""`.
        case quoteSeen
        /// Text after a closing quote: the rest of the record is skipped.
        case broken
    }

    let delimiter: UInt8
    private(set) var state = State.fieldStart
    private(set) var fields: [[UInt8]] = []
    private(set) var field: [UInt8] = []
    private(set) var problem: String?

    init(delimiter: UInt8) { self.delimiter = delimiter }

    var insideQuotes: Bool { state == .quoted }

    mutating func consume(_ b: UInt8) {
        switch state {
        case .fieldStart:
            if b == UInt8(ascii: "\"") {
                state = .quoted
            } else if b == delimiter {
                fields.append([])
            } else {
                field.append(b)
                state = .unquoted
            }
        case .unquoted:
            if b == delimiter { endField() } else { field.append(b) }
        case .quoted:
            if b == UInt8(ascii: "\"") { state = .quoteSeen } else { field.append(b) }
        case .quoteSeen:
            if b == UInt8(ascii: "\"") {
                field.append(b)
                state = .quoted
            } else if b == delimiter {
                endField()
            } else {
                problem = "text after the closing quote of field \(fields.count + 1)"
                state = .broken
            }
        case .broken:
            break
        }
    }

    /// At the end of the record.
    mutating func finish() {
        switch state {
        case .quoted: problem = "quote of field \(fields.count + 1) not closed"
        case .broken: break
        case .fieldStart, .unquoted, .quoteSeen: endField()
        }
    }

    private mutating func endField() {
        fields.append(field)
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }
}
