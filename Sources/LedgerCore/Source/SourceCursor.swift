/// A source's position, saved in the log as a checkpoint event in the same commit as the events it
/// covers. Its meaning belongs to the source (a change-log id and open gaps, a CSV file's digest and
/// line, a backfill's table and last row id); the pipeline only stores and returns it.
public struct SourceCursor: Sendable, Hashable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(_ name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }
}
