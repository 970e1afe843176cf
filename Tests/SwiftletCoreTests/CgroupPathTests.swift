import Foundation
import Testing
@testable import SwiftletCore

/// /proc/self/mountinfo and /proc/self/cgroup parsing, hierarchy discovery and cgroupsPath
/// resolution: pure functions over text, no root needed.
@Suite struct CgroupPathTests {
    /// This test host's layout: hybrid, cpu and cpuacct mounted separately, name=systemd,
    /// cgroup2 at /sys/fs/cgroup/unified, and the memory cgroup nested (a sandbox).
    static let hybridMountInfo = """
        23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
        """
    static let hybridProcCgroup = """
        9:name=systemd:/user.slice/session-1.scope
        8:pids:/
        4:memory:/process_api/ae06
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/user.slice/session-1.scope
        """

    @Test func parsesMountInfo() {
        let entries = CgroupProcFiles.parseMountInfo(Self.hybridMountInfo)
        #expect(entries.count == 9)
        let cpu = entries[2]
        #expect(cpu.mountID == 32 && cpu.parentID == 31 && cpu.majorMinor == "0:29")
        #expect(cpu.root == "/" && cpu.mountPoint == "/sys/fs/cgroup/cpu")
        #expect(cpu.fsType == "cgroup" && cpu.source == "cgroup" && cpu.superOptions == ["rw", "cpu"])
        #expect(entries[0].mountOptions == ["rw", "nosuid", "nodev", "noexec", "relatime"])
    }

    @Test func mountInfoUnescapesOctalAndSkipsJunk() {
        let text = """
            50 31 0:40 /a\\040b /mnt/with\\040space\\011tab rw - cgroup2 none rw
            garbage line
            51 31 0:41 / /x rw shared:1 master:2 - cgroup cgroup rw,name=foo
            """
        let entries = CgroupProcFiles.parseMountInfo(text)
        #expect(entries.count == 2)
        #expect(entries[0].root == "/a b")
        #expect(entries[0].mountPoint == "/mnt/with space\ttab")
        #expect(entries[1].superOptions == ["rw", "name=foo"])
    }

    @Test func parsesProcCgroup() {
        let entries = CgroupProcFiles.parseProcCgroup(Self.hybridProcCgroup + "\nbad\n5:devices:/with:colon")
        #expect(entries.count == 8)
        #expect(entries[0] == ProcCgroupEntry(hierarchyID: 9, controllers: ["name=systemd"], path: "/user.slice/session-1.scope"))
        #expect(entries[6].isUnified && entries[6].path == "/user.slice/session-1.scope")
        #expect(entries[7].path == "/with:colon")
        #expect(CgroupProcFiles.parseProcCgroup("0::/\n").first?.isUnified == true)
    }

    @Test func discoversHybridHierarchies() {
        let hierarchies = CgroupHierarchy.discover(mountInfo: CgroupProcFiles.parseMountInfo(Self.hybridMountInfo),
                                                   procCgroup: CgroupProcFiles.parseProcCgroup(Self.hybridProcCgroup))
        #expect(hierarchies.count == 7)
        #expect(hierarchies.first { $0.controllers == ["memory"] }?.ownPath == "/process_api/ae06")
        #expect(hierarchies.first { $0.controllers == ["name=systemd"] }?.mountPoint == "/sys/fs/cgroup/systemd")
        let unified = hierarchies.first { $0.isUnified }
        #expect(unified?.mountPoint == "/sys/fs/cgroup/unified" && unified?.ownPath == "/user.slice/session-1.scope")
    }

    @Test func discoveryUsesTheMountRoot() {
        // Inside a container with the host's cgroup namespace: the mount shows only our subtree.
        let mounts = CgroupProcFiles.parseMountInfo("""
            60 59 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw
            61 59 0:30 /elsewhere /mnt/other rw - cgroup2 cgroup2 rw
            """)
        let procs = CgroupProcFiles.parseProcCgroup("0::/docker/abc/sub")
        let found = CgroupHierarchy.discover(mountInfo: mounts, procCgroup: procs)
        #expect(found == [CgroupHierarchy(controllers: [], mountPoint: "/sys/fs/cgroup", ownPath: "/sub")])
        // Not mounted at all: left out.
        #expect(CgroupHierarchy.discover(mountInfo: [], procCgroup: procs).isEmpty)
    }

    @Test(arguments: [
        // (cgroupsPath, ownPath, parentOfOwn, expected)
        ("/swiftlet/c1", "/user.slice", false, "/swiftlet/c1"),
        ("/swiftlet//./c1/", "/user.slice", false, "/swiftlet/c1"),
        ("c1", "/process_api/ae06", false, "/process_api/ae06/c1"),
        ("c1", "/", false, "/c1"),
        ("c1", "/user.slice/session-1.scope", true, "/user.slice/c1"),
        ("a/b", "/", true, "/a/b"),
        ("c1", "/", true, "/c1"),
    ])
    func resolvesPaths(path: String, own: String, parentOfOwn: Bool, expected: String) throws {
        #expect(try CgroupPath.resolve(path, ownPath: own, parentOfOwn: parentOfOwn) == expected)
    }

