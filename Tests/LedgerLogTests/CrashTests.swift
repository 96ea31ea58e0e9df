#if canImport(Glibc)
import Glibc
#endif
import LedgerLog
import LedgerTestKit
import Testing

/// `ledger append --ack` killed with SIGKILL at random moments (SPEC §9, §10): every acknowledged event
/// survives, recovery opens the log, it verifies, and appends go on.
@Suite struct CrashTests {
    struct Row: Hashable {
        var round: Int
        var index: Int
        var id: String { "r\(round)-\(index)" }
        var text: String { "row \(index) of round \(round) — ünïcödé" }
        var json: String { #"{"id":"\#(id)","n":\#(index),"round":\#(round),"text":"\#(text)"}"# }
    }

    static func payloadMatches(_ e: LogEvent, _ row: Row) -> Bool {
        e.op == .upsert && e.entity == "crash" && e.keyFields == ["id"]
            && e.value(of: "id") == .string(row.id) && e.value(of: "n")?.canonicalText == String(row.index)
            && e.value(of: "round")?.canonicalText == String(row.round) && e.value(of: "text") == .string(row.text)
    }

    @Test func killingAppendAtRandomMomentsLosesNoAcknowledgedEvent() throws {
        let binary = PackagePaths.ledgerBinary()
        guard access(binary, X_OK) == 0 else {
            Issue.record("the ledger executable is missing at \(binary): build it with `swift build` (the CLI must support `append --ack`)")
            return
        }
        let work = TemporaryDirectory("ledger-crash")
        defer { work.remove() }
        let dir = work.path + "/log"
        var rng = SystemRandomNumberGenerator()
        var acknowledged: [UInt64: Row] = [:]        // offset → the row the CLI acknowledged there
        var sent: [String: Row] = [:]                 // id → row, for everything ever written to a child
        var markers: [UInt64: String] = [:]           // offsets appended by this test between rounds
        var killedWhileCommitting = 0

        for round in 0..<20 {
            let batchSize = Int.random(in: 1...16, using: &rng)
            let stderrPath = work.path + "/stderr-\(round).txt"
            let child: ChildProcess
            do {
                child = try ChildProcess(executable: binary, arguments: ["append", "--log", dir, "--entity", "crash", "--key", "id",
                                                                         "--ack", "--batch-size", String(batchSize)],
                                         standardErrorPath: stderrPath)
            } catch {
                Issue.record("round \(round): \(error)")
                return
            }
            func childError() -> String {
                let text = (try? TestFiles.read(stderrPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                return "child \(child.exitStatusIfEnded().map(ChildProcess.describe) ?? "running"); stderr: \(text.suffix(2000))"
            }

            let fullBatches = Int.random(in: 1...6, using: &rng)
            let rows = (0..<(fullBatches * batchSize + Int.random(in: 0..<batchSize, using: &rng))).map { Row(round: round, index: $0) }
            for r in rows { sent[r.id] = r }
            guard child.write(rows.map { $0.json + "\n" }.joined()) else {
                Issue.record("round \(round): could not write to the child; \(childError())")
                return
            }

            var acks: [(first: UInt64, count: Int)] = []
            func take(_ line: String) {
                let parts = line.split(separator: " ")
                guard parts.count == 3, parts[0] == "ack", let first = UInt64(parts[1]), let count = Int(parts[2]) else {
                    Issue.record("round \(round): unexpected output line \(line.debugDescription)")
                    return
                }
                acks.append((first, count))
            }
            let wanted = Int.random(in: 0...fullBatches, using: &rng)
            while acks.count < wanted {
                switch child.readLine(timeoutMilliseconds: 20_000) {
                case .line(let l): take(l)
                case .timeout:
                    Issue.record("round \(round): no acknowledgement within 20 s; \(childError())")
                    return
                case .endOfFile:
                    Issue.record("round \(round): the child stopped early; \(childError())")
                    return
                }
            }
            if round == 0 && !acks.isEmpty {
                // while the child holds the log, no other writer may open it
                let refused = #expect(throws: LogError.self) { try LogWriter(directory: dir, logger: testLogger()) }
                #expect(refused?.code == .locked && refused?.message.contains("process \(child.pid)") == true, "\(String(describing: refused))")
            }
            usleep(UInt32.random(in: 0...3000, using: &rng))
            child.sendSignal(SIGKILL)
            let status = child.waitForExit()
            #expect(ChildProcess.describe(status) == "signal 9", "round \(round): \(childError())")
            drain: while true {
                switch child.readLine(timeoutMilliseconds: 5000) {
                case .line(let l): take(l)
                case .endOfFile, .timeout: break drain
                }
            }
            if acks.count < fullBatches { killedWhileCommitting += 1 }

            // Each acknowledgement covers the next batchSize rows of this round, in order.
            for (j, ack) in acks.enumerated() {
                #expect(ack.count == batchSize, "round \(round): ack \(j) covers \(ack.count) rows")
                for x in 0..<ack.count where j * batchSize + x < rows.count {
                    acknowledged[ack.first + UInt64(x)] = rows[j * batchSize + x]
                }
            }

            // Recovery: the log opens, keeps every acknowledged event, verifies and takes appends.
            let writer: LogWriter
            do {
                writer = try LogWriter(directory: dir, logger: testLogger())
            } catch {
                Issue.record("round \(round): recovery refused to open the log: \(error)")
                return
            }
            let events = try readAll(dir)
            #expect(UInt64(events.count) == writer.head.nextOffset)
            for (offset, row) in acknowledged {
                guard offset < UInt64(events.count) else {
                    Issue.record("round \(round): acknowledged offset \(offset) (\(row.id)) is gone; the log has \(events.count) events")
                    continue
                }
                #expect(Self.payloadMatches(events[Int(offset)], row), "round \(round): offset \(offset) is not \(row.id)")
            }
            var ids = Set<String>()
            for e in events {
                guard case .string(let id)? = e.value(of: "id") else { Issue.record("event \(e.offset) has no id"); continue }
                #expect(ids.insert(id).inserted, "round \(round): \(id) appears twice")
                if let marker = markers[e.offset] {
                    #expect(id == marker)
                } else if let row = sent[id] {
                    #expect(Self.payloadMatches(e, row), "round \(round): event \(e.offset) does not hold what was sent for \(id)")
                } else {
                    Issue.record("round \(round): event \(e.offset) holds \(id), which was never sent")
                }
            }
            let report = try LogVerifier(directory: dir, deep: true).verify()
            #expect(report.ok && report.tornTail == nil, "round \(round): \(String(describing: report.problem ?? report.tornTail)) \(report.indexProblems)")
            #expect(report.events == UInt64(events.count))
            let marker = try NewEvent(source: "crash-test", entity: "crash", keyFields: ["id"],
                                      fields: [Field("id", .string("marker-\(round)")), Field("n", .integer(-1))])
            let receipt = try writer.append([marker])
            #expect(receipt.firstOffset == UInt64(events.count))
            markers[receipt.firstOffset] = "marker-\(round)"
            writer.close()
        }
        #expect(acknowledged.count > 0)
        #expect(killedWhileCommitting > 0, "no round killed the child before all its batches were acknowledged")
    }
}
