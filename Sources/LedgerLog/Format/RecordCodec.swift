/// Encodes and decodes event records (log-format/SPEC.md §3) and computes their chain hashes (§5).
public enum RecordCodec {
    /// Where the parts of an encoded body start, relative to the body's first byte.
    public struct BodyLayout: Sendable {
        /// First byte covered by the event hash (just after the time delta).
        public var hashedFrom: Int
        /// First byte of the `fields` section (covered by the data hash).
        public var fieldsFrom: Int
    }

    /// Appends the body of `e` (without its length prefix) to `w`.
    public static func encodeBody(_ e: NewEvent, timeDelta: UInt64, into w: inout ByteWriter) -> BodyLayout {
        withUnsafePointer(to: e) { e in
            w.appendRaw(bound: upperBound(of: e)) { writeBody(e, timeDelta: timeDelta, into: &$0) }
        }
    }

    // The encoder's hot path takes events by pointer: reading `e.pointee.x` borrows the stored
    // property in place, where a `borrowing NewEvent` argument was copied (5 retains and releases).

    /// An upper bound of the encoded body size of `e` (for ``RawWriter``).
    @inline(__always)
    static func upperBound(of e: UnsafePointer<NewEvent>) -> Int {
        var n = 10 + 2 + 10 + e.pointee.source.utf8.count + 10 + e.pointee.entity.utf8.count + 10 + 10
            + (e.pointee.rowversion?.utf8.count ?? 0)
        e.pointee.keyFields.withUnsafeBufferPointer { keys in
            for i in keys.indices { n += 10 + keys[i].utf8.count }
        }
        // Read through the pointer in place: binding the array with `if let` took a reference count.
        if e.pointee.encodedFields != nil { return n + e.pointee.encodedFields!.count }
        return n + fieldsUpperBound(e.pointee.storedFields)
    }

    /// Writes the body of `e` at `w`; same bytes as ``encodeBody(_:timeDelta:into:)``.
    @inline(__always)
    static func writeBody(_ e: UnsafePointer<NewEvent>, timeDelta: UInt64, into w: inout RawWriter) -> BodyLayout {
        let start = w.position
        w.varint(timeDelta)
        let hashedFrom = w.position - start
        w.u8(e.pointee.op.rawValue)
        w.u8(e.pointee.rowversion == nil ? 0 : 1)
        w.str(e.pointee.source)
        w.str(e.pointee.entity)
        w.varint(UInt64(e.pointee.keyFields.count))
        e.pointee.keyFields.withUnsafeBufferPointer { keys in
            for i in keys.indices { w.str(keys[i]) }
        }
        if let rv = e.pointee.rowversion { w.str(rv) }
        let fieldsFrom = w.position - start
        if e.pointee.encodedFields != nil {
            e.pointee.encodedFields!.withUnsafeBytes { w.raw($0) }
        } else {
            writeFields(e.pointee.storedFields, into: &w)
        }
        return BodyLayout(hashedFrom: hashedFrom, fieldsFrom: fieldsFrom)
    }

    /// The `fields` section: count, then every name, then every value, in stored order.
    public static func encodeFields(_ fields: [Field], into w: inout ByteWriter) {
        w.appendRaw(bound: fieldsUpperBound(fields)) { writeFields(fields, into: &$0) }
    }

    /// An upper bound of the encoded size of the `fields` section.
    @inline(__always)
    static func fieldsUpperBound(_ fields: [Field]) -> Int {
        fields.withUnsafeBufferPointer { b in
            var n = 10
            for i in b.indices { n += 10 + b[i].name.utf8.count + b[i].value.encodedUpperBound }
            return n
        }
    }

    /// Writes the `fields` section; same bytes as ``encodeFields(_:into:)``.
    @inline(__always)
    static func writeFields(_ fields: [Field], into w: inout RawWriter) {
        fields.withUnsafeBufferPointer { b in
            w.varint(UInt64(b.count))
            for i in b.indices { w.str(b[i].name) }
            for i in b.indices { b[i].value.write(into: &w) }
        }
    }

