import OCI

/// `spec --rootless --hardened`: the hardened config (Runtime+HardenedSpec.swift) for an
/// unprivileged user, which runs as that user (docs/rootless.md, docs/hardening.md).
///
/// What changes, and why:
/// - the user namespace maps container root to the caller's own uid and gid, size 1 (no
///   helper needed), and, when /etc/subuid and /etc/subgid give the caller a range, container
///   ids from 1 up to that range (newuidmap/newgidmap write it); the process then runs as
///   uid/gid 1000 as in the root variant, else as the container's root, which is the caller
///   itself on the host;
/// - `linux.resources` keeps the memory and pids limits only where the caller owns a cgroup v2
///   subtree with those controllers (`RootlessCgroupPolicy`: elsewhere limits are refused), and
///   never device rules; without them the create says nothing and runs without a cgroup;
/// - everything else (no capabilities, default-deny seccomp, no_new_privs, read-only rootfs,
///   masked paths, private network and cgroup namespaces) is the root variant's, and works
///   unprivileged: the namespaces belong to the user namespace the container creates.
extension Runtime {
    public struct SubordinateRange: Equatable, Sendable {
        public var start: UInt32
        public var count: UInt32

        public init(start: UInt32, count: UInt32) {
            self.start = start
            self.count = count
        }
    }

    /// What the rootless hardened config depends on, read from the host by `writeSpec`.
    public struct RootlessHost: Equatable, Sendable {
        public var uid: UInt32
        public var gid: UInt32
        /// The caller's first range in /etc/subuid and /etc/subgid, if any.
        public var subUIDs: SubordinateRange?
        public var subGIDs: SubordinateRange?
        /// A cgroup v2 subtree the caller owns, with the memory and pids controllers.
        public var delegatedCgroup: Bool

        public init(uid: UInt32, gid: UInt32, subUIDs: SubordinateRange?, subGIDs: SubordinateRange?, delegatedCgroup: Bool) {
            self.uid = uid
            self.gid = gid
            self.subUIDs = subUIDs
            self.subGIDs = subGIDs
            self.delegatedCgroup = delegatedCgroup
        }
    }

    /// Pure: the hardened config for `host`.
    public static func rootlessHardenedSpec(capabilities: [String] = [], appArmor: Bool = false, host: RootlessHost) -> Spec {
        var spec = hardenedSpec(capabilities: capabilities, appArmor: appArmor)
        func mappings(_ own: UInt32, _ range: SubordinateRange?) -> [LinuxIDMapping] {
            var result = [LinuxIDMapping(containerID: 0, hostID: own, size: 1)]
            if let range, range.count > 0 {
                result.append(LinuxIDMapping(containerID: 1, hostID: range.start, size: min(range.count, hardenedIDCount - 1)))
            }
            return result
        }
        spec.linux?.uidMappings = mappings(host.uid, host.subUIDs)
        spec.linux?.gidMappings = mappings(host.gid, host.subGIDs)
        // The process's ids must exist in the namespace: 1000 needs a range reaching it.
        let reaches = { (range: SubordinateRange?) in (range?.count ?? 0) >= hardenedUser }
        if !(reaches(host.subUIDs) && reaches(host.subGIDs)) {
            spec.process?.user = User(uid: 0, gid: 0)
        }
        if host.delegatedCgroup {
            spec.linux?.resources = LinuxResources(memory: LinuxMemory(limit: hardenedMemoryLimit),
                                                   pids: LinuxPids(limit: hardenedPidsLimit))
        } else {
            spec.linux?.resources = nil
        }
        return spec
    }

    /// Pure: the caller's ranges in an /etc/subuid or /etc/subgid text (`name:start:count`
    /// lines, the name or the numeric id), in file order.
    public static func subordinateRanges(_ text: String, name: String?, id: UInt32) -> [SubordinateRange] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "\(id)" || (name != nil && fields[0] == name ?? ""),
                  let start = UInt32(fields[1]), let count = UInt32(fields[2]) else { return nil }
            return SubordinateRange(start: start, count: count)
        }
    }

    /// The facts `rootlessHardenedSpec` needs, from this host (an unreadable file: no range).
    static func rootlessHost() -> RootlessHost {
        let uid = Sys.geteuid()
        let gid = Sys.getegid()
        let passwd = (try? Sys.readText("/etc/passwd")) ?? ""
        let name = passwd.split(separator: "\n").first { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            return fields.count > 2 && fields[2] == "\(uid)"
        }.map { String($0.split(separator: ":")[0]) }
        func first(_ path: String, _ id: UInt32) -> SubordinateRange? {
            subordinateRanges((try? Sys.readText(path)) ?? "", name: name, id: id).first
        }
        return RootlessHost(uid: uid, gid: gid, subUIDs: first("/etc/subuid", uid), subGIDs: first("/etc/subgid", uid),
                            delegatedCgroup: RootlessCgroupPolicy.delegatedSubtree(controllers: ["memory", "pids"]))
    }
}
