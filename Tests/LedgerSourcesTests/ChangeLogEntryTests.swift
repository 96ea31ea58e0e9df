import LedgerSources
import Testing

@Suite struct ChangeLogEntryTests {
    @Test func opsReadTheLettersThePOSWrites() {
        #expect(ChangeLogEntry.Op(rawValue: "I") == .insert)
        #expect(ChangeLogEntry.Op(rawValue: "U") == .update)
        #expect(ChangeLogEntry.Op(rawValue: "D") == .delete)
        #expect(ChangeLogEntry.Op(rawValue: "X") == nil)
    }
}
