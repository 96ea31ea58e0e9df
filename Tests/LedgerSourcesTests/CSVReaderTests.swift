import LedgerCore
import LedgerSources
import LedgerTestKit
import Testing

@Suite struct CSVReaderTests {
    /// Writes `bytes` to a file, reads every record with `options`, removes the file.
    func read(_ bytes: [UInt8], _ options: CSVReader.Options = .init()) throws -> [CSVReader.Record] {
        let dir = TemporaryDirectory("csv-reader")
        defer { dir.remove() }
        let path = dir.path + "/t.csv"
        try TestFiles.write(bytes, to: path)
        let reader = try CSVReader(path: path, options: options)
        var out: [CSVReader.Record] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }

    func read(_ text: String, _ options: CSVReader.Options = .init()) throws -> [CSVReader.Record] {
        try read(Array(text.utf8), options)
    }

    func texts(_ r: CSVReader.Record) -> [String] {
        r.fields.map { if case .text(let s) = $0 { s } else { "<\($0)>" } }
    }

    @Test func plainAndQuotedFields() throws {
        let records = try read("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n,,\n")
        #expect(records.map(texts) == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["", "", ""]])
        #expect(records.map(\.line) == [1, 2, 3])
        #expect(records.allSatisfy { $0.problem == nil })
    }

    /// With an expected field count, records of that width keep no copy of their bytes; every other
    /// record (and one read byte by byte) still does, and the fields are the same either way.
    @Test func recordsOfTheExpectedWidthKeepNoRawBytes() throws {
        let dir = TemporaryDirectory("csv-reader")
        defer { dir.remove() }
        let path = dir.path + "/t.csv"
        let text = "a,b,c\n1,2\n4,\"5, 6\",7\n8,9,10,11\n\"x\ny\",z,w\n12,13,14"
        try TestFiles.write(Array(text.utf8), to: path)
        let reader = try CSVReader(path: path)
        reader.expectedFieldCount = 3
        var records: [CSVReader.Record] = []
        while let r = try reader.next() { records.append(r) }
        #expect(records.map(texts) == [["a", "b", "c"], ["1", "2"], ["4", "5, 6", "7"], ["8", "9", "10", "11"], ["x\ny", "z", "w"], ["12", "13", "14"]])
        #expect(records.map(\.raw) == ["a,b,c", "1,2", "", "8,9,10,11", "\"x\ny\",z,w", ""])
        #expect(try read(text).map(texts) == records.map(texts))
    }

    @Test func newlinesInsideQuotesKeepLineNumbers() throws {
        let records = try read("h1,h2\n\"two\nlines\",x\n\"three\r\nline\nfield\",y\nlast,z")
        #expect(records.map(texts) == [["h1", "h2"], ["two\nlines", "x"], ["three\r\nline\nfield", "y"], ["last", "z"]])
        #expect(records.map(\.line) == [1, 2, 4, 7])
        #expect(records[1].raw == "\"two\nlines\",x")
    }

    @Test func crlfAndLoneCREndRecords() throws {
        let records = try read("a,b\r\n1,2\r\n3,4\r5,6\r\n")
        #expect(records.map(texts) == [["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]])
        #expect(records.map(\.line) == [1, 2, 3, 4])
    }

    @Test func utf8BOMIsSkippedOnlyAtTheStart() throws {
        let records = try read([0xEF, 0xBB, 0xBF] + Array("id,name\n1,\u{FEFF}x\n".utf8))
        #expect(records.map(texts) == [["id", "name"], ["1", "\u{FEFF}x"]])
    }

    @Test func latin1BytesBecomeTheirCharacters() throws {
        let bytes: [UInt8] = Array("id,name\n1,caf".utf8) + [0xE9] + Array(",x\n".utf8)
        let latin = try read(bytes, .init(encoding: .latin1))
        #expect(texts(latin[1]) == ["1", "café", "x"])
        // Read as UTF-8 the same byte is not text: the field is handed on as bytes.
        let utf8 = try read(bytes)
        #expect(utf8[1].fields[1] == .bytes(Array("caf".utf8) + [0xE9]))
        #expect(utf8[1].fields[0] == .text("1"))
    }

    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")])
    func delimiters(_ d: UInt8) throws {
        let sep = String(UnicodeScalar(d))
        let text = "a\(sep)b\n\"1\(sep)5\"\(sep)2\n"
        let records = try read(text, .init(delimiter: d))
        #expect(records.map(texts) == [["a", "b"], ["1\(sep)5", "2"]])
    }

    @Test func brokenQuotesAreReportedWithLineAndRawText() throws {
        let records = try read("a,b\n\"x\"y,2\n3,4\n5,\"open\n6,7\n")
        #expect(records.count == 4)
        #expect(records[1].problem == "text after the closing quote of field 1")
        #expect(records[1].raw == "\"x\"y,2")
        #expect(records[1].line == 2)
        #expect(texts(records[2]) == ["3", "4"])
        #expect(records[2].line == 3)
        #expect(records[3].problem == "quote of field 2 not closed")
        #expect(records[3].line == 4)
        #expect(records[3].raw == "5,\"open\n6,7\n")
    }

