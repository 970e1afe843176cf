/// Pure parsers for the two procfs files that describe where cgroups are: /proc/self/mountinfo
/// (which hierarchy is mounted where, with which controllers) and /proc/self/cgroup (which cgroup
/// this process is in, per hierarchy). They take the file text so tests need no root.

/// One line of /proc/PID/mountinfo (proc(5)).
public struct MountInfoEntry: Equatable, Sendable {
    public var mountID: Int
    public var parentID: Int
    public var majorMinor: String
    /// The path of the directory in the filesystem that forms the root of this mount: for a
    /// cgroup mount, the cgroup that appears at `mountPoint`.
    public var root: String
    public var mountPoint: String
    public var mountOptions: [String]
    public var fsType: String
    public var source: String
    public var superOptions: [String]
}

/// One line of /proc/PID/cgroup (cgroups(7)): `hierarchy-ID:controller-list:cgroup-path`.
public struct ProcCgroupEntry: Equatable, Sendable {
    public var hierarchyID: Int
    /// `["cpu", "cpuacct"]`, `["name=systemd"]`, or empty for the unified (v2) hierarchy.
    public var controllers: [String]
    public var path: String

    /// The unified hierarchy's line is `0::/path`.
    public var isUnified: Bool { hierarchyID == 0 && controllers.isEmpty }
}

public enum CgroupProcFiles {
    /// Parses mountinfo text; malformed lines are skipped (the kernel writes this file, a line we
    /// cannot read is not a cgroup mount we could use).
    /// One pass over the bytes, fields kept as ranges until a line is known to be well formed:
    /// String.split(separator: Character) runs grapheme breaking over every byte (2.4 M
    /// instructions for 22 lines), and even splitting the UTF-8 view into an array of Strings
    /// per line cost 0.6 M, on the path of every create.
    ///
    /// `fsTypes`: only the lines of these filesystem types become entries (compared as bytes
    /// before any String is made: cgroup discovery wants two types out of a host's often
    /// dozens of mounts).
    public static func parseMountInfo(_ text: String, fsTypes: [String]? = nil) -> [MountInfoEntry] {
        let bytes = Array(text.utf8)
        let wanted = fsTypes?.map { Array($0.utf8) }
        var entries: [MountInfoEntry] = []
        var fields: [Range<Int>] = []
        fields.reserveCapacity(16)
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            fields.removeAll(keepingCapacity: true)
            var i = lineStart
            while i < lineEnd {
                while i < lineEnd && bytes[i] == UInt8(ascii: " ") { i += 1 }
                let start = i
                while i < lineEnd && bytes[i] != UInt8(ascii: " ") { i += 1 }
                if i > start { fields.append(start..<i) }
            }
            lineStart = lineEnd + 1
            func field(_ k: Int) -> String { String(decoding: bytes[fields[k]], as: UTF8.self) }
            // id parent maj:min root mountpoint options [optional...] - fstype source superoptions
            guard fields.count >= 10,
                  let dash = fields.firstIndex(where: { $0.count == 1 && bytes[$0.lowerBound] == UInt8(ascii: "-") }),
                  dash >= 6, fields.count >= dash + 4 else { continue }
            if let wanted, !wanted.contains(where: { $0.elementsEqual(bytes[fields[dash + 1]]) }) { continue }
            guard let id = Int(field(0)), let parent = Int(field(1)) else { continue }
            entries.append(MountInfoEntry(
                mountID: id, parentID: parent, majorMinor: field(2),
                root: unescapeOctal(field(3)), mountPoint: unescapeOctal(field(4)),
                mountOptions: commaList(field(5)),
                fsType: field(dash + 1), source: unescapeOctal(field(dash + 2)),
                superOptions: commaList(field(dash + 3))))
        }
        return entries
    }

    static func commaList(_ field: String) -> [String] {
        field.utf8.split(separator: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Parses /proc/PID/cgroup text; malformed lines are skipped.
    public static func parseProcCgroup(_ text: String) -> [ProcCgroupEntry] {
        var entries: [ProcCgroupEntry] = []
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            // The path may itself contain ':', so split at the first two only.
            let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            guard parts.count == 3, let id = Int(parts[0]), parts[2].hasPrefix("/") else { continue }
            entries.append(ProcCgroupEntry(hierarchyID: id, controllers: commaList(parts[1]), path: parts[2]))
        }
        return entries
    }

    /// mountinfo escapes space, tab, newline and backslash as `\040`, `\011`, `\012`, `\134`.
    static func unescapeOctal(_ field: String) -> String {
        guard field.utf8.contains(UInt8(ascii: "\\")) else { return field }
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "\\"), i + 3 < raw.count {
                let digits = raw[(i + 1)...(i + 3)]
                if digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) {
                    let value = digits.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
                    if value < 256 {
                        bytes.append(UInt8(value))
                        i += 4
                        continue
                    }
                }
            }
            bytes.append(raw[i])
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A cgroup hierarchy as this process sees it: its controllers, where it is mounted, and the
/// process's own cgroup in it (relative to the mount point).
public struct CgroupHierarchy: Codable, Equatable, Sendable {
    /// v1 controllers (`cpu`, `name=systemd`, ...); empty for the unified hierarchy.
    public var controllers: [String]
    public var mountPoint: String
    /// The process's own cgroup below `mountPoint`, `/` when it sits at the mount's root.
    public var ownPath: String
    public var isUnified: Bool { controllers.isEmpty }

    public init(controllers: [String], mountPoint: String, ownPath: String) {
        self.controllers = controllers
        self.mountPoint = mountPoint
        self.ownPath = ownPath
    }

    /// Pairs each line of /proc/self/cgroup with a mount of that hierarchy. A hierarchy that is
    /// not mounted (or whose mounts do not show the process's cgroup) is left out. When a
    /// hierarchy is mounted more than once, the first mount that shows the process's cgroup wins.
    public static func discover(mountInfo: [MountInfoEntry], procCgroup: [ProcCgroupEntry]) -> [CgroupHierarchy] {
        var result: [CgroupHierarchy] = []
        for entry in procCgroup {
            let candidates = mountInfo.filter { mount in
                if entry.isUnified { return mount.fsType == "cgroup2" }
                guard mount.fsType == "cgroup" else { return false }
                return entry.controllers.allSatisfy { mount.superOptions.contains($0) }
            }
            for mount in candidates {
                guard let own = CgroupPath.relative(entry.path, toRoot: mount.root) else { continue }
                result.append(CgroupHierarchy(controllers: entry.controllers, mountPoint: mount.mountPoint, ownPath: own))
                break
            }
        }
        return result
    }
}
