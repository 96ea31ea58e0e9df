public import LedgerLog

/// Normalizes the rows of one entity: each mapped field runs through the layers in order —
/// mapping (find the column), strings, coercion, then numerics or datetime for those types, and
/// mapping again (default or required) — and the row fails at the first field a layer refuses.
///
/// A normalizer is immutable apart from a small locked cache of column plans, and can be shared
/// between tasks. Counters are the caller's: pass a ``NormalizationCounters`` `inout`.
public final class Normalizer: Sendable {
    public let mapping: EntityMapping
    public let timeZone: SourceTimeZone
    public let encoding: SourceEncoding
    public let mappingLayer: MappingLayer
    /// The field plans, read in place by the hot loop: reading one out of an array copied it (its
    /// strings and decimals), about 3% of a CSV import. Written once in `init`, freed in `deinit`.
    nonisolated(unsafe) let plans: UnsafeMutableBufferPointer<FieldPlan>
    /// Per plan, its position in field-name order: rows come out sorted by name, as events store
    /// them, so `NewEvent` need not sort them.
    let rank: [Int]
    /// The plans in field-name order (the inverse of ``rank``), and the names part of their encoding.
    let order: [Int]
    let names: EncodedFieldsWriter.Names
    /// Where each key field (in declared order) lies in a normalized row's fields.
    package let keyPositions: [Int]
    /// The mapping's entity, key fields and rowversion field, held apart: reading them through
    /// ``mapping`` or ``mappingLayer`` copied the whole mapping for every row.
    let entity: String
    let key: [String]
    let rowversionIndex: Int?

    /// What normalizing one field needs, precomputed from its ``FieldMapping``; the hot loop reads it
    /// in place through ``plans``.
    struct FieldPlan: Sendable {
        let name: String
        let type: FieldType
        let required: Bool
        let defaultValue: FieldValue?
        let minimum: LedgerDecimal?
        let maximum: LedgerDecimal?

        init(_ f: FieldMapping, required: Bool, defaultValue: FieldValue?) {
            name = f.name
            type = f.type
            self.required = required
            self.defaultValue = defaultValue
            minimum = f.minimum
            maximum = f.maximum
        }
    }

    /// Validates `mapping` (see ``MappingLayer``) and normalizes each default to its field's type.
    /// `timeZone` is `UTC`, an offset like `+07:00` or an IANA name.
    public convenience init(mapping: EntityMapping, timeZone: String = "UTC", encoding: SourceEncoding = .utf8) throws(MappingError) {
        try self.init(mapping: mapping, timeZone: try SourceTimeZone(timeZone), encoding: encoding)
    }

    public init(mapping: EntityMapping, timeZone: SourceTimeZone, encoding: SourceEncoding = .utf8) throws(MappingError) {
        let layer = try MappingLayer(mapping)
        var plans: [FieldPlan] = []
        for (i, f) in mapping.fields.enumerated() {
            // Defaults go through the same layers as values, once, here.
            var defaultValue: FieldValue? = nil
            if let text = f.defaultValue {
                let path = "entities.\(mapping.entity).fields.\(f.name).default"
                var scratch = NormalizationCounters()
                let plain = FieldPlan(f, required: false, defaultValue: nil)
                switch withUnsafePointer(to: plain, { Self.value(.text(text), plan: $0, encoding: encoding, zone: timeZone, counters: &scratch) }) {
                case .success(.null):
                    throw MappingError(.invalidValue, field: path, message: "default \(QuotedValue.quote(text)) is empty")
                case .success(let v): defaultValue = v
                case .failure(let failure):
                    throw MappingError(.invalidValue, field: path, message: "default \(failure.reason)")
                }
            }
            plans.append(FieldPlan(f, required: layer.required[i], defaultValue: defaultValue))
        }
        self.mapping = mapping
        self.timeZone = timeZone
        self.encoding = encoding
        self.mappingLayer = layer
        self.plans = .allocate(capacity: plans.count)
        _ = self.plans.initialize(from: plans)
        let order = plans.indices.sorted { plans[$0].name.utf8Precedes(plans[$1].name) }
        var rank = [Int](repeating: 0, count: plans.count)
        for (position, i) in order.enumerated() { rank[i] = position }
        self.rank = rank
        self.order = order
        names = EncodedFieldsWriter.Names(sortedNames: order.map { plans[$0].name })
        keyPositions = layer.keyIndexes.map { rank[$0] }
        entity = mapping.entity
        key = mapping.key
        rowversionIndex = layer.rowversionIndex
    }

