import FoundationEssentials
import Testing
@testable import OCI

/// The rules the bad-input corpus (issue 8, docs/reliability.md) added, at the unit level.
@Suite("Validation rules found by the bad-input corpus")
struct ValidationReliabilityTests {
    static let cases: [ValidationCase] = [
        ValidationCase("overlapping uid mappings", "linux.uidMappings[1]", "overlaps linux.uidMappings[0]") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .user))
            $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 1000),
                                     LinuxIDMapping(containerID: 500, hostID: 300_000, size: 1000)]
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 1000)]
        },
        ValidationCase("overlapping host ranges", "linux.gidMappings[1]", "overlaps") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .user))
            $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 1000)]
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 1000),
                                     LinuxIDMapping(containerID: 5000, hostID: 100_999, size: 10)]
        },
        ValidationCase("NUL in a mount option", "mounts[0].options[0]", "NUL") {
            $0.mounts = [Mount(destination: "/mnt", type: "tmpfs", source: "tmpfs", options: ["size=1\u{0}k"])]
        },
        ValidationCase("NUL in a mount source", "mounts[0].source", "NUL") {
            $0.mounts = [Mount(destination: "/mnt", type: "tmpfs", source: "tm\u{0}pfs")]
        },
        ValidationCase("hook env without =", "hooks.prestart[0].env[0]", "KEY=VALUE") {
            $0.hooks = Hooks(prestart: [Hook(path: "/bin/true", env: ["X"])])
        },
        ValidationCase("NUL in a hook argument", "hooks.poststop[0].args[1]", "NUL") {
            $0.hooks = Hooks(poststop: [Hook(path: "/bin/true", args: ["true", "a\u{0}"])])
        },
        ValidationCase("uid 4294967295", "process.user.uid", "not a valid uid") { $0.process?.user.uid = UInt32.max },
        ValidationCase("additional gid 4294967295", "process.user.additionalGids[1]", "not a valid gid") {
            $0.process?.user.additionalGids = [5, UInt32.max]
        },
        ValidationCase("empty annotation key", "annotations", "must not be empty") { $0.annotations = ["": "x"] },
        ValidationCase("device major past 32 bits", "linux.devices[0].major", "between 0 and 4294967295") {
            $0.linux?.devices = [LinuxDevice(path: "/dev/x", type: "c", major: 1 << 33, minor: 1)]
        },
    ]

    @Test("each rule reports its JSON path", arguments: cases)
    func rule(_ testCase: ValidationCase) throws {
        var spec = Fixtures.minimal()
        testCase.mutate(&spec)
        let errors = spec.validationErrors()
        #expect(errors.count == 1, "\(errors)")
        let thrown = try #require(Fixtures.specError { try spec.validate() })
        #expect(thrown.path == testCase.path, "\(thrown)")
        #expect(thrown.message.contains(testCase.keyword), "\(thrown)")
    }

    @Test("adjacent ranges do not overlap")
    func adjacentRanges() {
        let a = LinuxIDMapping(containerID: 0, hostID: 100_000, size: 1000)
        let b = LinuxIDMapping(containerID: 1000, hostID: 101_000, size: 1000)
        #expect(!Spec.overlaps(a, b) && !Spec.overlaps(b, a))
        #expect(Spec.overlaps(a, LinuxIDMapping(containerID: 999, hostID: 0, size: 1)))
    }
}
