public import LedgerLog
import Synchronization

/// The sample log written once into `<root>/pristine`, with a fresh copy of it per test case.
public final class SampleLogFixture {
    public let root: TemporaryDirectory
    public let pristine: String
    public let log: SampleLog
    public let layouts: [SegmentLayout]
    public var active: SegmentLayout { layouts.last! }
    public var activePath: String { "/" + active.name }
    private let copies = Mutex(0)

    public init(prefix: String, configuration: LogConfiguration = SampleLog.configuration) throws {
        root = TemporaryDirectory(prefix)
        pristine = root.path + "/pristine"
        log = try SampleLog.write(to: pristine, configuration: configuration)
        layouts = try SegmentLayout.all(directory: pristine)
    }

    /// A new copy of the pristine log directory.
    public func copy() throws -> String {
        let n = copies.withLock { n in
            n += 1
            return n
        }
        let dir = root.path + "/case-\(n)"
        try TestFiles.copyDirectory(pristine, to: dir)
        return dir
    }
}
