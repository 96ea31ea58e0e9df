import LedgerLog
import Testing

/// The strict JSON parser (numbers kept as text) and canonical JSON text (SPEC §3.1, tag 8).
@Suite struct JSONTests {
    @Test func numbersAreKeptAsTheirExactText() throws {
        let v = try JSONParser.parse(#"[1.50, -0, 1E400, 0.1, 12345678901234567890123456789012345678901, -2.5e-3]"#)
        #expect(v == .array([.number("1.50"), .number("-0"), .number("1E400"), .number("0.1"),
                             .number("12345678901234567890123456789012345678901"), .number("-2.5e-3")]))
    }

    @Test func stringEscapesAndSurrogatePairsDecode() throws {
        let v = try JSONParser.parse(#""q\"b\\s\/b\bf\fn\nr\rt\tA\u0041z\u0000e\u00e9smile\ud83d\ude00""#)
        #expect(v == .string("q\"b\\s/b\u{8}f\u{C}n\nr\rt\tAAz\u{0}eésmile😀"))
        guard case .string(let s) = v else { return }
        #expect(Array(s.utf8).suffix(4) == [0xF0, 0x9F, 0x98, 0x80])
    }

    @Test func objectsKeepMembersInDocumentOrder() throws {
        let v = try JSONParser.parse(" {\"b\" : 1 ,\n\t\"a\":[true,false,null], \"c\":{}}\r\n")
        #expect(v == .object([("b", .number("1")), ("a", .array([.bool(true), .bool(false), .null])), ("c", .object([]))]))
    }

    @Test(arguments: [
        ("{} x", "unexpected text after the JSON value"),
        ("1 2", "unexpected text after the JSON value"),
        ("[1,]", "invalid value"),
        ("{\"a\":1,}", "expected a member name"),
        ("\"a\nb\"", "control character in string"),
        ("\"tab\there\"", "control character in string"),
        ("01", "leading zero in number"),
        ("-01", "leading zero in number"),
        ("[00]", "leading zero in number"),
        (".5", "invalid value"),
        ("+1", "invalid value"),
        ("1.", "expected digits after '.'"),
        ("1e", "expected exponent digits"),
        ("\"\\ud83d\"", "unpaired surrogate"),
        ("\"\\ude00\"", "unpaired surrogate"),
        ("\"\\ud83d\\u0041\"", "unpaired surrogate"),
        ("\"\\x41\"", "invalid escape"),
        ("\"\\u12G4\"", "invalid \\u escape"),
        ("\"abc", "unterminated string"),
        ("[1, 2", "unterminated array"),
        ("{\"a\" 1}", "expected ':'"),
        ("tru", "invalid literal"),
        ("nul", "invalid literal"),
        ("", "unexpected end of input"),
        ("   ", "unexpected end of input"),
    ])
    func malformedJSONIsRejected(text: String, reason: String) {
        do {
            let v = try JSONParser.parse(text)
            Issue.record("\(text.debugDescription) parsed as \(v)")
        } catch {
            #expect(error.reason == reason, "\(text.debugDescription): \(error)")
        }
    }

    @Test func failuresNameTheColumn() {
        let trailing = #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("{} x") }
        #expect(trailing?.column == 4)
        let missing = #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("[1,]") }
        #expect(missing?.column == 4)
        let zero = #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("[7, 01]") }
        #expect(zero?.reason == "leading zero in number")
    }

    @Test func nestingDeeperThan512LevelsIsRejected() {
        #expect((try? JSONParser.parse(String(repeating: "[", count: 512) + String(repeating: "]", count: 512))) != nil)
        #expect(throws: JSONParser.Failure.self) {
            try JSONParser.parse(String(repeating: "[", count: 513) + String(repeating: "]", count: 513))
        }
    }

    @Test(arguments: [
        (#"{"b":1,"a":[1.50,true,null,"x"]}"#, #"{"a":[1.5,true,null,"x"],"b":1}"#),
        (" { \"z\" : { \"y\" : 1e2 , \"x\" : -0.0 } } ", #"{"z":{"x":0,"y":100}}"#),
        (#"{"é":1,"e":2,"ｅ":3,"😀":4,"E":5}"#, #"{"E":5,"e":2,"é":1,"ｅ":3,"😀":4}"#),
        (#"["\u0001\u001f\u007f\u2028/\"\\\b\f\n\r\t"]"#, "[\"\\u0001\\u001f\u{7F}\u{2028}/\\\"\\\\\\b\\f\\n\\r\\t\"]"),
        (#"[]"#, #"[]"#),
        (#"{}"#, #"{}"#),
        (#"[0.000100, 1.25E+3, -12.340]"#, #"[0.0001,1250,-12.34]"#),
    ])
    func canonicalTextSortsKeysByUTF8AndNormalizesNumbers(input: String, canonical: String) throws {
        let text = try #require(JSONParser.parse(input).canonicalText())
        #expect(text == canonical)
        #expect(try JSONParser.parse(text).canonicalText() == text, "canonical text is a fixed point")
    }

    @Test func canonicalTextRefusesRepeatedNamesAndNumbersThatAreNotDecimals() throws {
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#).canonicalText() == nil)
        #expect(try JSONParser.parse("[1234567890123456789012345678901234567890]").canonicalText() == nil)
        #expect(try JSONParser.parse("[1e1000000]").canonicalText() == nil)
    }
}
