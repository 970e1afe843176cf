import FoundationEssentials
import OCI
import Testing
@testable import SwiftletCore

/// `spec`: the default config.json (runc's shape) and its rootless variant (runc's ToRootless).
@Suite struct SpecDefaultTests {
    /// The default passes the same validation `create` runs, and survives a JSON round trip.
    @Test(arguments: [false, true])
    func validAndRoundTrips(rootless: Bool) throws {
        let spec = Runtime.defaultSpec(rootless: rootless, uid: 1000, gid: 1001)
        #expect(spec.validationErrors().isEmpty)
        let bytes = try Runtime.specJSON(spec)
        let decoded = try Spec.decode(Data(bytes))
        #expect(decoded == spec)
        #expect(bytes.last == UInt8(ascii: "\n"))
    }

    /// Deterministic output: the same bytes every time (keys sorted).
    @Test func outputIsStable() throws {
        let a = try Runtime.specJSON(Runtime.defaultSpec())
        let b = try Runtime.specJSON(Runtime.defaultSpec())
        #expect(a == b)
    }

    @Test func defaultLikeRunc() throws {
        let spec = Runtime.defaultSpec()
        #expect(spec.ociVersion == Runtime.ociVersion)
        #expect(spec.root == Root(path: "rootfs", readonly: true))
        let process = try #require(spec.process)
        #expect(process.terminal == true)
        #expect(process.args == ["sh"])
        #expect(process.cwd == "/")
        #expect(process.user == User(uid: 0, gid: 0))
        #expect(process.noNewPrivileges == true)
        #expect(process.capabilities?.bounding == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"])
        #expect(process.rlimits == [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)])
        #expect(spec.linux?.namespaces?.map(\.type) == [.pid, .network, .ipc, .uts, .mount])
        #expect(spec.linux?.uidMappings == nil)
        #expect(spec.linux?.resources?.devices == [LinuxDeviceCgroup(allow: false, access: "rwm")])
        #expect(spec.mounts?.map(\.destination) == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"])
        #expect(spec.mounts?.first { $0.destination == "/sys" }?.type == "sysfs")
        #expect(spec.linux?.maskedPaths?.contains("/proc/kcore") == true)
        #expect(spec.linux?.readonlyPaths?.contains("/proc/sys") == true)
    }

    /// runc's ToRootless: user namespace with the caller mapped to root, no network namespace,
    /// /sys bound from the host, no uid=/gid= mount options, no cgroup resources.
    @Test func rootless() throws {
        let spec = Runtime.defaultSpec(rootless: true, uid: 1000, gid: 1001)
        let linux = try #require(spec.linux)
        #expect(linux.namespaces?.map(\.type) == [.pid, .ipc, .uts, .mount, .user])
        #expect(linux.uidMappings == [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)])
        #expect(linux.gidMappings == [LinuxIDMapping(containerID: 0, hostID: 1001, size: 1)])
        #expect(linux.resources == nil)
        let sys = try #require(spec.mounts?.first { $0.destination == "/sys" })
        #expect(sys.type == "none" && sys.source == "/sys")
        #expect(sys.options == ["rbind", "nosuid", "noexec", "nodev", "ro"])
        for mount in spec.mounts ?? [] {
            #expect(!(mount.options ?? []).contains { $0.hasPrefix("uid=") || $0.hasPrefix("gid=") })
        }
        #expect(spec.mounts?.first { $0.destination == "/dev/pts" }?.options?.contains("mode=0620") == true)
    }
}
