import LedgerLog
import LedgerProjection
import Testing

@Suite struct CheckpointVerifyTests {
    @Test func acceptsTheLogsOwnCheckpoints() throws {
        let log = TestLog()
        defer { log.remove() }
        let events = try log.append([try TestLog.product("P1", code: "a"), try TestLog.product("P2", code: "b")])
        let reader = try LogReader(directory: log.path)
        try ProjectionCheckpoint.start.verify(against: reader)
        try ProjectionCheckpoint(nextOffset: 2, lastHash: events[1].hash).verify(against: reader)
    }

    @Test func refusesAnotherLogsHashOrAnOffsetBeyondTheHead() throws {
        let log = TestLog()
        defer { log.remove() }
        let events = try log.append([try TestLog.product("P1", code: "a"), try TestLog.product("P2", code: "b")])
        let reader = try LogReader(directory: log.path)
        for cp in [ProjectionCheckpoint(nextOffset: 2, lastHash: events[0].hash), ProjectionCheckpoint(nextOffset: 3, lastHash: events[1].hash),
                   ProjectionCheckpoint(nextOffset: 0, lastHash: events[0].hash)] {
            let error = #expect(throws: ProjectionError.self) { try cp.verify(against: reader) }
            #expect(error?.code == .checkpointMismatch)
        }
    }

    @Test func backoffDoublesUpToTheCap() {
        var r = ProjectorConfiguration.Retry()
        r.initialDelay = .milliseconds(100)
        r.maxDelay = .milliseconds(700)
        #expect((1...5).map { r.delay(attempt: $0) } == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(700), .milliseconds(700)])
    }
}
