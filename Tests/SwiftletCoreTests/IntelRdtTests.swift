import Foundation
import OCI
import Testing
@testable import SwiftletCore

/// config-linux.md "IntelRdt" (Resctrl/IntelRdt.swift): the group the spec's rules choose,
/// what is made, written, compared and removed. The filesystem part runs on a temporary
/// directory standing in for the resctrl root (the hosts we test on have no resctrl).
@Suite struct IntelRdtTests {
    @Test(arguments: [
        // no closID: the container's own group, made and owned
        (LinuxIntelRdt(), IntelRdt.Plan(group: "c1", createIfMissing: true, owned: true, lines: [], compare: [], monitor: nil)),
        (LinuxIntelRdt(l3CacheSchema: "L3:0=ff", memBwSchema: "MB:0=50", enableMonitoring: true),
         IntelRdt.Plan(group: "c1", createIfMissing: true, owned: true, lines: ["L3:0=ff", "MB:0=50"], compare: [], monitor: "c1")),
        // closID "/": the default class, never made, never removed
        (LinuxIntelRdt(closID: "/", schemata: ["L3:0=f"]),
         IntelRdt.Plan(group: "", createIfMissing: false, owned: false, lines: ["L3:0=f"], compare: [], monitor: nil)),
        // a named class: made if a schema is given, schemata after the two fixed ones
        (LinuxIntelRdt(closID: "gold", schemata: ["L2:0=f"], l3CacheSchema: "L3:0=7f0", memBwSchema: "MB:0=20"),
         IntelRdt.Plan(group: "gold", createIfMissing: true, owned: false, lines: ["L3:0=7f0", "MB:0=20", "L2:0=f"],
                       compare: ["L3:0=7f0", "MB:0=20"], monitor: nil)),
        (LinuxIntelRdt(closID: "gold"), IntelRdt.Plan(group: "gold", createIfMissing: false, owned: false, lines: [], compare: [], monitor: nil)),
    ] as [(LinuxIntelRdt, IntelRdt.Plan)])
    func plan(rdt: LinuxIntelRdt, expected: IntelRdt.Plan) {
        #expect(IntelRdt.plan(rdt, containerID: "c1") == expected)
    }

    @Test func records() {
        let own = IntelRdt.plan(LinuxIntelRdt(enableMonitoring: true), containerID: "c1")
        #expect(IntelRdt.record(own, root: "/r") == IntelRdt.Record(tasks: "/r/c1/mon_groups/c1/tasks", createdGroup: "/r/c1",
                                                                     monitorGroup: "/r/c1/mon_groups/c1"))
        let root = IntelRdt.plan(LinuxIntelRdt(closID: "/"), containerID: "c1")
        #expect(IntelRdt.record(root, root: "/r") == IntelRdt.Record(tasks: "/r/tasks", createdGroup: nil, monitorGroup: nil))
    }

    @Test(arguments: [
        ("    L3:0=7f0;1=01f\n    MB:0=20;1=70\n", "L3:0=7f0;1=1f", true),
        ("    L3:0=7f0;1=01f\n    MB:0=20;1=70\n", "MB:0=20", true),
        ("    L3:0=7f0;1=01f\n    MB:0=20;1=70\n", "MB:1=60", false),
        ("    L3:0=7f0;1=01f\n", "L2:0=f", false),
        ("L3:0=ff\n", "garbage", false),
    ] as [(String, String, Bool)])
    func schemataComparison(file: String, line: String, contained: Bool) {
        #expect(IntelRdt.schemataContains(file, line) == contained)
    }

    @Test func recordRoundTripsThroughState() throws {
        var record = StateRecordTests.record(pid: 7, startTime: 9)
        record.intelRdt = IntelRdt.Record(tasks: "/r/c1/mon_groups/c1/tasks", createdGroup: "/r/c1", monitorGroup: "/r/c1/mon_groups/c1")
        #expect(try StateRecordTests.encodeDecode(record).intelRdt == record.intelRdt)
        record.intelRdt = IntelRdt.Record(tasks: "/r/gold/tasks", createdGroup: nil, monitorGroup: nil)
        #expect(try StateRecordTests.encodeDecode(record).intelRdt == record.intelRdt)
    }

    @Test func findsTheMountInMountinfo() {
        let text = "22 27 0:21 / /proc rw - proc proc rw\n40 23 0:33 / /sys/fs/my\\040rdt rw - resctrl resctrl rw\n"
        #expect(IntelRdt.resctrlMountPoint(inMountinfo: text) == "/sys/fs/my rdt")
        #expect(IntelRdt.resctrlMountPoint(inMountinfo: "22 27 0:21 / /proc rw - proc proc rw\n") == nil)
    }

    static func tempRoot() throws -> String {
        let path = NSTemporaryDirectory() + "swiftlet-rdt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The whole life of a container's own group: checked, made, written, joined, removed.
    @Test func ownGroupLifecycle() throws {
        let root = try Self.tempRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // (no monitoring group: a real resctrl group comes with its mon_groups directory)
        let plan = IntelRdt.plan(LinuxIntelRdt(schemata: ["L3:0=ff"]), containerID: "c1")
        #expect(try IntelRdt.check(plan, root: root))
        // what mkdir makes on resctrl, the kernel's files included
        try FileManager.default.createDirectory(atPath: root + "/c1", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/c1/schemata", contents: Data())
        FileManager.default.createFile(atPath: root + "/c1/tasks", contents: Data())
        try IntelRdt.writeSchemata(plan.lines, group: root + "/c1", root: root)
        #expect(try String(contentsOfFile: root + "/c1/schemata", encoding: .utf8) == "L3:0=ff\n")
        let record = IntelRdt.record(plan, root: root)
        #expect(record.createdGroup == root + "/c1")
        try IntelRdt.join(record, pid: 4242)
        #expect(try String(contentsOfFile: root + "/c1/tasks", encoding: .utf8) == "4242\n")
        // rmdir of a real resctrl group takes its files with it; here they must go first
        try FileManager.default.removeItem(atPath: root + "/c1/tasks")
        try FileManager.default.removeItem(atPath: root + "/c1/schemata")
        try IntelRdt.remove(record)
        #expect(!FileManager.default.fileExists(atPath: root + "/c1"))
        try IntelRdt.remove(record)  // gone already: nothing to do
    }

    /// A group of the container's id that exists is refused (delete would remove it), a
    /// named group without schemata must exist, a named one that exists is compared.
    @Test func existingGroups() throws {
        let root = try Self.tempRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/c1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/gold", withIntermediateDirectories: true)
        try "    L3:0=7f0\n    MB:0=20\n".write(toFile: root + "/gold/schemata", atomically: false, encoding: .utf8)
        #expect(throws: RuntimeError.self) { try IntelRdt.check(IntelRdt.plan(LinuxIntelRdt(), containerID: "c1"), root: root) }
        #expect(throws: RuntimeError.self) {
            try IntelRdt.check(IntelRdt.plan(LinuxIntelRdt(closID: "silver"), containerID: "c1"), root: root)
        }
        let same = IntelRdt.plan(LinuxIntelRdt(closID: "gold", l3CacheSchema: "L3:0=7f0"), containerID: "c1")
        #expect(try IntelRdt.check(same, root: root) == false)
        try IntelRdt.prepare(same, root: root, make: false)
        let other = IntelRdt.plan(LinuxIntelRdt(closID: "gold", memBwSchema: "MB:0=30"), containerID: "c1")
        #expect { try IntelRdt.prepare(other, root: root, make: false) } throws: { "\($0)".contains("other schemata") }
    }
}
