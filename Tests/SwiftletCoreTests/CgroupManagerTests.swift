import Foundation
import OCI
import Testing
@testable import SwiftletCore

/// The managers against the real cgroupfs of the machine the tests run on: they need root
/// (creating cgroups), and the hybrid tests need a hybrid host (v1 controllers plus cgroup2 at
/// /sys/fs/cgroup/unified). Every cgroup is made below /swiftlet-cgtest and removed again.
private let runningAsRoot = Sys.geteuid() == 0

@Suite(.serialized, .enabled(if: runningAsRoot, "creating cgroups needs root"))
struct CgroupManagerTests {
    static let isHybrid = Cgroups.detectMode() == .hybrid
    static let parent = "swiftlet-cgtest"

    /// A fresh, unique cgroups path.
    static func freshPath() -> String {
        "/\(parent)/t\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Removes /swiftlet-cgtest from every hierarchy once the test's own cgroup is gone.
    static func removeParent() {
        guard let hierarchies = try? Cgroups.hierarchies() else { return }
        for h in hierarchies { try? Sys.rmdir(CgroupPath.join(h.mountPoint, "/" + parent)) }
    }

    /// The test's cgroup is gone from every hierarchy. (The shared /swiftlet-cgtest parent may
    /// stay while another test run uses it; `removeParent` takes it when it is empty.)
    static func nothingLeft(_ path: String) -> Bool {
        guard let hierarchies = try? Cgroups.hierarchies() else { return false }
        return hierarchies.allSatisfy { !Sys.exists(CgroupPath.join($0.mountPoint, path)) }
    }

    /// A `sleep 1000` child, spawned with a clean signal mask (the test runner blocks signals
    /// in some threads, and a child inheriting that mask would never see SIGTERM).
    final class Sleeper {
        let pid: Int32
        private var reaped = false

        init() throws {
            pid = try Sys.spawn("/bin/sleep", args: ["sleep", "1000"], env: [])
        }

        /// Waits up to `timeoutMs` for the exit; on timeout kills it and returns nil.
        func wait(timeoutMs: Int32 = 5000) throws -> Sys.ExitStatus? {
            let pidfd = try Sys.pidfdOpen(pid)
            let exited = try Sys.pollExit(pidfd: pidfd.raw, timeoutMs: timeoutMs)
            if !exited { Sys.kill(pid, SIGKILL) }
            let status = try Sys.wait(pidfd: pidfd.raw)
            reaped = true
            return exited ? status : nil
        }

        deinit {
            if !reaped {
                Sys.kill(pid, SIGKILL)
                _ = try? Sys.wait(pid: pid)
            }
        }
    }

    static func read(_ location: CgroupLocation?, _ file: String) -> String? {
        guard let location else { return nil }
        return try? Sys.readText(location.directory + "/" + file)
    }

    // MARK: hybrid (this host)

    @Test(.enabled(if: isHybrid, "needs a hybrid cgroup host"))
    func hybridLifecycle() throws {
        let path = Self.freshPath()
        let manager = try Cgroups.manager(cgroupsPath: path, containerID: "c1")
        defer {
            try? manager.destroy()
            Self.removeParent()
        }
        let d = manager.description
        #expect(d.mode == .hybrid)
        #expect(manager is CgroupV1Manager)
        #expect(d.unified?.directory == "/sys/fs/cgroup/unified" + path)
        try manager.create()
        try manager.create()  // joining an existing cgroup is fine
        for location in d.legacy + [d.unified].compactMap({ $0 }) {
            #expect(Sys.exists(location.directory), "\(location.directory)")
        }
        // cpuset v1: cpus and mems were copied down to every new level.
        #expect(Self.read(d.legacyLocation(of: "cpuset"), "cpuset.cpus")?.isEmpty == false)
        #expect(Self.read(d.legacyLocation(of: "cpuset"), "cpuset.mems")?.isEmpty == false)

        let sleeper = try Sleeper()
        let pid = sleeper.pid
        try manager.addProcess(pid)
        #expect(try manager.processes() == [pid])
        let membership = try Sys.readText("/proc/\(pid)/cgroup")
        #expect(membership.contains("memory:\(path)"))
        #expect(membership.contains("name=systemd:\(path)"))
        #expect(membership.contains("0::\(path)"))

        let warnings = try manager.apply(LinuxResources(
            memory: LinuxMemory(limit: 64 << 20, reservation: 32 << 20, swap: 128 << 20, swappiness: 10),
            cpu: LinuxCPU(shares: 512, quota: 50000, period: 100_000, cpus: "0", mems: "0"),
            pids: LinuxPids(limit: 10)))
        #expect(warnings.isEmpty)
        #expect(Self.read(d.legacyLocation(of: "memory"), "memory.limit_in_bytes") == "67108864")
        #expect(Self.read(d.legacyLocation(of: "memory"), "memory.memsw.limit_in_bytes") == "134217728")
        #expect(Self.read(d.legacyLocation(of: "memory"), "memory.soft_limit_in_bytes") == "33554432")
        #expect(Self.read(d.legacyLocation(of: "memory"), "memory.swappiness") == "10")
        #expect(Self.read(d.legacyLocation(of: "cpu"), "cpu.shares") == "512")
        #expect(Self.read(d.legacyLocation(of: "cpu"), "cpu.cfs_quota_us") == "50000")
        #expect(Self.read(d.legacyLocation(of: "cpu"), "cpu.cfs_period_us") == "100000")
        #expect(Self.read(d.legacyLocation(of: "cpuset"), "cpuset.cpus") == "0")
        #expect(Self.read(d.legacyLocation(of: "pids"), "pids.max") == "10")

        // update: raise memory (memsw first), shorten the period, unlimited pids.
        try manager.apply(LinuxResources(memory: LinuxMemory(limit: 256 << 20, swap: 512 << 20),
                                         cpu: LinuxCPU(quota: 20000, period: 50000), pids: LinuxPids(limit: -1)))
        #expect(Self.read(d.legacyLocation(of: "memory"), "memory.limit_in_bytes") == "268435456")
        #expect(Self.read(d.legacyLocation(of: "memory"), "memory.memsw.limit_in_bytes") == "536870912")
        #expect(Self.read(d.legacyLocation(of: "cpu"), "cpu.cfs_period_us") == "50000")
        #expect(Self.read(d.legacyLocation(of: "pids"), "pids.max") == "max")

        // hugetlb lives only in the unified hierarchy on this host.
        if CgroupStatsReader.hugepageSizes().contains("2MB") {
            try manager.apply(LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 4 << 20)]))
            #expect(Self.read(d.unified, "hugetlb.2MB.max") == "4194304")
        }

        // devices v1: deny everything, then the default allow list.
        try manager.apply(LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]
                                             + CgroupConversion.defaultAllowedDevices))
        let deviceList = Self.read(d.legacyLocation(of: "devices"), "devices.list")?.split(separator: "\n").map(String.init) ?? []
        // Every rule of the list, written one per write(2) through one descriptor, is there.
        #expect(Set(deviceList) == ["c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm",
                                    "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm"])
        #expect(!deviceList.contains("a *:* rwm"))

        let stats = try manager.stats()
        #expect(stats.memory.usage.limit == 256 << 20)
        #expect(stats.pids.current == 1)
        #expect(stats.pids.limit == 0)
        #expect(stats.cpu.usage.total > 0 || stats.cpu.usage.percpu.count > 0)
        let json = String(decoding: try JSONEncoder().encode(stats), as: UTF8.self)
        #expect(json.contains("\"memory\"") && json.contains("\"pids\"") && json.contains("\"event_count\""))

        try manager.freeze()
        #expect(manager.isFrozen())
        #expect(Self.read(d.legacyLocation(of: "freezer"), "freezer.state") == "FROZEN")
        try manager.thaw()
        #expect(!manager.isFrozen())

        try manager.signalAll(SIGTERM)
        #expect(try sleeper.wait() == .signaled(SIGTERM))
        #expect(try manager.processes().isEmpty)

        try manager.destroy()
        try manager.destroy()  // already gone is fine
        for location in d.legacy + [d.unified].compactMap({ $0 }) {
            #expect(!Sys.exists(location.directory), "\(location.directory)")
        }
        Self.removeParent()
        #expect(Self.nothingLeft(path))
    }

    /// A shell that waits (so the test can move it into the cgroup), then runs `script`.
    static func shell(_ script: String) throws -> Int32 {
        try Sys.spawn("/bin/sh", args: ["sh", "-c", "sleep 0.5; " + script], env: ["PATH=/usr/bin:/bin"])
    }

    static func exitStatus(_ pid: Int32) throws -> Sys.ExitStatus? {
        let pidfd = try Sys.pidfdOpen(pid)
        let exited = try Sys.pollExit(pidfd: pidfd.raw, timeoutMs: 20_000)
        if !exited { Sys.kill(pid, SIGKILL) }
        let status = try Sys.wait(pidfd: pidfd.raw)
        return exited ? status : nil
    }

    @Test(.enabled(if: isHybrid, "needs a hybrid cgroup host"))
    func limitsAreEnforced() throws {
        let path = Self.freshPath()
        let manager = try Cgroups.manager(cgroupsPath: path, containerID: "c7")
        defer {
            try? manager.destroy()
            Self.removeParent()
        }
        try manager.create()
        try manager.apply(LinuxResources(memory: LinuxMemory(limit: 64 << 20, swap: 64 << 20), pids: LinuxPids(limit: 1)))

        // pids.max=1: the shell itself is the one task; its fork fails.
        let forker = try Self.shell("/bin/true && exit 0; exit 3")
        try manager.addProcess(forker)
        let forkStatus = try Self.exitStatus(forker)
        #expect(forkStatus != nil && forkStatus != .exited(0), "\(String(describing: forkStatus))")
        #expect(try manager.stats().pids.limit == 1)

        // 200 MB held by tail under a 64 MB limit: the OOM killer ends it and counts it.
        try manager.apply(LinuxResources(pids: LinuxPids(limit: 16)))
        let hog = try Self.shell("head -c 200000000 /dev/zero | tail -c 200000000 > /dev/null")
        try manager.addProcess(hog)
        let hogStatus = try Self.exitStatus(hog)
        #expect(hogStatus != nil && hogStatus != .exited(0), "\(String(describing: hogStatus))")
        let stats = try manager.stats()
        #expect(stats.memory.eventCount.oomKill >= 1)
        #expect(stats.memory.usage.max <= 64 << 20)
        try manager.destroy()
        Self.removeParent()
        #expect(Self.nothingLeft(path))
    }

    @Test(.enabled(if: isHybrid, "needs a hybrid cgroup host"))
    func killAllReachesEveryProcessAndNestedCgroups() throws {
        let path = Self.freshPath()
        let manager = try Cgroups.manager(cgroupsPath: path, containerID: "c2")
        defer {
            try? manager.destroy()
            Self.removeParent()
        }
        try manager.create()
        let sleepers = try (0..<3).map { _ in try Sleeper() }
        for s in sleepers { try manager.addProcess(s.pid) }
        // A cgroup the container made below its own, holding one of the processes.
        let nested = try #require(manager.description.legacyLocation(of: "pids")).directory + "/inner"
        try Sys.mkdir(nested)
        try Sys.writeText(nested + "/cgroup.procs", String(sleepers[2].pid))
        #expect(try manager.processes() == sleepers.map(\.pid).sorted())

        try manager.signalAll(SIGKILL)
        // No waiting first: destroy retries while the killed processes are still exiting.
        try manager.destroy()
        for s in sleepers { #expect(try s.wait() == .signaled(SIGKILL)) }
        #expect(!Sys.exists(nested))
        Self.removeParent()
        #expect(Self.nothingLeft(path))
    }

    @Test(.enabled(if: isHybrid, "needs a hybrid cgroup host"))
    func cloneIntoCgroupUsesTheDirectoryFD() throws {
        let path = Self.freshPath()
        let manager = try Cgroups.manager(cgroupsPath: path, containerID: "c3")
        defer {
            try? manager.destroy()
            Self.removeParent()
        }
        try manager.create()
        let fd = try #require(manager.directoryFD())
        let (pid, pidfd) = try Sys.clone3(flags: 0, cgroupFD: fd)
        if pid == 0 {
            // The child only sleeps and exits: nothing that could take a lock of the parent's threads.
            Sys.sleepMs(10_000)
            Sys.exit(0)
        }
        let owned = FileDescriptor(pidfd)
        let membership = try Sys.readText("/proc/\(pid)/cgroup")
        #expect(membership.contains("0::\(path)"))
        #expect(!membership.contains("memory:\(path)"))
        try manager.addProcess(pid)  // joins the v1 hierarchies; the unified write is a no-op
        #expect(try Sys.readText("/proc/\(pid)/cgroup").contains("memory:\(path)"))
        try manager.signalAll(SIGKILL)
        #expect(try Sys.wait(pidfd: owned.raw) == .signaled(SIGKILL))
        try manager.destroy()
        Self.removeParent()
        #expect(Self.nothingLeft(path))
    }

    @Test(.enabled(if: isHybrid, "needs a hybrid cgroup host"))
    func invalidResourcesFailBeforeAnythingIsCreated() throws {
        let path = Self.freshPath()
        let manager = try Cgroups.manager(cgroupsPath: path, containerID: "c4")
        defer { Self.removeParent() }
        do {
            _ = try manager.validate(LinuxResources(cpu: LinuxCPU(cpus: "0-9999")))
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "linux.resources.cpu.cpus")
            #expect(error.description.contains("not online"))
        }
        #expect(throws: CgroupError.self) { try manager.validate(LinuxResources(memory: LinuxMemory(limit: -5))) }
        #expect(throws: CgroupError.self) { try manager.validate(LinuxResources(cpu: LinuxCPU(quota: 500, period: 100_000))) }
        #expect(Self.nothingLeft(path))
    }

    /// `apply` to a cgroup that does not exist fails with ENOENT on the directory itself: the
    /// hint that a controller is not enabled is only for an interface file missing from a
    /// directory that is there (`CgroupWriter`).
    @Test func applyToMissingCgroupNamesTheDirectory() throws {
        let path = Self.freshPath()
        let manager = try Cgroups.manager(cgroupsPath: path, containerID: "c6")
        defer { Self.removeParent() }
        do {
            try manager.apply(LinuxResources(pids: LinuxPids(limit: 5)))
            Issue.record("expected an error")
        } catch {
            #expect(error.errno == ENOENT)
            #expect(error.path?.hasSuffix(path) == true)
            #expect(!error.description.contains("controller is not enabled"))
        }
        #expect(Self.nothingLeft(path))
    }

    @Test(.enabled(if: isHybrid, "needs a hybrid cgroup host"))
    func kernelErrorsNameFieldAndFile() throws {
        let path = Self.freshPath()
        let manager = try Cgroups.manager(cgroupsPath: path, containerID: "c5")
        defer {
            try? manager.destroy()
            Self.removeParent()
        }
        try manager.create()
        // A memory+swap limit below the limit already in place is refused by the kernel.
        try manager.apply(LinuxResources(memory: LinuxMemory(limit: 64 << 20)))
        do {
            try manager.apply(LinuxResources(memory: LinuxMemory(swap: 32 << 20)))
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "linux.resources.memory.swap")
            #expect(error.errno == EINVAL)
            #expect(error.path?.hasSuffix("/memory.memsw.limit_in_bytes") == true)
        }
        // A unified key for a controller the unified side does not have.
        #expect(throws: CgroupError.self) { try manager.apply(LinuxResources(unified: ["memory.high": "1"])) }
    }

    // MARK: v2 manager, on the unified hierarchy of this host

    /// The v2 manager on whatever cgroup2 hierarchy is mounted (on hybrid hosts only the
    /// controllers v1 does not bind, e.g. hugetlb, are there; the core files all are).
    @Test func v2ManagerLifecycle() throws {
        guard let unified = try Cgroups.hierarchies().first(where: \.isUnified) else { return }
        let path = Self.freshPath()
        let description = CgroupDescription(
            mode: .unified, unified: CgroupLocation(controllers: [], mountPoint: unified.mountPoint, path: path), legacy: [])
        let manager = Cgroups.manager(from: description)
        defer {
            try? manager.destroy()
            Self.removeParent()
        }
        #expect(manager is CgroupV2Manager)
        try manager.create()
        let dir = description.unified?.directory ?? ""
        #expect(Sys.exists(dir + "/cgroup.procs"))
        #expect(manager.directoryFD() != nil)

        let sleepers = try (0..<2).map { _ in try Sleeper() }
        for s in sleepers { try manager.addProcess(s.pid) }
        #expect(try manager.processes() == sleepers.map(\.pid).sorted())

        // Core files through `unified`, and a controller that is not there.
        try manager.apply(LinuxResources(unified: ["cgroup.max.depth": "2"]))
        #expect(try Sys.readText(dir + "/cgroup.max.depth") == "2")
        let controllers = (try? Sys.readText(dir + "/cgroup.controllers")) ?? ""
        if !controllers.contains("pids") {
            do {
                try manager.apply(LinuxResources(pids: LinuxPids(limit: 5)))
                Issue.record("expected an error")
            } catch {
                #expect(error.field == "linux.resources.pids.limit")
                #expect(error.errno == ENOENT)
                #expect(error.description.contains("controller is not enabled"))
            }
        }
        if controllers.contains("hugetlb"), CgroupStatsReader.hugepageSizes().contains("2MB") {
            try manager.apply(LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 2 << 20)]))
            #expect(try Sys.readText(dir + "/hugetlb.2MB.max") == "2097152")
        }
        #expect(throws: CgroupError.self) { try manager.apply(LinuxResources(unified: ["cgroup.procs": "1"])) }

        try manager.freeze()
        #expect(manager.isFrozen())
        #expect(try Sys.readText(dir + "/cgroup.events").contains("frozen 1"))
        try manager.thaw()
        #expect(!manager.isFrozen())
        #expect(try Sys.readText(dir + "/cgroup.events").contains("frozen 0"))

        _ = try manager.stats()

        // SIGTERM goes pid by pid (frozen meanwhile); SIGKILL through cgroup.kill.
        try manager.signalAll(SIGTERM)
        for s in sleepers { #expect(try s.wait() == .signaled(SIGTERM)) }
        #expect(!manager.isFrozen())

        let more = try Sleeper()
        try manager.addProcess(more.pid)
        try manager.signalAll(SIGKILL)
        try manager.destroy()
        #expect(try more.wait() == .signaled(SIGKILL))
        #expect(!Sys.exists(dir))
        Self.removeParent()
        #expect(Self.nothingLeft(path))
    }

    /// Run inside a private mount namespace with cgroup2 mounted at /sys/fs/cgroup and
    /// SWIFTLET_TEST_CGROUP_MODE=unified (see the cgroups notes): the whole path from detection.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SWIFTLET_TEST_CGROUP_MODE"] == "unified",
                   "needs a private mount namespace with cgroup2 at /sys/fs/cgroup"))
    func unifiedModeFromDetection() throws {
        #expect(Cgroups.detectMode() == .unified)
        let path = Self.freshPath()
        let manager = try Cgroups.manager(cgroupsPath: path, containerID: "c6")
        defer {
            try? manager.destroy()
            Self.removeParent()
        }
        #expect(manager is CgroupV2Manager)
        #expect(manager.description.unified?.directory == "/sys/fs/cgroup" + path)
        try manager.create()
        let sleeper = try Sleeper()
        try manager.addProcess(sleeper.pid)
        #expect(try manager.processes() == [sleeper.pid])
        try manager.freeze()
        try manager.thaw()
        try manager.signalAll(SIGKILL)
        try manager.destroy()
        #expect(try sleeper.wait() == .signaled(SIGKILL))
        Self.removeParent()
        #expect(Self.nothingLeft(path))
    }
}
