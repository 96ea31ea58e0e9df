/// A violation of the log format found while decoding bytes.
///
/// `position` is relative to the buffer being decoded; the store adds the file and absolute position.
public struct FormatError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var position: Int

    public init(_ reason: String, at position: Int) {
        self.reason = reason
        self.position = position
    }

    public var description: String { "\(reason) at byte \(position)" }
}
