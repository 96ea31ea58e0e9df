import LedgerLog

/// A batch's dead letters, recorded on the log writer's thread just before the batch is written
/// (``LogWriter/append(_:beforeWrite:meanwhile:)``), and the store's error if it failed. The
/// pipeline waits in the append meanwhile, so the sink is never used by two threads at once.
final class DeadLetterRecording: @unchecked Sendable {
    private let sink: any DeadLetterSink
    private let letters: [DeadLetter]
    private(set) var failure: DeadLetterError?

    init(sink: any DeadLetterSink, letters: [DeadLetter]) {
        self.sink = sink
        self.letters = letters
    }

    @Sendable func run() throws(LogError) {
        do { try sink.record(letters) } catch {
            failure = error
            throw LogError(.io, "the dead letters could not be recorded: \(error)")
        }
    }
}