    @Test func emptyLinesAreSkippedButCounted() throws {
        let records = try read("a\n\n\n1\n\r\n2\n")
        #expect(records.map(texts) == [["a"], ["1"], ["2"]])
        #expect(records.map(\.line) == [1, 4, 6])
    }

    @Test func limitsNameTheFileAndLine() throws {
        do {
            _ = try read("a,b\n1,2\n3,\(String(repeating: "x", count: 100))\n", .init(maxFieldBytes: 50))
            Issue.record("no error")
        } catch let e as SourceError {
            #expect(e.code == .limitExceeded)
            #expect(e.context == "csv t.csv line 3")
        }
        do {
            _ = try read("a,b\n1,2\n3,4\n5,6\n", .init(maxRecordBytes: 2))
            Issue.record("no error")
        } catch let e as SourceError {
            #expect(e.code == .limitExceeded)
            #expect(e.context == "csv t.csv line 1")
        }
        do {
            _ = try read("a,b\n1,2\n", .init(maxFileBytes: 4))
            Issue.record("no error")
        } catch let e as SourceError {
            #expect(e.code == .limitExceeded)
            #expect(e.context == "csv t.csv")
        }
    }

    @Test func smallBufferGivesTheSameRecordsAndResumesAtAnyRecordBoundary() throws {
        let text = "id,v\r\n1,\"a\"\"b\"\r\n2,\"multi\nline\"\r\n3,plain\n\n4,\"x,y\"\n"
        let whole = try read(text)
        let tiny = try read(text, .init(bufferBytes: 16))
        #expect(whole == tiny)
        let dir = TemporaryDirectory("csv-resume")
        defer { dir.remove() }
        let path = dir.path + "/r.csv"
        try TestFiles.write(Array(text.utf8), to: path)
        let reader = try CSVReader(path: path, options: .init(bufferBytes: 16))
        var marks: [(offset: Int64, line: Int)] = []
        while try reader.next() != nil { marks.append((reader.offset, reader.line)) }
        #expect(marks.count == whole.count)
        #expect(marks.map(\.offset) == whole.map(\.endOffset))
        for (i, mark) in marks.enumerated() {
            let resumed = try CSVReader(path: path, options: .init(bufferBytes: 16), offset: mark.offset, line: mark.line)
            var rest: [CSVReader.Record] = []
            while let r = try resumed.next() { rest.append(r) }
            #expect(rest == Array(whole[(i + 1)...]))
        }
    }

    @Test func missingFileIsNotFound() {
        #expect(throws: SourceError.self) { try CSVReader(path: "/nonexistent/ledger/x.csv") }
        do { _ = try CSVReader(path: "/nonexistent/ledger/x.csv") } catch { #expect(error.code == .notFound) }
    }

    /// Records that lie whole in the read buffer are split in place, quotes included; every other
    /// record (a line break inside quotes, text after a closing quote, an unclosed quote, a record
    /// longer than the buffer, the first record of the file) goes byte by byte. Random files
    /// read with a 16-byte buffer (nearly all byte by byte) and with the default buffer (nearly all in
    /// place) must give the same records, lines, raw bytes and end offsets.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func inPlaceAndByteByByteRecordsAgree(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let pieces: [[UInt8]] = [
            Array("abc".utf8), Array("1,250.00".utf8), Array(" x ".utf8), Array("Phở".utf8), [0xFF, 0xFE],
            Array("\"q\"".utf8), Array("\"a,\"\"b\"".utf8), Array("12\" pizza".utf8), [], Array("é".utf8),
            Array("\"l1\nl2\"".utf8), Array("\"\"".utf8), Array("\"\"\"\"".utf8), Array("\"ends \"\"".utf8),
            Array("\"9,551.28\"".utf8), Array("\"Phở \"\"x\"\"\"".utf8),
        ]
        let endings: [[UInt8]] = [[0x0A], [0x0D, 0x0A], [0x0D], [0x0A, 0x0A]]
        var bytes: [UInt8] = []
        for r in 0..<400 {
            let fields = Int(rng.next() % 6) + 1
            for f in 0..<fields {
                if f > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += pieces[Int(rng.next() % UInt64(pieces.count))]
                if rng.next() % 7 == 0 { bytes += Array(repeating: UInt8(ascii: "z"), count: Int(rng.next() % 40)) }
            }
            if r < 399 || rng.next() % 2 == 0 { bytes += endings[Int(rng.next() % UInt64(endings.count))] }
        }
        for encoding in [CSVReader.Encoding.utf8, .latin1] {
            let inPlace = try read(bytes, .init(encoding: encoding))
            let byteByByte = try read(bytes, .init(encoding: encoding, bufferBytes: 16))
            #expect(inPlace.count > 300)
            #expect(inPlace == byteByByte)
        }
    }

    @Test func limitsHoldOnTheInPlacePath() throws {
        let text = "a,b\n" + String(repeating: "x", count: 40) + ",y\n"
        #expect(throws: SourceError.self) { try read(text, .init(maxFieldBytes: 32)) }
        #expect(throws: SourceError.self) { try read(text, .init(maxRecordBytes: 32)) }
        #expect(try read(text, .init(maxFieldBytes: 40)).count == 2)
    }
}
