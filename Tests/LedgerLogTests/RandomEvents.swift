import LedgerLog
import PropertyBased

/// Random events for the property-based store tests: every value type, unicode names, repeated records.
struct RandomEvents {
    static let entities = ["sales", "products", "Ünïcode ëntity", "表", "a|b=c\\d", ""]
    static let sources = ["pos", "crm", "ソース", "s|=\\", ""]
    /// Field names: ASCII, unicode (NFC only, so no two are canonically equivalent), separators, NUL, empty.
    static let names = ["id", "name", "ñame", "名前", "emoji😀", "a b", "Z", "zz", "", "ключ", "x\u{0}y", "q|u=o\\te",
                        "line", "amount", "когда", String(repeating: "long", count: 50)]

    /// Declared key fields per entity for one scenario (1–3 names), so that records repeat.
    var keyFields: [String: [String]] = [:]
    /// The few key values each key field takes, so that the same record gets several events.
    var keyValues: [String: [FieldValue]] = [:]
    /// Offsets at which an event carries a string of about 1 MiB.
    var hugeAt: Set<Int> = []
    var produced = 0

    init(using rng: inout some RandomNumberGenerator, hugeCount: Int, expectedEvents: Int) {
        for entity in Self.entities {
            keyFields[entity] = Array(Self.names.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)))
        }
        for name in Self.names {
            keyValues[name] = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Self.nonNullValue(using: &rng, small: true) }
        }
        while hugeAt.count < hugeCount { hugeAt.insert(Int.random(in: 0..<expectedEvents, using: &rng)) }
    }

    mutating func event(using rng: inout some RandomNumberGenerator) -> NewEvent {
        defer { produced += 1 }
        let entity = Self.entities.randomElement(using: &rng)!
        let source = Self.sources.randomElement(using: &rng)!
        let roll = Int.random(in: 0..<100, using: &rng)
        let op: EventOp = roll < 70 ? .upsert : roll < 85 ? .delete : .checkpoint
        let keys = op == .checkpoint ? [] : keyFields[entity]!
        var fields: [Field] = keys.map { Field($0, keyValues[$0]!.randomElement(using: &rng)!) }
        var used = Set(keys.map { Array($0.utf8) })
        for _ in 0..<Int.random(in: 0...(op == .delete ? 2 : 5), using: &rng) {
            let name = Self.names.randomElement(using: &rng)!
            guard used.insert(Array(name.utf8)).inserted else { continue }
            fields.append(Field(name, Self.anyValue(using: &rng)))
        }
        if Int.random(in: 0..<6, using: &rng) == 0 {
            // a few KiB of incompressible text, so that the small segments fill and get sealed
            var name = "filler"
            while !used.insert(Array(name.utf8)).inserted { name += "+" }
            fields.append(Field(name, .string(Self.randomText(bytes: Int.random(in: 1024...6144, using: &rng), using: &rng))))
        }
        if hugeAt.contains(produced) {
            var name = "huge"
            while !used.insert(Array(name.utf8)).inserted { name += "+" }
            fields.append(Field(name, .string(Self.hugeString(using: &rng))))
        }
        let rowversion: String? = Bool.random(using: &rng) ? nil : ["", "7", "0x1F", "ver|=\\ß"].randomElement(using: &rng)
        return try! NewEvent(op: op, source: source, entity: entity, keyFields: keys, rowversion: rowversion, fields: fields)
    }

    static func hugeString(using rng: inout some RandomNumberGenerator) -> String {
        // and some multi-byte scalars, so that a byte-wise cut would break UTF-8
        randomText(bytes: 1 << 20, using: &rng) + "ä€😀"
    }

    /// Printable ASCII drawn uniformly, so LZ4 cannot shrink it much.
    static func randomText(bytes count: Int, using rng: inout some RandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            var r = rng.next()
            for _ in 0..<8 {
                bytes.append(0x20 + UInt8(r % 95))
                r /= 95
            }
        }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }

    static func decimal(using rng: inout some RandomNumberGenerator) -> LedgerDecimal {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:   // 38 significant digits
            var digits = String(Int.random(in: 1...9, using: &rng))
            for _ in 0..<36 { digits += String(Int.random(in: 0...9, using: &rng)) }
            digits += String(Int.random(in: 1...9, using: &rng))
            let point = Int.random(in: 0...38, using: &rng)
            let text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            return LedgerDecimal((Bool.random(using: &rng) ? "-" : "") + (point == 0 ? "0" : "") + text)!
        case 1: return LedgerDecimal(Int.random(in: -1_000_000...1_000_000, using: &rng))
        case 2: return LedgerDecimal("\(Int.random(in: -99_999...99_999, using: &rng)).\(Int.random(in: 0...99, using: &rng))")!
        default: return LedgerDecimal(["0", "-0.000001", "1e30", "0.5", "-12.34"].randomElement(using: &rng)!)!
        }
    }

    static let sampleStrings = ["", " ", "plain", "Café \"Nº1\"\t/ line\nbreak \u{01} ✓", "名前😀ß", "a|b=c\\d", "x\u{0}y", "\u{2028}\u{7F}",
                                "e\u{301}", "\u{E9}"]

    static func string(using rng: inout some RandomNumberGenerator) -> String {
        Int.random(in: 0..<5, using: &rng) == 0 ? randomText(bytes: Int.random(in: 10...300, using: &rng), using: &rng)
            : sampleStrings.randomElement(using: &rng)!
    }

    static func timestamp(using rng: inout some RandomNumberGenerator) -> Timestamp {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return [Timestamp.minimum, Timestamp.maximum, Timestamp(microseconds: 0), Timestamp(microseconds: -1)].randomElement(using: &rng)!
        default: return Timestamp(microseconds: Int64.random(in: Timestamp.minimum.microseconds...Timestamp.maximum.microseconds, using: &rng))
        }
    }

    static func bytes(using rng: inout some RandomNumberGenerator) -> [UInt8] {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return []
        case 1: return Array(0...255)
        default: return (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
    }

    static let sampleJSON = [#"[]"#, #"{}"#, #"{"a":[1,2.5,null,true],"b":{"c":"ü\n"}}"#, #"[0.0001,-3,"x"]"#, #"{"":""}"#]

    static func nonNullValue(using rng: inout some RandomNumberGenerator, small: Bool) -> FieldValue {
        switch Int.random(in: 0..<9, using: &rng) {
        case 0: return .bool(Bool.random(using: &rng))
        case 1: return .integer([Int64.min, Int64.max, 0, -1, Int64.random(in: .min ... .max, using: &rng)].randomElement(using: &rng)!)
        case 2: return .decimal(decimal(using: &rng))
        case 3: return .string(small ? sampleStrings.randomElement(using: &rng)! : string(using: &rng))
        case 4: return .timestamp(timestamp(using: &rng))
        case 5: return .bytes(bytes(using: &rng))
        case 6: return .json(sampleJSON.randomElement(using: &rng)!)
        case 7: return .sealed(keyID: ["k1", "subject-42", "ключ"].randomElement(using: &rng)!, ciphertext: bytes(using: &rng))
        default: return .string(String(Int.random(in: 0...20, using: &rng)))
        }
    }

    static func anyValue(using rng: inout some RandomNumberGenerator) -> FieldValue {
        Int.random(in: 0..<10, using: &rng) == 0 ? .null : nonNullValue(using: &rng, small: false)
    }
}