    @Test(arguments: ["/a/../b", "..", "a/..", "/", "", ".", "./", "/a/b\n"])
    func rejectsEscapesAndRoots(path: String) {
        #expect(throws: CgroupError.self) { try CgroupPath.resolve(path, ownPath: "/own", parentOfOwn: false) }
    }

    @Test func errorNamesTheField() {
        do {
            _ = try CgroupPath.resolve("/x/../y", ownPath: "/", parentOfOwn: false)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "linux.cgroupsPath")
            #expect(error.description.hasPrefix("linux.cgroupsPath: "))
        }
    }

    @Test func defaultIsTheContainerIDRelative() throws {
        #expect(try CgroupPath.effective(nil, containerID: "c1") == "c1")
        #expect(try CgroupPath.effective("", containerID: "c1") == "c1")
        #expect(try CgroupPath.effective("/x", containerID: "c1") == "/x")
        #expect(throws: CgroupError.self) { try CgroupPath.effective(nil, containerID: "a/b") }
        #expect(throws: CgroupError.self) { try CgroupPath.effective(nil, containerID: "..") }
    }

    @Test func describesHybrid() throws {
        let hierarchies = CgroupHierarchy.discover(mountInfo: CgroupProcFiles.parseMountInfo(Self.hybridMountInfo),
                                                   procCgroup: CgroupProcFiles.parseProcCgroup(Self.hybridProcCgroup))
        let relative = try CgroupPath.describe(cgroupsPath: nil, containerID: "c1", mode: .hybrid, hierarchies: hierarchies)
        #expect(relative.mode == .hybrid)
        #expect(relative.legacy.count == 6)
        #expect(relative.legacyLocation(of: "memory")?.directory == "/sys/fs/cgroup/memory/process_api/ae06/c1")
        #expect(relative.legacyLocation(of: "cpu")?.directory == "/sys/fs/cgroup/cpu/c1")
        // Hybrid's unified side follows the v1 rule (runc): relative to the own cgroup itself.
        #expect(relative.unified?.directory == "/sys/fs/cgroup/unified/user.slice/session-1.scope/c1")

        let absolute = try CgroupPath.describe(cgroupsPath: "/swiftlet/c1", containerID: "c1", mode: .hybrid, hierarchies: hierarchies)
        #expect(absolute.legacyLocation(of: "memory")?.directory == "/sys/fs/cgroup/memory/swiftlet/c1")
        #expect(absolute.legacyLocation(of: "name=systemd")?.directory == "/sys/fs/cgroup/systemd/swiftlet/c1")
        #expect(absolute.unified?.directory == "/sys/fs/cgroup/unified/swiftlet/c1")

        let legacy = try CgroupPath.describe(cgroupsPath: "/swiftlet/c1", containerID: "c1", mode: .legacy, hierarchies: hierarchies)
        #expect(legacy.unified == nil && legacy.legacy.count == 6)
    }

    @Test func describesUnified() throws {
        let hierarchies = [CgroupHierarchy(controllers: [], mountPoint: "/sys/fs/cgroup", ownPath: "/user.slice/session-1.scope")]
        let relative = try CgroupPath.describe(cgroupsPath: "machine/c1", containerID: "c1", mode: .unified, hierarchies: hierarchies)
        #expect(relative.unified?.directory == "/sys/fs/cgroup/user.slice/machine/c1")
        #expect(relative.legacy.isEmpty)
        #expect(throws: CgroupError.self) {
            try CgroupPath.describe(cgroupsPath: "/c1", containerID: "c1", mode: .unified, hierarchies: [])
        }
    }

    @Test func descriptionRoundTripsThroughJSON() throws {
        let description = CgroupDescription(
            mode: .hybrid, unified: CgroupLocation(controllers: [], mountPoint: "/sys/fs/cgroup/unified", path: "/c1"),
            legacy: [CgroupLocation(controllers: ["cpu", "cpuacct"], mountPoint: "/sys/fs/cgroup/cpu,cpuacct", path: "/c1")])
        let data = try JSONEncoder().encode(description)
        #expect(try JSONDecoder().decode(CgroupDescription.self, from: data) == description)
        #expect(Cgroups.manager(from: description) is CgroupV1Manager)
        #expect(Cgroups.manager(from: CgroupDescription(mode: .unified, unified: nil, legacy: [])) is CgroupV2Manager)
    }

    /// What CgroupMountRoot looks up from its descriptor: only paths strictly below
    /// /sys/fs/cgroup; everything else keeps its full path.
    @Test(arguments: [
        ("/sys/fs/cgroup/memory", "memory"),
        ("/sys/fs/cgroup/cpu,cpuacct/swiftlet/c1", "cpu,cpuacct/swiftlet/c1"),
        ("/sys/fs/cgroup/unified/a/cgroup.controllers", "unified/a/cgroup.controllers"),
        ("/sys/fs/cgroup", nil),
        ("/sys/fs/cgroup/", nil),
        ("/sys/fs/cgroupx/memory", nil),
        ("/run/cgroups/memory/c1", nil),
        ("sys/fs/cgroup/memory", nil),
    ] as [(String, String?)])
    func mountRootRelativePaths(path: String, relative: String?) {
        #expect(CgroupMountRoot.relative(path) == relative)
    }
}
