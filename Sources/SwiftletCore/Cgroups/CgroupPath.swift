/// Where a container's cgroup lives: `linux.cgroupsPath` resolved against the mounted
/// hierarchies (runtime-spec config-linux.md "Cgroups path"), as runc's cgroupfs driver does:
///
/// - absolute (`/machine/c1`): relative to the root of each hierarchy as mounted;
/// - relative (`machine/c1`): relative to the runtime's own cgroup in each hierarchy (from
///   /proc/self/cgroup). On a pure v2 host, relative to the *parent* of the runtime's own cgroup,
///   as runc does: the runtime's own cgroup already holds processes, so by the "no internal
///   processes" rule it cannot get controllers enabled for a child;
/// - empty: the container ID, as a relative path (runc's default).
///
/// `..` components are rejected rather than cleaned away, and a path that would name the
/// hierarchy's root or the runtime's own cgroup is rejected: destroying or killing "the
/// container's cgroup" must never reach the host's processes.
public enum CgroupPath {
    static let field = "linux.cgroupsPath"

    /// The components of a cgroups path; empty and `.` components are dropped.
    public static func components(_ path: String) throws(CgroupError) -> [String] {
        var result: [String] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                throw CgroupError.invalid(field, "\"..\" is not allowed in a cgroups path, got \"\(path)\"")
            }
            if component.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) {
                throw CgroupError.invalid(field, "control characters are not allowed in a cgroups path, got \"\(path)\"")
            }
            result.append(String(component))
        }
        return result
    }

    /// The cgroup path (below the hierarchy's mount point) for `cgroupsPath` in one hierarchy.
    /// `ownPath` is the runtime's own cgroup there; `parentOfOwn` selects the pure-v2 rule.
    public static func resolve(_ cgroupsPath: String, ownPath: String, parentOfOwn: Bool) throws(CgroupError) -> String {
        try Parsed(cgroupsPath).resolve(ownPath: ownPath, parentOfOwn: parentOfOwn)
    }

    /// A cgroups path checked and split once, then resolved in each hierarchy (`describe`
    /// resolves the same path in every one of them: ~15,000 instructions each when it was
    /// split again every time).
    struct Parsed {
        let absolute: Bool
        /// The components joined by "/", without a leading one.
        let joined: String

        init(_ cgroupsPath: String) throws(CgroupError) {
            let inner = try components(cgroupsPath)
            guard !inner.isEmpty else {
                throw CgroupError.invalid(field, "\"\(cgroupsPath)\" names the root or the runtime's own cgroup")
            }
            absolute = cgroupsPath.hasPrefix("/")
            joined = inner.joinedBy("/")
        }

        func resolve(ownPath: String, parentOfOwn: Bool) -> String {
            if absolute || ownPath == "/" { return "/" + joined }
            var base = ownPath.split(separator: "/").map(String.init)
            if parentOfOwn && !base.isEmpty { base.removeLast() }
            return base.isEmpty ? "/" + joined : "/" + base.joinedBy("/") + "/" + joined
        }
    }

    /// The effective cgroups path: the configured one, or the container ID when it is empty or
    /// absent. The ID must be a single path component.
    public static func effective(_ cgroupsPath: String?, containerID: String) throws(CgroupError) -> String {
        if let cgroupsPath, !cgroupsPath.isEmpty { return cgroupsPath }
        guard !containerID.isEmpty, !containerID.contains("/"), containerID != ".", containerID != ".." else {
            throw CgroupError.invalid(field, "container ID \"\(containerID)\" cannot be used as a cgroup name")
        }
        return containerID
    }

    /// `path` relative to a mount's `root` (both absolute), or nil when `path` lies outside it.
    public static func relative(_ path: String, toRoot root: String) -> String? {
        if root == "/" { return path }
        if path == root { return "/" }
        if path.hasPrefix(root + "/") { return String(path.dropFirst(root.count)) }
        return nil
    }

    /// `mountPoint` joined with an absolute cgroup path.
    public static func join(_ mountPoint: String, _ path: String) -> String {
        if path == "/" { return mountPoint }
        if mountPoint.hasSuffix("/") { return String(mountPoint.dropLast()) + path }
        return mountPoint + path
    }

    /// Builds the description of a container's cgroups for `mode` from the discovered
    /// hierarchies. Pure: the inputs come from /proc/self/mountinfo and /proc/self/cgroup.
    public static func describe(cgroupsPath: String?, containerID: String, mode: Cgroups.Mode,
                                hierarchies: [CgroupHierarchy]) throws(CgroupError) -> CgroupDescription {
        let effectivePath = try effective(cgroupsPath, containerID: containerID)
        // Parsed at the first hierarchy that needs it (the errors keep their order), then reused.
        var parsed: Parsed?
        func resolve(ownPath: String, parentOfOwn: Bool) throws(CgroupError) -> String {
            if let parsed { return parsed.resolve(ownPath: ownPath, parentOfOwn: parentOfOwn) }
            let path = try Parsed(effectivePath)
            parsed = path
            return path.resolve(ownPath: ownPath, parentOfOwn: parentOfOwn)
        }
        let unifiedHierarchy = hierarchies.first { $0.isUnified }
        var unified: CgroupLocation?
        var legacy: [CgroupLocation] = []
        switch mode {
        case .unified:
            guard let h = unifiedHierarchy else {
                throw CgroupError(operation: "discover", path: "/proc/self/mountinfo",
                                  message: "no cgroup2 mount found for the unified hierarchy")
            }
            unified = CgroupLocation(controllers: [], mountPoint: h.mountPoint,
                                     path: try resolve(ownPath: h.ownPath, parentOfOwn: true))
        case .hybrid, .legacy:
            for h in hierarchies where !h.isUnified {
                legacy.append(CgroupLocation(controllers: h.controllers, mountPoint: h.mountPoint,
                                             path: try resolve(ownPath: h.ownPath, parentOfOwn: false)))
            }
            if legacy.isEmpty {
                throw CgroupError(operation: "discover", path: "/proc/self/mountinfo",
                                  message: "no cgroup v1 hierarchy is mounted")
            }
            // On hybrid hosts the unified hierarchy holds the controllers v1 does not bind
            // (hugetlb here) and is what clone3(CLONE_INTO_CGROUP) needs; runc joins it too.
            if mode == .hybrid, let h = unifiedHierarchy {
                unified = CgroupLocation(controllers: [], mountPoint: h.mountPoint,
                                         path: try resolve(ownPath: h.ownPath, parentOfOwn: false))
            }
        }
        return CgroupDescription(mode: mode, unified: unified, legacy: legacy)
    }
}
