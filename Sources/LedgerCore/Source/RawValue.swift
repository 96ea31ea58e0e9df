/// A value as a source delivered it, before normalization.
///
/// Point-of-sale databases keep everything as text; CSV files are bytes in some encoding. A reader
/// that cannot decode its input as text hands the bytes on, so the string layer can repair or reject
/// them with a reason.
public enum RawValue: Sendable, Hashable {
    case null
    case text(String)
    /// Bytes that are not valid text in the source's declared encoding.
    case bytes([UInt8])

    public var isNull: Bool { if case .null = self { true } else { false } }
}