    /// The fields of a `fields` section this process wrote (``EncodedFieldsWriter``).
    static func trustedFields(_ section: EncodedFields) -> [Field] {
        section.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            do {
                let n = try r.length("field count")
                var names: [String] = []
                names.reserveCapacity(n)
                for _ in 0..<n { names.append(try r.str("field name")) }
                var fields: [Field] = []
                fields.reserveCapacity(n)
                for name in names { fields.append(Field(name, try FieldValue.decode(from: &r))) }
                return fields
            } catch {
                preconditionFailure("a fields section written here does not decode: \(error)")
            }
        }
    }

    /// `hash(o) = SHA-256(hash(o−1) ‖ u64le(o) ‖ i64le(time) ‖ hashed body)`.
    @inline(__always)
    public static func chainHash(previous: Digest32, offset: UInt64, time: Int64, hashedBody: UnsafeRawBufferPointer) -> Digest32 {
        var h = SHA256Hasher()
        var prefix = (previous, offset.littleEndian, time.littleEndian)
        withUnsafeBytes(of: &prefix) { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<48])) }
        h.update(hashedBody)
        return h.finalize()
    }

    public static func dataHash(_ fieldsBytes: UnsafeRawBufferPointer) -> Digest32 {
        SHA256Hasher.hash(fieldsBytes)
    }

    /// Reads only the time delta of `body`: what hashing needs.
    @inline(__always)
    public static func timeDelta(of body: UnsafeRawBufferPointer) throws(FormatError) -> (delta: UInt64, hashedFrom: Int) {
        var r = ByteReader(body)
        let d = try r.varint("time delta")
        return (d, r.position)
    }

    /// Decodes a whole body, checking every canonical-form rule of §3.
    /// `hash` is the event hash the caller computed while walking the chain (``BatchDecoder/chain``).
    public static func decode(
        body: UnsafeRawBufferPointer, offset: UInt64, batchFirstTime: Int64, hash: Digest32
    ) throws(FormatError) -> LogEvent {
        var cache = DecodeCache()
        return try decode(body: body, offset: offset, batchFirstTime: batchFirstTime, hash: hash, cache: &cache)
    }

    /// ``decode(body:offset:batchFirstTime:hash:)`` reusing the header strings of the previous
    /// record decoded through `cache` when they are the same bytes.
    public static func decode(
        body: UnsafeRawBufferPointer, offset: UInt64, batchFirstTime: Int64, hash: Digest32, cache: inout DecodeCache
    ) throws(FormatError) -> LogEvent {
        var r = ByteReader(body)
        let delta = try r.varint("time delta")
        guard delta <= UInt64(Int64.max) - UInt64(max(batchFirstTime, 0)) else { throw FormatError("time delta overflows", at: 0) }
        let time = batchFirstTime &+ Int64(delta)
        let opAt = r.position
        guard let op = EventOp(rawValue: try r.u8("op")) else { throw FormatError("unknown op", at: opAt) }
        let flags = try r.u8("flags")
        guard flags & ~1 == 0 else { throw FormatError("unknown record flags", at: opAt + 1) }
        let source = try r.str("source", cached: &cache.source)
        let entity = try r.str("entity", cached: &cache.entity)
        let keyCountAt = r.position
        let keyCount = try r.length("key count")
        let keys = try r.strings(keyCount, "key field name", cached: &cache.keys) { (_, _, _) throws(FormatError) in }
        let rowversion = flags & 1 != 0 ? try r.str("rowversion") : nil
        let fieldsFrom = r.position
        let fieldCount = try r.length("field count")
        let names = try r.strings(fieldCount, "field name", cached: &cache.names) { (name, previous, at) throws(FormatError) in
            if let previous, !previous.utf8Precedes(name) {
                throw FormatError("field names are not strictly ascending (\(name))", at: at)
            }
        }
        var fields: [Field] = []
        fields.reserveCapacity(fieldCount)
        for name in names { fields.append(Field(name, try FieldValue.decode(from: &r))) }
        guard r.isAtEnd else { throw FormatError("bytes follow the last field", at: r.position) }
        if op == .checkpoint {
            guard keyCount == 0 else { throw FormatError("a checkpoint has key fields", at: keyCountAt) }
        } else {
            guard keyCount > 0 else { throw FormatError("an \(op) has no key fields", at: keyCountAt) }
            for (i, k) in keys.enumerated() {
                if keys[..<i].contains(where: { $0.utf8Equals(k) }) {
                    throw FormatError("key field \(k) is named twice", at: keyCountAt)
                }
                // Read in place: a closure over the fields would copy each one it passes.
                let present = fields.withUnsafeBufferPointer { b in
                    b.indices.contains { b[$0].name.utf8Equals(k) && !b[$0].value.isNull }
                }
                guard present else { throw FormatError("key field \(k) is missing or null", at: keyCountAt) }
            }
        }
        let dataHash = Self.dataHash(UnsafeRawBufferPointer(rebasing: body[fieldsFrom...]))
        return LogEvent(offset: offset, time: Timestamp(microseconds: time), op: op, source: source, entity: entity,
                        keyFields: keys, rowversion: rowversion, fields: fields, hash: hash, dataHash: dataHash)
    }
}
