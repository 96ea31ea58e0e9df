public import LedgerLog

/// The sample log written once into `<root>/pristine`, with a fresh copy of it per test case.
public struct SampleLogFixture {
    public let root: TemporaryDirectory
    public let pristine: String
    public let log: SampleLog
    public let layouts: [SegmentLayout]
    public var active: SegmentLayout { layouts.last! }
    public var activePath: String { "/" + active.name }
    private var copies = 0

    public init(prefix: String, configuration: LogConfiguration = SampleLog.configuration) throws {
        root = TemporaryDirectory(prefix)
        pristine = root.path + "/pristine"
        log = try SampleLog.write(to: pristine, configuration: configuration)
        layouts = try SegmentLayout.all(directory: pristine)
    }

    /// A new copy of the pristine log directory.
    public mutating func copy() throws -> String {
        copies += 1
        let dir = root.path + "/case-\(copies)"
        try TestFiles.copyDirectory(pristine, to: dir)
        return dir
    }
}
