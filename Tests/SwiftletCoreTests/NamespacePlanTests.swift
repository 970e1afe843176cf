import OCI
import Testing
@testable import SwiftletCore

/// linux.namespaces -> clone flags, setns order, the one-clone/two-clone decision and the text
/// written to uid_map/gid_map and timens_offsets. runtime-spec config-linux.md "Namespaces",
/// "User namespace mappings", "Offset for Time Namespace".
@Suite struct NamespacePlanTests {
    /// Every type's CLONE_NEW* value (linux/sched.h).
    @Test(arguments: [
        (LinuxNamespaceType.pid, UInt64(0x2000_0000)), (.network, 0x4000_0000), (.mount, 0x0002_0000),
        (.ipc, 0x0800_0000), (.uts, 0x0400_0000), (.user, 0x1000_0000), (.cgroup, 0x0200_0000),
        (.time, 0x0000_0080),
    ])
    func cloneFlag(type: LinuxNamespaceType, flag: UInt64) {
        #expect(NamespacePlan.flag(of: type) == flag)
    }

    @Test func flagsAreDistinctBits() {
        let flags = LinuxNamespaceType.allCases.map(NamespacePlan.flag(of:))
        #expect(Set(flags).count == flags.count)
        for flag in flags { #expect(flag.nonzeroBitCount == 1) }
    }

    @Test func emptyListCreatesNothing() {
        let plan = NamespacePlan([])
        #expect(plan.createFlags == 0)
        #expect(plan.joins.isEmpty)
        #expect(!plan.newUser && !plan.newPid && !plan.newTime && !plan.newMount && !plan.newUTS && !plan.newNet)
        #expect(plan.singleClone)
        for type in LinuxNamespaceType.allCases { #expect(!plan.isPrivate(type)) }
    }

    /// runc's default set: all created by the one clone3.
    @Test func defaultSetIsCreated() {
        let types: [LinuxNamespaceType] = [.pid, .network, .ipc, .uts, .mount]
        let plan = NamespacePlan(types.map { LinuxNamespace(type: $0) })
        #expect(plan.createFlags == Linux.CLONE_NEWPID | Linux.CLONE_NEWNET | Linux.CLONE_NEWIPC
            | Linux.CLONE_NEWUTS | Linux.CLONE_NEWNS)
        #expect(plan.joins.isEmpty)
        #expect(plan.newPid && plan.newNet && plan.newMount && plan.newUTS)
        #expect(!plan.newUser && !plan.newTime)
        #expect(plan.singleClone)
        for type in types { #expect(plan.isPrivate(type)) }
        #expect(!plan.isPrivate(.user) && !plan.isPrivate(.cgroup) && !plan.isPrivate(.time))
    }

    /// The time namespace is unshared by the child (so offsets can be written before a process
    /// enters it), never put in the clone3 flags.
    @Test func timeNamespaceIsNotACloneFlag() {
        let plan = NamespacePlan([LinuxNamespace(type: .time), LinuxNamespace(type: .mount)])
        #expect(plan.newTime)
        #expect(plan.createFlags == Linux.CLONE_NEWNS)
        #expect(plan.createFlags & Linux.CLONE_NEWTIME == 0)
        #expect(plan.isPrivate(.time))
        #expect(plan.singleClone)
    }

    /// An empty `path` means "create", like an absent one.
    @Test func emptyPathMeansNew() {
        let plan = NamespacePlan([LinuxNamespace(type: .network, path: ""), LinuxNamespace(type: .time, path: "")])
        #expect(plan.joins.isEmpty)
        #expect(plan.createFlags == Linux.CLONE_NEWNET)
        #expect(plan.newNet && plan.newTime)
    }

    @Test func joinedNamespacesAreNotCreated() {
        let plan = NamespacePlan([
            LinuxNamespace(type: .network, path: "/proc/1/ns/net"),
            LinuxNamespace(type: .mount),
            LinuxNamespace(type: .time, path: "/proc/1/ns/time"),
        ])
        #expect(plan.createFlags == Linux.CLONE_NEWNS)
        #expect(!plan.newNet && !plan.newTime)
        #expect(plan.isPrivate(.network) && plan.isPrivate(.time) && plan.isPrivate(.mount))
        #expect(plan.joins.map(\.path) == ["/proc/1/ns/net", "/proc/1/ns/time"])
        #expect(plan.joins.map(\.flag) == [Linux.CLONE_NEWNET, Linux.CLONE_NEWTIME])
    }

    /// setns order: user first (it grants the capabilities for the rest), mount last, whatever
    /// order the config lists them in.
    @Test(arguments: [
        [LinuxNamespaceType.mount, .time, .cgroup, .pid, .network, .uts, .ipc, .user],
        [.user, .ipc, .uts, .network, .pid, .cgroup, .time, .mount],
        [.pid, .mount, .user, .network, .time, .ipc, .cgroup, .uts],
    ])
    func joinOrder(listed: [LinuxNamespaceType]) {
        let plan = NamespacePlan(listed.map { LinuxNamespace(type: $0, path: "/proc/1/ns/\($0.rawValue)") })
        #expect(plan.joins.map(\.type) == [.user, .ipc, .uts, .network, .pid, .cgroup, .time, .mount])
        #expect(plan.joins.allSatisfy { $0.path == "/proc/1/ns/\($0.type.rawValue)" })
        #expect(plan.joins.allSatisfy { $0.flag == NamespacePlan.flag(of: $0.type) })
        #expect(plan.createFlags == 0)
    }

    @Test func joinOrderCoversEveryType() {
        #expect(Set(NamespacePlan.joinOrder) == Set(LinuxNamespaceType.allCases))
        #expect(NamespacePlan.joinOrder.count == LinuxNamespaceType.allCases.count)
        #expect(NamespacePlan.joinOrder.first == .user)
        #expect(NamespacePlan.joinOrder.last == .mount)
    }

    struct CloneCase: Sendable, CustomTestStringConvertible {
        let name: String
        let namespaces: [LinuxNamespace]
        let singleClone: Bool
        var testDescription: String { name }
    }

    /// One clone3 suffices unless a joined namespace needs the host's capabilities after a new
    /// user namespace exists, or the pid namespace (or a user namespace) is joined.
    @Test(arguments: [
        CloneCase(name: "nothing", namespaces: [], singleClone: true),
        CloneCase(name: "all new", namespaces: LinuxNamespaceType.allCases.map { LinuxNamespace(type: $0) }, singleClone: true),
        CloneCase(name: "join net, no userns", namespaces: [.init(type: .network, path: "/n"), .init(type: .pid)], singleClone: true),
        CloneCase(name: "join net + new userns", namespaces: [.init(type: .network, path: "/n"), .init(type: .user)], singleClone: false),
        CloneCase(name: "join ipc + new userns", namespaces: [.init(type: .user), .init(type: .ipc, path: "/i")], singleClone: false),
        CloneCase(name: "join pid", namespaces: [.init(type: .pid, path: "/p")], singleClone: false),
        CloneCase(name: "join pid + new mount", namespaces: [.init(type: .pid, path: "/p"), .init(type: .mount)], singleClone: false),
        CloneCase(name: "join userns", namespaces: [.init(type: .user, path: "/u")], singleClone: false),
        CloneCase(name: "join userns + net", namespaces: [.init(type: .user, path: "/u"), .init(type: .network, path: "/n")], singleClone: false),
        CloneCase(name: "new userns only", namespaces: [.init(type: .user), .init(type: .mount)], singleClone: true),
        CloneCase(name: "join time, no userns", namespaces: [.init(type: .time, path: "/t")], singleClone: true),
    ])
    func singleCloneDecision(_ c: CloneCase) {
        #expect(NamespacePlan(c.namespaces).singleClone == c.singleClone)
    }

    struct MapCase: Sendable {
        let mappings: [LinuxIDMapping]
        let text: String
    }

    @Test(arguments: [
        MapCase(mappings: [], text: ""),
        MapCase(mappings: [.init(containerID: 0, hostID: 1000, size: 1)], text: "0 1000 1\n"),
        MapCase(mappings: [.init(containerID: 0, hostID: 100_000, size: 65536), .init(containerID: 65536, hostID: 0, size: 1)],
                text: "0 100000 65536\n65536 0 1\n"),
        MapCase(mappings: [.init(containerID: 4_294_967_294, hostID: 4_294_967_294, size: 1)], text: "4294967294 4294967294 1\n"),
    ])
    func mapText(_ c: MapCase) {
        #expect(NamespacePlan.mapText(c.mappings) == c.text)
    }

    @Test func timeOffsetsAreSortedWithDefaults() {
        let text = NamespacePlan.timeOffsetsText([
            "monotonic": LinuxTimeOffset(secs: 86400, nanosecs: 5),
            "boottime": LinuxTimeOffset(secs: -3600),
        ])
        #expect(text == "boottime -3600 0\nmonotonic 86400 5\n")
    }

    @Test(arguments: [
        ([String: LinuxTimeOffset](), ""),
        (["monotonic": LinuxTimeOffset()], "monotonic 0 0\n"),
        (["boottime": LinuxTimeOffset(nanosecs: 999_999_999)], "boottime 0 999999999\n"),
        (["monotonic": LinuxTimeOffset(secs: Int64.min)], "monotonic \(Int64.min) 0\n"),
    ])
    func timeOffsetsText(offsets: [String: LinuxTimeOffset], text: String) {
        #expect(NamespacePlan.timeOffsetsText(offsets) == text)
    }
}
