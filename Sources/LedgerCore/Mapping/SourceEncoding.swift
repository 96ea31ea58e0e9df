/// The text encoding of a source's raw bytes.
///
/// Readers decode text in this encoding and hand on bytes they could not decode as ``RawValue/bytes(_:)``;
/// the strings layer then decodes them as Latin-1 (`latin1`) or rejects them (`utf8`).
public enum SourceEncoding: String, Sendable, Hashable, CaseIterable {
    case utf8
    /// ISO 8859-1: every byte is the code point of the same value, so every byte string decodes.
    case latin1
}
