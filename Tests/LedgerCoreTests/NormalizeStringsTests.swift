import LedgerCore
import Testing

@Suite struct NormalizeStringsTests {
    @Test(arguments: [
        (" Item 1 ", "Item 1"), ("\tC00042", "C00042"), ("C00042\u{A0}", "C00042"), ("\u{0B}8930000000001", "8930000000001"),
        ("\u{01}x", "x"), ("x\u{7F}\u{85}", "x"), ("\u{FEFF}\u{3000}Bánh mì\u{2009}", "Bánh mì"), ("  a  b  ", "a  b"),
    ])
    func trimsWhitespaceNBSPAndControls(input: String, expected: String) {
        #expect(StringsLayer.clean(input) == StringsLayer.Output(text: expected, changed: true))
    }

    @Test func leavesCleanTextAlone() {
        #expect(StringsLayer.clean("Item 7 Dairy") == StringsLayer.Output(text: "Item 7 Dairy", changed: false))
        #expect(StringsLayer.clean("a\tb\u{A0}c") == StringsLayer.Output(text: "a\tb\u{A0}c", changed: false))
        #expect(StringsLayer.clean("Đà Nẵng") == StringsLayer.Output(text: "Đà Nẵng", changed: false))
    }

    @Test func emptyAfterTrimIsNull() {
        for s in ["", " ", "\t\u{A0}\u{0B}\u{01} ", "\r\n"] {
            #expect(StringsLayer.clean(s) == StringsLayer.Output(text: nil, changed: true))
        }
    }

    @Test func lineEndingsBecomeLF() {
        #expect(StringsLayer.clean("a\r\nb\rc\nd").text == "a\nb\nc\nd")
        #expect(StringsLayer.clean(" line1\r\n\r\nline2\r\n").text == "line1\n\nline2")
    }

    @Test func invalidUTF8IsRejectedWithItsOffset() {
        let bytes: [UInt8] = Array("Caf".utf8) + [0xE9, 0x20, 0x31]
        let r = StringsLayer.clean(.bytes(bytes), encoding: .utf8, field: "name")
        #expect(r == .failure(NormalizationFailure(.strings, field: "name", reason: "invalid UTF-8 at byte 3 of \"Caf\\xE9 1\"")))
        #expect(StringsLayer.firstInvalidUTF8([0x61, 0xC3, 0xA9, 0xED, 0xA0, 0x80]) == 3)   // a surrogate
        #expect(StringsLayer.firstInvalidUTF8([0xC0, 0x80]) == 0)                           // overlong
        #expect(StringsLayer.firstInvalidUTF8([0x61, 0xE2, 0x82]) == 1)                     // truncated
        #expect(StringsLayer.firstInvalidUTF8(Array("ok €".utf8)) == nil)
    }

    @Test func bytesAreLatin1WhenTheSourceSaysSo() {
        let bytes: [UInt8] = [0xA0] + Array("Caf".utf8) + [0xE9, 0x20]
        #expect(StringsLayer.clean(.bytes(bytes), encoding: .latin1, field: "name") == .success(StringsLayer.Output(text: "Café", changed: true)))
        // Bytes that are valid UTF-8 after all are read as UTF-8.
        #expect(StringsLayer.clean(.bytes(Array("Phở ".utf8)), encoding: .utf8, field: "name") == .success(StringsLayer.Output(text: "Phở", changed: true)))
    }

    @Test func nullStaysNullUnchanged() {
        #expect(StringsLayer.clean(.null, encoding: .utf8, field: "x") == .success(StringsLayer.Output(text: nil, changed: false)))
    }
}
