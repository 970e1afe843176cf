import OCI
import Testing
@testable import SwiftletCore

/// A container without a mount namespace (Rootfs/HostMountNamespace.swift): what create
/// refuses, the record in state.json, and which mount at root.path delete may detach.
@Suite struct HostMountNamespaceTests {
    static let record = HostMountNamespace.Record(path: "/b/rootfs", mountID: 1000, unique: true)

    static func identity(_ id: UInt64, unique: Bool = true, root: Bool = true) -> Sys.MountIdentity {
        Sys.MountIdentity(id: id, unique: unique, isMountRoot: root)
    }

    /// Parents: 1300 sits on 1200, 1200 on the bind (1000), which sits on 7; 1500 on 7.
    static func parent(_ id: UInt64) -> UInt64? { [1300: 1200, 1200: 1000, 1000: 7, 1500: 7, 7: 7][id] }

    @Test(arguments: [
        (identity(1000), HostMountNamespace.Disposition.ours),
        (identity(1200), .stackedOnOurs), (identity(1300), .stackedOnOurs),
        // newer, but on the host's mount, not on ours: ours is gone, never touch it
        (identity(1500), .notOurs),
        // older than ours, not a mount root, a statmount failure, ids that may be reused
        (identity(999), .notOurs), (identity(1000, root: false), .notOurs), (identity(4242), .notOurs),
        (identity(1000, unique: false), .notOurs), (identity(1200, unique: false), .notOurs),
    ] as [(Sys.MountIdentity, HostMountNamespace.Disposition)])
    func disposition(top: Sys.MountIdentity, expected: HostMountNamespace.Disposition) {
        #expect(HostMountNamespace.disposition(of: top, record: Self.record, parent: Self.parent) == expected)
    }

    /// Without unique ids (before Linux 6.8) only the exact id counts.
    @Test func reusableIDsOnlyMatchExactly() {
        let old = HostMountNamespace.Record(path: "/b/rootfs", mountID: 40, unique: false)
        #expect(HostMountNamespace.disposition(of: Self.identity(40, unique: false), record: old, parent: Self.parent) == .ours)
        #expect(HostMountNamespace.disposition(of: Self.identity(41, unique: false), record: old, parent: { _ in 40 }) == .notOurs)
    }

    static func spec(namespaces: [LinuxNamespaceType], propagation: String? = nil) -> Spec {
        Spec(process: Process(args: ["sh"], cwd: "/"), root: Root(path: "rootfs"),
             linux: Linux(namespaces: namespaces.map { LinuxNamespace(type: $0) }, rootfsPropagation: propagation))
    }

    @Test(arguments: [
        ([.pid, .network], nil, nil),
        ([.pid, .mount], "rshared", nil),
        ([.pid], "rshared", "linux.rootfsPropagation: \"rshared\" needs a mount namespace"),
        ([.pid, .user], nil, "linux.namespaces: a user namespace without a mount namespace cannot mount anything"),
    ] as [([LinuxNamespaceType], String?, String?)])
    func check(types: [LinuxNamespaceType], propagation: String?, refusal: String?) {
        let spec = Self.spec(namespaces: types, propagation: propagation)
        let plan = NamespacePlan(spec.linux?.namespaces ?? [])
        if let refusal {
            #expect { try HostMountNamespace.check(spec, namespaces: plan) } throws: { "\($0)".hasPrefix(refusal) }
        } else {
            #expect(throws: Never.self) { try HostMountNamespace.check(spec, namespaces: plan) }
        }
    }

    @Test func recordRoundTripsThroughState() throws {
        var record = StateRecordTests.record(pid: 7, startTime: 9)
        record.hostMount = HostMountNamespace.Record(path: "/b/c1/rootfs", mountID: UInt64(1) << 40, unique: true)
        let back = try StateRecordTests.encodeDecode(record)
        #expect(back.hostMount == record.hostMount)
        #expect(try StateRecordTests.encodeDecode(StateRecordTests.record()).hostMount == nil)
    }
}
