import OCI
import Testing
@testable import SwiftletCore

/// The decisions a rootless runtime makes (docs/rootless.md): the default state root, how the
/// user namespace's maps are written, and the cgroup policy. Pure: no root, no host state.
@Suite struct RootlessTests {
    // MARK: state root (runc's shouldHonorXDGRuntimeDir)

    @Test(arguments: [
        // euid, initial user namespace, XDG_RUNTIME_DIR, USER, expected root
        (UInt32(0), true, "/run/user/0", "root", StateRoot.Choice.system),
        (0, true, nil, nil, .system),
        (0, true, "/run/user/1000", "alice", .system),  // sudo: still the system root
        (0, false, "/run/user/1000", "alice", .xdg(directory: "/run/user/1000", owner: 0)),  // rootless podman
        (0, false, "/run/user/1000", "root", .system),
        (0, false, nil, "alice", .system),
        (1000, true, "/run/user/1000", "alice", .xdg(directory: "/run/user/1000", owner: 1000)),
        (1000, false, "/run/user/1000", nil, .xdg(directory: "/run/user/1000", owner: 1000)),
    ] as [(UInt32, Bool, String?, String?, StateRoot.Choice)])
    func defaultRoot(euid: UInt32, initial: Bool, xdg: String?, user: String?, expected: StateRoot.Choice) {
        #expect(StateRoot.choose(euid: euid, initialUserNamespace: initial, xdgRuntimeDir: xdg, user: user) == expected)
    }

    /// An unprivileged user without a usable XDG_RUNTIME_DIR gets an error naming it.
    @Test(arguments: [nil, "", "run/user/1000"] as [String?])
    func unusableXDGIsRefused(xdg: String?) {
        guard case .refused(let message) = StateRoot.choose(euid: 1000, initialUserNamespace: true, xdgRuntimeDir: xdg, user: "a")
        else {
            Issue.record("expected a refusal")
            return
        }
        #expect(message.contains("XDG_RUNTIME_DIR"))
        #expect(message.contains("--root"))
    }

    @Test(arguments: [
        (Sys.FileKind.directory, UInt32(1000), UInt32(0o700), nil as String?),
        (.directory, 1000, 0o755, nil),
        (.directory, 0, 0o700, "is owned by uid 0"),
        (.directory, 1000, 0o777, "is writable by other users"),
        (.directory, 1000, 0o720, "is writable by other users"),
        (.regular, 1000, 0o700, "is not a directory"),
    ])
    func xdgDirectoryChecks(kind: Sys.FileKind, owner: UInt32, mode: UInt32, problem: String?) {
        let found = StateRoot.problem(kind: kind, ownerUID: owner, mode: mode, expectedOwner: 1000)
        if let problem {
            #expect(found?.contains(problem) == true)
        } else {
            #expect(found == nil)
        }
    }

    @Test(arguments: [
        ("         0          0 4294967295\n", true),
        ("0 0 4294967295", true),
        ("         0       1000          1\n", false),
        ("0 1000 1\n1 231072 65536\n", false),
        ("0 0 4294967295\n1 1 1\n", false),
        ("", false),
    ])
    func initialUserNamespace(uidMap: String, initial: Bool) {
        #expect(Rootless.isInitial(uidMap: uidMap) == initial)
    }

    @Test(arguments: [
        (UInt32(1000), true, UInt64(0), true),
        (0, true, ~0, false),
        (0, false, ~0, true),
    ] as [(UInt32, Bool, UInt64, Bool)])
    func rootlessDefinition(euid: UInt32, initial: Bool, caps: UInt64, rootless: Bool) {
        #expect(Rootless(euid: euid, egid: euid, initialUserNamespace: initial, capabilities: caps).isRootless == rootless)
    }

    // MARK: id maps

    static let user = Rootless(euid: 1000, egid: 1000, initialUserNamespace: true, capabilities: 0)
    static func map(_ lines: [(UInt32, UInt32, UInt32)]) -> [LinuxIDMapping] {
        lines.map { LinuxIDMapping(containerID: $0.0, hostID: $0.1, size: $0.2) }
    }

    /// The user's own ids, size 1: written by the runtime, with setgroups denied for the gid map.
    @Test func singleOwnMappingNeedsNoHelper() {
        let plan = IDMapPlan.plan(uidMappings: Self.map([(0, 1000, 1)]), gidMappings: Self.map([(0, 1000, 1)]), runtime: Self.user)
        #expect(plan == IDMapPlan(uid: .direct, gid: .direct, denySetgroups: true))
    }

    /// Several ranges, another id, or a size above 1: the setuid helpers, setgroups untouched.
    @Test(arguments: [
        [(UInt32(0), UInt32(1000), UInt32(1)), (1, 231_072, 65536)],
        [(0, 231_072, 65536)],
        [(0, 1000, 2)],
        [(0, 1001, 1)],
    ])
    func otherMappingsUseTheHelpers(lines: [(UInt32, UInt32, UInt32)]) {
        let plan = IDMapPlan.plan(uidMappings: Self.map(lines), gidMappings: Self.map(lines), runtime: Self.user)
        #expect(plan == IDMapPlan(uid: .helper("newuidmap"), gid: .helper("newgidmap"), denySetgroups: false))
    }

