import OrderedJSON
import Testing

@Suite struct JSONParserTests {
    @Test func keepsKeyOrderAndNumberLexemes() throws {
        let text = #"{"z":1,"a":{"value":20000,"amount":"20000.0","f":100.0,"e":1e5},"m":[true,false,null]}"#
        let json = try JSON.parse(text)
        #expect(json.objectValue?.keys == ["z", "a", "m"])
        #expect(json["a"]?["f"] == .number("100.0"))
        #expect(json.compactString == text)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let json = try JSON.parse(#"["a\/b", "\u00e9\ud83d\ude00", "tab\there"]"#)
        #expect(json.arrayValue == [.string("a/b"), .string("é😀"), .string("tab\there")])
        // Written back compactly: `/` and non-ASCII unescaped, control characters escaped.
        #expect(json.compactString == "[\"a/b\",\"é😀\",\"tab\\there\"]")
    }

    @Test(arguments: [
        "", "{", #"{"a":}"#, "[1,]", #"{"a" 1}"#, "01", "1.", "-", "tru", #""\x""#, "[1] 2",
        #""\ud800""#, "\"a\nb\"", #"{"a":1,}"#, "NaN",
    ])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func refusesDeepNestingInsteadOfOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    }

    @Test func locatesErrors() {
        do {
            _ = try JSON.parse("{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func repeatedKeyKeepsFirstPositionAndLastValue() throws {
        let json = try JSON.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(json.compactString == #"{"a":3,"b":2}"#)
    }

    /// Past a few keys the parser finds a repeated key by an index: the last value wins, in
    /// the first one's place, and a body of many keys parses in linear time.
    @Test func aRepeatedKeyAmongManyKeepsItsPlaceAndTheLastValue() throws {
        var text = "{"
        for index in 0..<40 { text += "\"k\(index)\":\(index)," }
        text += "\"k3\":\"last\"}"
        let object = try #require(try JSON.parse(Array(text.utf8)).objectValue)
        #expect(object.keys.count == 40)
        #expect(object.keys[3] == "k3" && object["k3"] == "last")
        let many = "{" + (0..<60_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        #expect(try JSON.parse(Array(many.utf8)).objectValue?.keys.count == 60_000)
    }
}
