package import LedgerLog

/// A normalized upsert as its event stores it: the `fields` section, its record id and rowversion.
package struct EncodedUpsert: Sendable {
    package var fields: EncodedFields
    package var recordID: XXH128
    package var rowversion: String?
}

extension Normalizer {
    /// ``normalize(_:columnIndexes:counters:)`` straight to the bytes its event stores, for a row
    /// whose every value takes the one-pass path (``fastScan(_:plan:zone:counters:_:)``), a default,
    /// or null: no `Field`, and no string for a value, is made. Nil, with nothing counted, when a
    /// value needs the layers (or the row fails): the caller then normalizes the row as before.
    ///
    /// The bytes, record id and counters are those of the row that `normalize` gives.
    package func encode(
        _ row: SourceRow, columnIndexes columns: [Int], counters: inout NormalizationCounters, into writer: inout EncodedFieldsWriter
    ) -> EncodedUpsert? {
        row.values.withUnsafeBufferPointer { values in
            encode(entity: row.entity, values: RawValueRow(values: values), columnIndexes: columns, counters: &counters, into: &writer)
        }
    }

    /// ``encode(_:columnIndexes:counters:into:)`` of a row of `entity` whose values `values` holds.
    package func encode<Values: TextRowValues>(
        entity: String, values: Values, columnIndexes columns: [Int], counters: inout NormalizationCounters,
        into writer: inout EncodedFieldsWriter
    ) -> EncodedUpsert? {
        guard entity == self.entity else { return nil }
        var local = counters
        local.rows += 1
        writer.begin(names)
        let written: Bool = order.withUnsafeBufferPointer { order in
            columns.withUnsafeBufferPointer { columns in
                // Values in stored (name) order; the row is kept only if every one is written.
                for p in order.indices {
                    let i = order[p]
                    let c = columns[i]
                    precondition(c < values.count, "a column plan that does not fit the row")
                    local.mapping.processed += 1
                    let plan = UnsafePointer(plans.baseAddress! + i)
                    var isNull = true
                    if c >= 0 {
                        // nil: not text; .some(nil): taken by the layers; .some(true or false): written, or null.
                        let done: Bool?? = values.withText(c) { text in
                            guard let text else { return true as Bool? }
                            return Self.fastScan(text, plan: plan, zone: timeZone, counters: &local) { scanned in
                                switch scanned {
                                case .null: return true
                                case .string(let body, _): writer.string(body)
                                case .integer(let v): writer.integer(v)
                                case .decimal(.integer(let v)): writer.decimal(v)
                                case .decimal(.decimal(let d)): writer.value(.decimal(d))
                                case .decimalText(let text, _): writer.decimalText(text)
                                case .timestamp(let t): writer.timestamp(microseconds: t.microseconds)
                                }
                                return false
                            }
                        }
                        guard let done, let isNullValue = done else { return false }
                        isNull = isNullValue
                    }
                    if isNull {
                        if let d = plan.pointee.defaultValue {
                            local.mapping.changed += 1
                            writer.value(d)
                        } else if plan.pointee.required {
                            return false
                        } else {
                            writer.null()
                        }
                    }
                }
                return true
            }
        }
        guard written else { return nil }
        counters = local
        let (fields, recordID) = writer.finish(entity: entity, keyFields: key, keyPositions: keyPositions)
        return EncodedUpsert(fields: fields, recordID: recordID, rowversion: rowversionIndex.flatMap { writer.canonicalText(ofValue: rank[$0]) })
    }
}
