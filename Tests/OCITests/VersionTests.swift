import FoundationEssentials
import Testing
@testable import OCI

@Suite("Versions and lists")
struct VersionTests {
    @Test("supported ociVersions", arguments: [
        ("1.0.0", true), ("1.0.2-dev", true), ("1.2.0", true), ("1.2.1", true), ("1.3.0", true), ("1.3.0+dev", true),
        ("1.1.0-rc.2", true), ("1.0.0-rc5", true), ("1.4.0", false), ("2.0.0", false), ("0.6.0", false),
        ("1.0", false), ("1.0.0.0", false), ("01.0.0", false), ("1.0.0-", false), ("1.0.0-01", false), ("v1.0.0", false), ("", false),
    ])
    func supported(_ version: String, _ ok: Bool) {
        #expect(OCIVersion.isSupported(version) == ok)
    }

    @Test("semantic version parts")
    func semanticVersion() throws {
        let version = try #require(SemanticVersion("1.2.3-rc.1+build.5"))
        #expect(version.major == 1 && version.minor == 2 && version.patch == 3)
        #expect(version.prerelease == "rc.1")
        #expect(version.build == "build.5")
    }

    @Test("CPU lists", arguments: [
        ("0", [0...0]), ("0-3", [0...3]), ("0-3,7", [0...3, 7...7]), ("2,4-5,9", [2...2, 4...5, 9...9]),
    ] as [(String, [ClosedRange<UInt32>])])
    func cpuList(_ text: String, _ ranges: [ClosedRange<UInt32>]) {
        #expect(CPUList.parse(text) == ranges)
    }

    @Test("bad CPU lists", arguments: ["", "a", "1-", "-1", "3-1", "1,,2", "1 ", "0-3\n", "1-2-3"])
    func badCPUList(_ text: String) {
        #expect(CPUList.parse(text) == nil)
    }

    @Test("JSON paths", arguments: [
        (JSONPath.member("", "process"), "process"),
        (JSONPath.member("process", "args"), "process.args"),
        (JSONPath.index("process.args", 2), "process.args[2]"),
        (JSONPath.member("linux.sysctl", "net.ipv4.ip_forward"), #"linux.sysctl["net.ipv4.ip_forward"]"#),
        (JSONPath.member("linux.timeOffsets", "monotonic"), "linux.timeOffsets.monotonic"),
        (JSONPath.member("annotations", "a\"b"), #"annotations["a\"b"]"#),
        (JSONPath.member("m", "0"), #"m["0"]"#),
    ])
    func paths(_ rendered: String, _ expected: String) {
        #expect(rendered == expected)
    }
}
