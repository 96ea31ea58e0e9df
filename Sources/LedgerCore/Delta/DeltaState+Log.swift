public import LedgerLog

extension DeltaState {
    /// Folds in every committed event from ``nextOffset`` up to `head` (exclusive). From an empty
    /// state this rebuilds the state from the whole log.
    public mutating func catchUp(directory: String, to head: UInt64, progress: ((UInt64, UInt64) -> Void)? = nil) throws(LogError) {
        guard nextOffset < head else { return }
        let cursor = try LogReader(directory: directory).cursor(from: nextOffset, limit: head)
        var n: UInt64 = 0
        while let event = try cursor.next() {
            apply(event)
            n += 1
            if n & 0xFFFF == 0 { progress?(event.offset + 1, head) }
        }
    }

    /// The state of the log a writer holds open, rebuilt from its events.
    public static func load(from writer: LogWriter, progress: ((UInt64, UInt64) -> Void)? = nil) throws(LogError) -> DeltaState {
        var state = DeltaState()
        try state.catchUp(directory: writer.directory, to: writer.head.nextOffset, progress: progress)
        return state
    }
}
