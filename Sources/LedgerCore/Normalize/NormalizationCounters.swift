/// What normalization did, per layer, for metrics: the caller owns a value and passes it `inout` to
/// ``Normalizer/normalize(_:counters:)`` (one per task; add them up with `+=`).
///
/// Layer counts are of field values. `processed`: values the layer looked at (the mapping layer sees
/// every mapped field, strings every present value, coercion every non-null value, numerics the
/// decimal and integer ones, datetime the timestamps). `changed`: values whose output differs from
/// their input text (trimmed, reformatted, converted to UTC, a default filled in). `rejected`: values
/// the layer refused, i.e. the failures it reported; a row stops at its first failure.
public struct NormalizationCounters: Sendable, Hashable {
    public struct Layer: Sendable, Hashable {
        public var processed = 0
        public var changed = 0
        public var rejected = 0

        public init(processed: Int = 0, changed: Int = 0, rejected: Int = 0) {
            self.processed = processed
            self.changed = changed
            self.rejected = rejected
        }
    }

    /// Rows (and delete keys) normalized, and those that failed.
    public var rows = 0
    public var rejectedRows = 0
    public var mapping = Layer()
    public var strings = Layer()
    public var coercion = Layer()
    public var numerics = Layer()
    public var datetime = Layer()

    public init() {}

    public subscript(_ layer: NormalizationLayer) -> Layer {
        get {
            switch layer {
            case .mapping: mapping
            case .strings: strings
            case .coercion: coercion
            case .numerics: numerics
            case .datetime: datetime
            }
        }
        set {
            switch layer {
            case .mapping: mapping = newValue
            case .strings: strings = newValue
            case .coercion: coercion = newValue
            case .numerics: numerics = newValue
            case .datetime: datetime = newValue
            }
        }
    }

    public static func += (a: inout NormalizationCounters, b: NormalizationCounters) {
        a.rows += b.rows
        a.rejectedRows += b.rejectedRows
        for layer in NormalizationLayer.allCases {
            a[layer].processed += b[layer].processed
            a[layer].changed += b[layer].changed
            a[layer].rejected += b[layer].rejected
        }
    }
}