    /// A runtime with CAP_SETUID/CAP_SETGID (root, or root of rootless podman's namespace)
    /// writes every map itself and never denies setgroups.
    @Test func capableRuntimeWritesEverything() {
        let podman = Rootless(euid: 0, egid: 0, initialUserNamespace: false, capabilities: Rootless.capSetUID | Rootless.capSetGID)
        let plan = IDMapPlan.plan(uidMappings: Self.map([(0, 0, 1), (1, 1, 65536)]), gidMappings: Self.map([(0, 0, 65537)]),
                                  runtime: podman)
        #expect(plan == IDMapPlan(uid: .direct, gid: .direct, denySetgroups: false))
    }

    @Test func mixedMethods() {
        let plan = IDMapPlan.plan(uidMappings: Self.map([(0, 1000, 1)]), gidMappings: Self.map([(0, 1000, 1), (1, 231_072, 10)]),
                                  runtime: Self.user)
        #expect(plan == IDMapPlan(uid: .direct, gid: .helper("newgidmap"), denySetgroups: false))
    }

    @Test func helperArguments() {
        #expect(IDMapPlan.helperArguments(pid: 42, Self.map([(0, 1000, 1), (1, 231_072, 65536)]))
            == ["42", "0", "1000", "1", "1", "231072", "65536"])
    }

    // MARK: cgroup policy

    @Test(arguments: [
        (LinuxResources(), [String]()),
        (LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]), []),
        (LinuxResources(pids: LinuxPids(limit: 100)), ["linux.resources.pids.limit"]),
        (LinuxResources(memory: LinuxMemory(limit: 1 << 26, swap: 1 << 27), cpu: LinuxCPU(cpus: "0")),
         ["linux.resources.memory.limit", "linux.resources.memory.swap", "linux.resources.cpu.cpus"]),
        (LinuxResources(unified: ["memory.high": "1M"]), ["linux.resources.unified"]),
        (LinuxResources(hugepageLimits: []), []),
    ])
    func requestedFields(resources: LinuxResources, fields: [String]) {
        #expect(RootlessCgroupPolicy.requestedFields(resources) == fields)
    }

    @Test(arguments: [Errno.EACCES.rawValue, Errno.EPERM.rawValue, Errno.EROFS.rawValue])
    func permissionErrorWithoutResourcesRunsWithoutCgroup(errno: Int32) {
        let error = CgroupError(errno: errno, operation: "mkdir", path: "/sys/fs/cgroup/pids/c1")
        guard case .runWithoutCgroup(let line) = RootlessCgroupPolicy.decide(after: error, requested: [], uid: 1000) else {
            Issue.record("expected to run without a cgroup")
            return
        }
        #expect(line.contains("mkdir /sys/fs/cgroup/pids/c1"))
    }

    @Test func permissionErrorWithResourcesNamesTheField() {
        let error = CgroupError(errno: Errno.EACCES.rawValue, operation: "mkdir", path: "/sys/fs/cgroup/pids/c1")
        let decision = RootlessCgroupPolicy.decide(after: error, requested: ["linux.resources.pids.limit", "linux.resources.memory.limit"],
                                                   uid: 1000)
        guard case .refuse(let line) = decision else {
            Issue.record("expected a refusal")
            return
        }
        #expect(line.hasPrefix("linux.resources.pids.limit: "))
        #expect(line.contains("Permission denied"))
    }

    /// Anything but a lack of permission is not the policy's business: it stays an error.
    @Test(arguments: [CgroupError(errno: Errno.ENOENT.rawValue, operation: "mkdir", path: "/x"),
                      CgroupError.invalid("linux.resources.cpu.period", "bad")])
    func otherErrorsAreNotDecided(error: CgroupError) {
        #expect(RootlessCgroupPolicy.decide(after: error, requested: [], uid: 1000) == nil)
    }
}

/// `ps` and `kill --all` of a container without a cgroup and without a pid namespace: the init
/// and everything below it, from (pid, parent) pairs.
@Suite struct ContainerProcessesTests {
    static let table: [(pid: Int32, parent: Int32)] = [(1, 0), (50, 1), (100, 50), (101, 100), (102, 100), (103, 101), (200, 50), (201, 200)]

    @Test(arguments: [
        (Int32(100), [Int32(100), 101, 102, 103]),
        (101, [101, 103]),
        (102, [102]),
        (200, [200, 201]),
        (999, []),  // gone: nothing
    ] as [(Int32, [Int32])])
    func descendants(root: Int32, expected: [Int32]) {
        #expect(ContainerProcesses.descendants(of: root, parents: Self.table) == expected)
    }
}

