/// A test harness could not set up what a test needs.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