    deinit {
        plans.deinitialize()
        plans.deallocate()
    }

    /// The normalizer of `entity` in `source`, with the source's time zone and encoding.
    public convenience init(source: SourceMapping, entity: String) throws(MappingError) {
        guard let m = source.entity(entity) else {
            throw MappingError(.unknownField, field: "entities", message: "no entity \"\(entity)\" in the mapping")
        }
        try self.init(mapping: m, timeZone: try SourceTimeZone(source.timeZone), encoding: source.encoding)
    }

    /// One normalizer per entity of `source`, by entity name; validates the whole mapping.
    public static func all(for source: SourceMapping) throws(MappingError) -> [String: Normalizer] {
        let zone = try SourceTimeZone(source.timeZone)
        var out: [String: Normalizer] = [:]
        for m in source.entities {
            guard out[m.entity] == nil else {
                throw MappingError(.duplicate, field: "entities.\(m.entity)", message: "entity \"\(m.entity)\" is declared twice")
            }
            out[m.entity] = try Normalizer(mapping: m, timeZone: zone, encoding: source.encoding)
        }
        return out
    }

    /// Normalizes a row, without counters.
    public func normalize(_ row: SourceRow) -> Result<NormalizedRow, NormalizationFailure> {
        var counters = NormalizationCounters()
        return normalize(row, counters: &counters)
    }

    /// Normalizes a row: every mapped field, in mapping order (unmapped columns are ignored; a null
    /// field is kept as `.null`). The row's ``NormalizedRow/rowversion`` is the canonical text of the
    /// rowversion field, nil when it is null or the entity has none.
    public func normalize(_ row: SourceRow, counters: inout NormalizationCounters) -> Result<NormalizedRow, NormalizationFailure> {
        normalize(row, columnIndexes: mappingLayer.columnIndexes(for: row.columns), counters: &counters)
    }

    /// ``normalize(_:counters:)`` with the row's column plan (``MappingLayer/columnIndexes(for:)``
    /// of `row.columns`) already looked up: a caller going through many rows with the same columns
    /// looks it up once.
    public func normalize(
        _ row: SourceRow, columnIndexes columns: [Int], counters: inout NormalizationCounters
    ) -> Result<NormalizedRow, NormalizationFailure> {
        counters.rows += 1
        guard row.entity == entity else {
            counters.rejectedRows += 1
            counters.mapping.rejected += 1
            return .failure(NormalizationFailure(
                .mapping, field: nil, reason: "a row of \(row.entity) given to the normalizer of \(mapping.entity)"))
        }
        // Fields go straight to their place in name order; they are normalized in mapping order, so
        // the failure reported is the first field in the mapping that fails.
        var failure: NormalizationFailure? = nil
        let fields = [Field](unsafeUninitializedCapacity: plans.count) { buffer, count in
            let base = buffer.baseAddress!
            // The row's values are read in place: an element read out of the array was copied.
            row.values.withUnsafeBufferPointer { values in
                for i in plans.indices {
                    let c = columns[i]
                    precondition(c < values.count, "a column plan that does not fit the row")
                    switch field(at: i, raw: c >= 0 ? values.baseAddress! + c : nil, counters: &counters) {
                    case .success(let v):
                        (base + rank[i]).initialize(to: Field(plans[i].name, v))
                    case .failure(let f):
                        for j in 0..<i { (base + rank[j]).deinitialize(count: 1) }
                        failure = f
                        count = 0
                        return
                    }
                }
                count = plans.count
            }
        }
        if let failure {
            counters.rejectedRows += 1
            return .failure(failure)
        }
        var rowversion: String? = nil
        if let rv = rowversionIndex, !fields[rank[rv]].value.isNull { rowversion = fields[rank[rv]].value.canonicalText }
        return .success(NormalizedRow(entity: entity, keyFields: key, fields: fields, rowversion: rowversion))
    }

    /// The key fields of a delete, typed exactly as in rows (so the canonical key matches), in key order.
    public func normalizeKey(columns: [String], values: [RawValue]) -> Result<[Field], NormalizationFailure> {
        var counters = NormalizationCounters()
        return normalizeKey(columns: columns, values: values, counters: &counters)
    }