/// uid=/gid= mount options against the user namespace's mappings (docs/rootless.md "Mounts
/// and devices"): devpts drops an unmapped group, anything else refuses it by field.
@Suite struct UnmappedIDOptionsTests {
    static let own = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
    static let ranges = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1), LinuxIDMapping(containerID: 1, hostID: 231_072, size: 65536)]
    static let devpts = Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                              options: ["nosuid", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"])

    @Test func devptsDropsAnUnmappedGroup() throws {
        let result = try UnmappedIDOptions.adjust([Self.devpts], uidMappings: Self.own, gidMappings: Self.own)
        #expect(result.mounts[0].options == ["nosuid", "newinstance", "ptmxmode=0666", "mode=0620"])
        #expect(result.notes.count == 1)
        #expect(result.notes[0].hasPrefix("mounts[0] (/dev/pts): gid=5 left out"))
    }

    @Test func mappedGroupsStay() throws {
        let result = try UnmappedIDOptions.adjust([Self.devpts], uidMappings: Self.ranges, gidMappings: Self.ranges)
        #expect(result.mounts == [Self.devpts])
        #expect(result.notes.isEmpty)
    }

    @Test(arguments: ["uid=70000", "gid=65537"])
    func otherFilesystemsRefuseUnmappedIDs(option: String) {
        let tmpfs = Mount(destination: "/data", type: "tmpfs", source: "tmpfs", options: ["mode=755", option])
        #expect(throws: RuntimeError.self) {
            try UnmappedIDOptions.adjust([Self.devpts, tmpfs], uidMappings: Self.ranges, gidMappings: Self.ranges)
        }
        do {
            _ = try UnmappedIDOptions.adjust([tmpfs], uidMappings: Self.ranges, gidMappings: Self.ranges)
        } catch let error as RuntimeError {
            #expect(error.description.hasPrefix("mounts[0].options[1]: \(option): "))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [(UInt32(0), true), (1, true), (65536, true), (65537, false), (UInt32.max, false)])
    func mappedRange(id: UInt32, mapped: Bool) {
        #expect(UnmappedIDOptions.isMapped(id, Self.ranges) == mapped)
    }

    @Test(arguments: ["mode=0620", "gid=", "gid=x", "uid=-1", "size=5"])
    func notIDOptions(option: String) {
        #expect(UnmappedIDOptions.idOption(option) == nil)
    }
}

/// `spec --rootless --hardened` (docs/rootless.md): the hardened config for an unprivileged
/// caller, from the host facts it depends on.
@Suite struct RootlessHardenedSpecTests {
    static let range = Runtime.SubordinateRange(start: 231_072, count: 65536)

    @Test func withSubordinateRangesAndDelegation() throws {
        let host = Runtime.RootlessHost(uid: 1000, gid: 1001, subUIDs: Self.range, subGIDs: Self.range, delegatedCgroup: true)
        let spec = Runtime.rootlessHardenedSpec(host: host)
        try spec.validate()
        #expect(spec.linux?.uidMappings == [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1),
                                            LinuxIDMapping(containerID: 1, hostID: 231_072, size: 65535)])
        #expect(spec.linux?.gidMappings?.first == LinuxIDMapping(containerID: 0, hostID: 1001, size: 1))
        #expect(spec.process?.user.uid == Runtime.hardenedUser)
        #expect(spec.linux?.resources?.pids?.limit == Runtime.hardenedPidsLimit)
        #expect(spec.linux?.resources?.memory?.limit == Runtime.hardenedMemoryLimit)
        #expect(spec.linux?.resources?.devices == nil)
        // The rest is the root variant's.
        let root = Runtime.hardenedSpec()
        #expect(spec.linux?.seccomp == root.linux?.seccomp)
        #expect(spec.process?.capabilities == root.process?.capabilities)
        #expect(spec.process?.noNewPrivileges == true)
        #expect(spec.linux?.namespaces == root.linux?.namespaces)
        #expect(spec.mounts == root.mounts)
        #expect(spec.root?.readonly == true)
    }

    /// Without ranges, only the caller's own ids: the process is the container's root (the
    /// caller on the host); without delegation, no resources (they would be refused).
    @Test func withoutRangesOrDelegation() throws {
        let host = Runtime.RootlessHost(uid: 1000, gid: 1000, subUIDs: nil, subGIDs: Self.range, delegatedCgroup: false)
        let spec = Runtime.rootlessHardenedSpec(host: host)
        try spec.validate()
        #expect(spec.linux?.uidMappings == [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)])
        #expect(spec.process?.user.uid == 0 && spec.process?.user.gid == 0)
        #expect(spec.linux?.resources == nil)
        #expect(RootlessCgroupPolicy.requestedFields(spec.linux?.resources) == [])
    }

    @Test(arguments: [
        ("alice:100000:65536\nbob:200000:10\n1000:300000:5\n", "bob", UInt32(1000),
         [Runtime.SubordinateRange(start: 200_000, count: 10), .init(start: 300_000, count: 5)]),
        ("alice:100000:65536\n", "bob", 1001, []),
        ("bob:x:1\nbob:1:\n#bob:5:5\n", "bob", 1001, []),
        ("alice:100000:65536\n", nil, 1000, []),
    ] as [(String, String?, UInt32, [Runtime.SubordinateRange])])
    func subordinateRanges(text: String, name: String?, id: UInt32, expected: [Runtime.SubordinateRange]) {
        #expect(Runtime.subordinateRanges(text, name: name, id: id) == expected)
    }
}
