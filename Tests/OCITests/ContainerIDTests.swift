import FoundationEssentials
import Testing
@testable import OCI

@Suite("Container ids")
struct ContainerIDTests {
    @Test("valid ids", arguments: ["a", "ctr-1", "my_container.v2", "A+B", "0", "..a", "a..", String(repeating: "x", count: 255)])
    func valid(_ id: String) throws {
        try ContainerID.validate(id)
    }

    @Test("invalid ids", arguments: [
        ("", "must not be empty"),
        (".", "invalid container id"),
        ("..", "invalid container id"),
        ("a/b", #"character "/" is not allowed"#),
        ("a b", "not allowed"),
        ("a:b", "not allowed"),
        ("ä", "not allowed"),
        ("a\u{0}", "not allowed"),
        ("a,b", "not allowed"),
        (String(repeating: "x", count: 256), "at most 255 bytes"),
    ])
    func invalid(_ id: String, _ keyword: String) throws {
        let error = try #require(Fixtures.specError { try ContainerID.validate(id) })
        #expect(error.path == "id")
        #expect(error.message.contains(keyword), "\(error)")
    }
}
