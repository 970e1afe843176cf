import Testing
@testable import OCI

/// JSONObject's two representations (a linear array below `indexThreshold` members, a key
/// table from there on) must behave alike: first-seen order, the last value of a repeated key.
struct JSONObjectTests {
    @Test func smallObjectKeepsOrderAndLastValue() throws {
        let value = try JSONParser.parse(bytes: Array(#"{"b":1,"a":2,"b":3}"#.utf8))
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == .number("3"))
        #expect(object["a"] == .number("2"))
        #expect(object["c"] == nil)
    }

    @Test func largeObjectIndexedAlike() throws {
        let count = JSONObject.indexThreshold * 3
        var text = "{"
        for i in 0..<count { text += "\"k\(i)\":\(i)," }
        text += "\"k0\":\"again\",\"k\(count - 1)\":\"last\"}"
        let object = try #require(try JSONParser.parse(bytes: Array(text.utf8)).objectValue)
        #expect(object.count == count)
        #expect(object.keys == (0..<count).map { "k\($0)" })
        #expect(object["k0"] == .string("again"))
        #expect(object["k\(count - 1)"] == .string("last"))
        #expect(object["k5"] == .number("5"))
        #expect(object["k\(count)"] == nil)
    }

    @Test func equalityIsOrderAndValues() throws {
        let a = try JSONParser.parse(bytes: Array(#"{"x":1,"y":[true,null]}"#.utf8))
        let b = try JSONParser.parse(bytes: Array(#"{ "x": 1, "y": [true, null] }"#.utf8))
        let c = try JSONParser.parse(bytes: Array(#"{"y":[true,null],"x":1}"#.utf8))
        #expect(a == b)
        #expect(a != c)
    }

    @Test func keysOfEqualLengthAreTold() throws {
        let object = try #require(try JSONParser.parse(bytes: Array(#"{"ab":1,"ba":2,"é":3}"#.utf8)).objectValue)
        #expect(object["ba"] == .number("2"))
        #expect(object["é"] == .number("3"))
        #expect(object["e\u{301}"] == .number("3"))  // Swift String equality: canonical equivalence
        // U+212A KELVIN SIGN is canonically equivalent to ASCII "K": not ruled out by length.
        let kelvin = try #require(try JSONParser.parse(bytes: Array("{\"\u{212A}\":1}".utf8)).objectValue)
        #expect(kelvin["K"] == .number("1"))
    }

    @Test func smallAndIndexedObjectsCompareKeysAlike() throws {
        for count in [1, JSONObject.indexThreshold + 1] {
            var text = "{\"é\":0"
            for i in 1..<count { text += ",\"k\(i)\":\(i)" }
            text += ",\"e\u{301}\":\"again\"}"
            let object = try #require(try JSONParser.parse(bytes: Array(text.utf8)).objectValue)
            #expect(object.count == count)
            #expect(object["é"] == .string("again"))
        }
    }
}

/// `parse(bytes:rawMember:)`: the top-level member named is checked, not built, and its bytes
/// come back as a range (state.json's saved config).
@Suite struct JSONRawMemberTests {
    @Test func rawMemberIsLeftOutAndItsRangeReturned() throws {
        let text = #"{"id":"c","config":{ "a" : [1, -2.5e3, "x\"}]\u00e9", true, null, {}] } ,"pid":3}"#
        let bytes = Array(text.utf8)
        let (value, range) = try JSONParser.parse(bytes: bytes, rawMember: "config")
        let object = try #require(value.objectValue)
        #expect(object["config"] == nil && object["id"]?.stringValue == "c" && object["pid"] == .number("3"))
        let raw = String(decoding: bytes[try #require(range)], as: UTF8.self)
        #expect(raw == #"{ "a" : [1, -2.5e3, "x\"}]\u00e9", true, null, {}] }"#)
        // Only a top-level member is raw; a nested one of the same name is parsed as usual.
        let nested = try JSONParser.parse(bytes: Array(#"{"x":{"config":[1]}}"#.utf8), rawMember: "config")
        #expect(nested.1 == nil && nested.0.objectValue?["x"]?.objectValue?["config"] == .array([.number("1")]))
    }

    /// The raw member must still be valid JSON: whatever `parse` refuses there is refused.
    @Test(arguments: [
        #"{"config":{"a":}}"#, #"{"config":[1,]}"#, "{\"config\":\"tab\tin string\"}", #"{"config":01}"#,
        #"{"config":"\q"}"#, #"{"config":tru}"#, #"{"config":{"a":1}"#, #"{"config":{1:2}}"#,
    ])
    func invalidRawMemberIsRefused(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes: Array(text.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes: Array(text.utf8), rawMember: "config") }
    }
}
