import OCI
import Testing

/// JSON as Go's encoding/json writes it (JSONWriter+Go.swift): what `state`, `list` and
/// `events` print, byte for byte as runc prints the same values.
@Suite struct GoJSONTests {
    static let value = JSONValue.object([
        ("ociVersion", .string("1.0.2")), ("pid", .integer(42)), ("empty", .object(JSONObject())),
        ("list", .array([.integer(1), .integer(2)])), ("none", .array([])), ("null", .null),
        ("nested", .object([("a", .string("<b>&"))])),
    ])

    /// json.MarshalIndent(v, "", "  "): members in order, `"key": value`, `{}` and `[]`.
    @Test func indented() {
        #expect(Self.value.goText(indent: "  ") == """
            {
              "ociVersion": "1.0.2",
              "pid": 42,
              "empty": {},
              "list": [
                1,
                2
              ],
              "none": [],
              "null": null,
              "nested": {
                "a": "\\u003cb\\u003e\\u0026"
              }
            }
            """)
    }

    /// json.Marshal: compact, the same order and escaping.
    @Test func compact() {
        #expect(Self.value.goText() ==
            #"{"ociVersion":"1.0.2","pid":42,"empty":{},"list":[1,2],"none":[],"null":null,"nested":{"a":"\u003cb\u003e\u0026"}}"#)
    }

    @Test(arguments: [("a\nb", #""a\nb""#), ("tab\t", #""tab\t""#), ("\u{1}", #""\u0001""#), ("q\"\\", #""q\"\\""#)])
    func strings(text: String, json: String) {
        #expect(JSONValue.string(text).goText() == json)
    }
}
