import FoundationEssentials
import OCI

extension Runtime {
    /// `spec`: the default config.json, shaped like runc's `spec` (a busybox-style `sh` in a
    /// read-only `rootfs`, the usual /proc, /dev, /sys mounts, the pid, network, ipc, uts and
    /// mount namespaces, three capabilities, masked and read-only paths).
    /// `rootless` turns it into runc's rootless variant for the calling user (`ToRootless`):
    /// a user namespace mapping the caller's uid and gid to root, no network namespace (an
    /// unprivileged user could not configure one), /sys bound from the host instead of a new
    /// sysfs (which needs a network namespace of its own), no uid=/gid= mount options (those
    /// ids may not exist in the namespace) and no cgroup resources.
    public static func defaultSpec(rootless: Bool = false, uid: UInt32 = 0, gid: UInt32 = 0) -> Spec {
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        let process = Process(
            terminal: true, args: ["sh"],
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            cwd: "/", user: User(uid: 0, gid: 0),
            capabilities: LinuxCapabilities(bounding: caps, effective: caps, permitted: caps, ambient: caps),
            rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
            noNewPrivileges: true)
        var mounts = [
            Mount(destination: "/proc", type: "proc", source: "proc"),
            Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
                  options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
                  options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
            Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
            Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                  options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
        ]
        var namespaces: [LinuxNamespace] = [
            LinuxNamespace(type: .pid), LinuxNamespace(type: .network), LinuxNamespace(type: .ipc),
            LinuxNamespace(type: .uts), LinuxNamespace(type: .mount),
        ]
        var linux = OCI.Linux(
            resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]),
            namespaces: namespaces,
            maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"])
        if rootless {
            namespaces = namespaces.filter { $0.type != .network } + [LinuxNamespace(type: .user)]
            linux.namespaces = namespaces
            linux.uidMappings = [LinuxIDMapping(containerID: 0, hostID: uid, size: 1)]
            linux.gidMappings = [LinuxIDMapping(containerID: 0, hostID: gid, size: 1)]
            linux.resources = nil
            mounts = mounts.map { mount in
                if mount.destination == "/sys" {
                    return Mount(destination: "/sys", type: "none", source: "/sys",
                                 options: ["rbind", "nosuid", "noexec", "nodev", "ro"])
                }
                var m = mount
                m.options = m.options?.filter { !$0.hasPrefix("uid=") && !$0.hasPrefix("gid=") }
                return m
            }
        }
        return Spec(ociVersion: ociVersion, process: process, root: Root(path: "rootfs", readonly: true),
                    hostname: "swiftlet", mounts: mounts, linux: linux)
    }

    /// The JSON `spec` writes: indented, keys sorted (so the output is the same every time).
    public static func specJSON(_ spec: Spec) throws -> [UInt8] {
        do {
            return Array(try spec.encoded(prettyPrinted: true)) + [UInt8(ascii: "\n")]
        } catch {
            throw RuntimeError("encode config.json: \(error)")
        }
    }

    /// `spec [--bundle DIR] [--rootless | --hardened [--cap CAP]...]`: writes DIR/config.json,
    /// never over an existing one.
    public func writeSpec(bundle: String, rootless: Bool, hardened: Bool = false, capabilities: [String] = []) throws {
        if !hardened && !capabilities.isEmpty { throw RuntimeError("--cap needs --hardened") }
        let dir = Self.absolutePath(bundle)
        let path = dir + "/config.json"
        let spec: Spec
        if hardened && rootless {
            let host = Self.rootlessHost()
            spec = Self.rootlessHardenedSpec(capabilities: try Self.hardenedCapabilities(capabilities),
                                             appArmor: HostSecurity.probe().appArmor, host: host)
            if spec.process?.user.uid == 0 {
                warn("spec --rootless --hardened: /etc/subuid or /etc/subgid gives uid \(host.uid) no range of 1000 ids: "
                    + "the process runs as the container's root (uid \(host.uid) on the host); docs/rootless.md")
            }
            if !host.delegatedCgroup {
                warn("spec --rootless --hardened: no cgroup v2 subtree with memory and pids is delegated to uid \(host.uid) here: "
                    + "the memory and pids limits are left out; docs/rootless.md")
            }
        } else if hardened {
            spec = Self.hardenedSpec(capabilities: try Self.hardenedCapabilities(capabilities), appArmor: HostSecurity.probe().appArmor)
        } else {
            spec = Self.defaultSpec(rootless: rootless, uid: Sys.geteuid(), gid: Sys.getegid())
        }
        let bytes = try Self.specJSON(spec)
        do {
            guard try Sys.stat(dir).kind == .directory else {
                throw RuntimeError("--bundle \(bundle): not a directory", errno: Errno.ENOTDIR)
            }
        } catch let error as SystemError {
            throw RuntimeError("--bundle \(bundle)", error)
        }
        let fd = try Self.createNew(path)
        do {
            try Sys.writeAll(fd.raw, bytes, path: path)
        } catch {
            try? Sys.unlink(path)
            throw RuntimeError("write config.json", error)
        }
    }

    /// O_EXCL: an existing config.json (or a symlink planted there) is never overwritten.
    static func createNew(_ path: String) throws -> FileDescriptor {
        do {
            return try Sys.open(path, Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL | Linux.O_NOFOLLOW, mode: 0o666)
        } catch {
            if error.errno == Errno.EEXIST { throw RuntimeError("File config.json exists. Remove it first", errno: Errno.EEXIST) }
            throw RuntimeError("write config.json", error)
        }
    }
}