    public func normalizeKey(
        columns: [String], values: [RawValue], counters: inout NormalizationCounters
    ) -> Result<[Field], NormalizationFailure> {
        precondition(columns.count == values.count, "a key needs one value per column")
        counters.rows += 1
        var out: [Field] = []
        out.reserveCapacity(mappingLayer.keyIndexes.count)
        return values.withUnsafeBufferPointer { values in
            for i in mappingLayer.keyIndexes {
                let raw = columns.firstIndex(of: mapping.fields[i].column).map { values.baseAddress! + $0 }
                switch field(at: i, raw: raw, counters: &counters) {
                case .success(let v): out.append(Field(plans[i].name, v))
                case .failure(let f):
                    counters.rejectedRows += 1
                    return .failure(f)
                }
            }
            return .success(out)
        }
    }

    /// One field through every layer; `raw` nil means the row has no column for it.
    @inline(__always)
    private func field(at i: Int, raw: UnsafePointer<RawValue>?, counters: inout NormalizationCounters) -> Result<FieldValue, NormalizationFailure> {
        counters.mapping.processed += 1
        var v = FieldValue.null
        if let raw, !raw.pointee.isNull {
            let plan = UnsafePointer(plans.baseAddress! + i)
            if case .text(let text) = raw.pointee, let fast = Self.fastValue(text, plan: plan, zone: timeZone, counters: &counters) {
                v = fast
            } else {
                switch Self.value(raw.pointee, plan: plan, encoding: encoding, zone: timeZone, counters: &counters) {
                case .success(let x): v = x
                case .failure(let f): return .failure(f)
                }
            }
        }
        if v.isNull {
            if let d = plans[i].defaultValue {
                counters.mapping.changed += 1
                return .success(d)
            }
            if plans[i].required {
                counters.mapping.rejected += 1
                return .failure(mappingLayer.missing(fieldAt: i, columnMissing: raw == nil))
            }
        }
        return .success(v)
    }

    /// The common case in one pass over the text's bytes, without the strings layer's clean copy: a
    /// value of a string field with no carriage return to rewrite, or of a decimal, integer or timestamp field,
    /// that its layers accept (within bounds). Counts what ``value(_:plan:encoding:zone:counters:)``
    /// would count; nil, with nothing counted, leaves the value to it, which also words a failure.
    @inline(__always)
    static func fastValue(
        _ text: String, plan: UnsafePointer<FieldPlan>, zone: borrowing SourceTimeZone, counters: inout NormalizationCounters
    ) -> FieldValue? {
        var s = text
        return s.withUTF8 { u in
            fastScan(u, plan: plan, zone: zone, counters: &counters) { scanned in
                switch scanned {
                case .null: .null
                case .string(let body, let whole): .string(whole ? text : String(decoding: body, as: UTF8.self))
                case .integer(let i): .integer(i)
                case .decimal(let n): .decimal(n.decimal)
                case .decimalText(let body, let whole): .decimal(.trusted(canonical: whole ? text : String(decoding: body, as: UTF8.self)))
                case .timestamp(let t): .timestamp(t)
                }
            }
        }
    }

    /// A value as ``fastScan(_:plan:zone:counters:_:)`` finds it.
    enum Scanned {
        case null
        /// The text of a string field without the junk trimmed around it; `whole` when nothing was trimmed.
        /// Valid only inside the call.
        case string(UnsafeBufferPointer<UInt8>, whole: Bool)
        case integer(Int64)
        case decimal(NumericsLayer.Number)
        /// A decimal whose text is its canonical text (valid only inside the call); `whole` as for strings.
        case decimalText(UnsafeBufferPointer<UInt8>, whole: Bool)
        case timestamp(Timestamp)
    }

