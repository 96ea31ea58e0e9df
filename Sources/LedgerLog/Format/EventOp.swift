/// What an event does to its record.
public enum EventOp: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case upsert = 1
    case delete = 2
    /// Records a source's watermark or cursor.
    case checkpoint = 3

    public var description: String {
        switch self {
        case .upsert: "upsert"
        case .delete: "delete"
        case .checkpoint: "checkpoint"
        }
    }

    public init?(name: String) {
        guard let op = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = op
    }
}
