import LedgerLog
import LedgerProjection
import Testing

@Suite struct ProjectionCheckpointTests {
    @Test func startIsOffsetZeroWithZeroHash() {
        #expect(ProjectionCheckpoint.start.nextOffset == 0)
        #expect(ProjectionCheckpoint.start.lastHash == .zero)
    }
}