    /// The one-pass path of ``fastValue(_:plan:zone:counters:)`` over a value's text `u` (valid UTF-8):
    /// counts, and hands `use` the value while the bytes are at hand; nil when the value must take the layers.
    @inline(__always)
    static func fastScan<R>(
        _ u: UnsafeBufferPointer<UInt8>, plan: UnsafePointer<FieldPlan>, zone: borrowing SourceTimeZone,
        counters: inout NormalizationCounters, _ use: (Scanned) -> R
    ) -> R? {
        let type = plan.pointee.type
        if type == .bool || type == .hex { return nil }
        let kept = StringsLayer.trimmed(u)
        if kept.isEmpty {
            counters.strings.processed += 1
            counters.strings.changed += 1
            return use(.null)
        }
        let body = UnsafeBufferPointer(rebasing: u[kept])
        let trimmed = kept.count != u.count
        let value: Scanned
        var changed = false
        switch type {
        case .string:
            // A carriage return is rewritten by the strings layer. Numbers and times refuse one,
            // so those take the layers anyway.
            if body.contains(0x0D) { return nil }
            value = .string(body, whole: !trimmed)
        case .decimal, .integer:
            if plan.pointee.minimum == nil && plan.pointee.maximum == nil, let plain = NumericsLayer.scanPlain(body) {
                // Canonical already: nothing changed, and a decimal's text is its stored text.
                switch plain {
                case .integer(let v): value = type == .integer ? .integer(v) : .decimal(.integer(v))
                case .decimal:
                    guard type == .decimal else { return nil }
                    value = .decimalText(body, whole: !trimmed)
                }
            } else {
                guard case .success(let out) = NumericsLayer.scan(body),
                      NumericsLayer.outside(out.number, minimum: plan.pointee.minimum, maximum: plan.pointee.maximum) == nil
                else { return nil }
                if type == .decimal {
                    value = .decimal(out.number)
                } else {
                    guard case .integer(let i) = out.number else { return nil }
                    value = .integer(i)
                }
                changed = out.changed
            }
        case .timestamp:
            guard case .success(let out) = DateTimeLayer.scan(body, zone: zone) else { return nil }
            value = .timestamp(out.timestamp)
            changed = out.changed
        case .bool, .hex:
            return nil
        }
        counters.strings.processed += 1
        if trimmed { counters.strings.changed += 1 }
        counters.coercion.processed += 1
        switch type {
        case .decimal, .integer:
            counters.numerics.processed += 1
            if changed { counters.numerics.changed += 1 }
        case .timestamp:
            counters.datetime.processed += 1
            if changed { counters.datetime.changed += 1 }
        case .string, .bool, .hex:
            break
        }
        return use(value)
    }

    /// Strings, coercion, numerics and datetime for one non-null raw value.
    private static func value(
        _ raw: RawValue, plan: UnsafePointer<FieldPlan>, encoding: SourceEncoding, zone: borrowing SourceTimeZone,
        counters: inout NormalizationCounters
    ) -> Result<FieldValue, NormalizationFailure> {
        if plan.pointee.type == .hex, case .bytes(let b) = raw {
            counters.coercion.processed += 1
            return .success(.bytes(b))
        }
        counters.strings.processed += 1
        let text: String
        switch StringsLayer.clean(raw, encoding: encoding, field: plan.pointee.name) {
        case .success(let out):
            if out.changed { counters.strings.changed += 1 }
            guard let t = out.text else { return .success(.null) }
            text = t
        case .failure(let f):
            counters.strings.rejected += 1
            return .failure(f)
        }
        counters.coercion.processed += 1
        switch plan.pointee.type {
        case .string:
            return .success(.string(text))
        case .decimal, .integer:
            counters.numerics.processed += 1
            let number: NumericsLayer.Number
            switch NumericsLayer.parse(text, field: plan.pointee.name, minimum: plan.pointee.minimum, maximum: plan.pointee.maximum) {
            case .success(let out):
                if out.changed { counters.numerics.changed += 1 }
                number = out.number
            case .failure(let f):
                counters.numerics.rejected += 1
                return .failure(f)
            }
            if plan.pointee.type == .decimal { return .success(.decimal(number.decimal)) }
            switch CoercionLayer.integer(number, text: text, field: plan.pointee.name) {
            case .success(let v): return .success(.integer(v))
            case .failure(let f):
                counters.coercion.rejected += 1
                return .failure(f)
            }
        case .timestamp:
            counters.datetime.processed += 1
            switch DateTimeLayer.parse(text, zone: zone, field: plan.pointee.name) {
            case .success(let out):
                if out.changed { counters.datetime.changed += 1 }
                return .success(.timestamp(out.timestamp))
            case .failure(let f):
                counters.datetime.rejected += 1
                return .failure(f)
            }
        case .bool, .hex:
            let r = plan.pointee.type == .bool ? CoercionLayer.bool(text, field: plan.pointee.name) : CoercionLayer.hex(text, field: plan.pointee.name)
            switch r {
            case .success(let out):
                if out.changed { counters.coercion.changed += 1 }
                return .success(out.value)
            case .failure(let f):
                counters.coercion.rejected += 1
                return .failure(f)
            }
        }
    }
}
