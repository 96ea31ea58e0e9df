/// Why a row could not be normalized: the layer, the field and the reason. The row goes to the
/// dead-letter store with it.
public struct NormalizationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var layer: NormalizationLayer
    /// The event field (or, for the mapping layer, the source column) at fault.
    public var field: String?
    public var reason: String

    public init(_ layer: NormalizationLayer, field: String?, reason: String) {
        self.layer = layer
        self.field = field
        self.reason = reason
    }

    public var description: String {
        "\(layer.rawValue)" + (field.map { " layer, field \($0)" } ?? " layer") + ": \(reason)"
    }
}
