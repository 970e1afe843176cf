/// What `checkpoint` and `restore` are asked for: runc 1.1's flags of the same names
/// (runc-checkpoint(8), runc-restore(8)), handed to CRIU (docs/checkpoint.md).
public struct CheckpointOptions: Sendable {
    /// `--image-path`: where CRIU writes the images (default: `./checkpoint`, as runc).
    public var imagePath: String?
    /// `--work-path`: CRIU's logs (dump.log) and work files (default: the image directory).
    public var workPath: String?
    /// `--parent-path`: a pre-dump's images, relative to the image path (as runc requires).
    public var parentPath: String?
    public var leaveRunning = false
    public var tcpEstablished = false
    public var extUnixSk = false
    public var shellJob = false
    public var fileLocks = false
    /// `--pre-dump`: memory only, the container keeps running.
    public var preDump = false
    /// `--manage-cgroups-mode`: soft, full, strict or ignore (CRIU's default, soft, without it).
    public var manageCgroupsMode: String?
    /// `--criu`: the CRIU binary (default: `criu` in $PATH).
    public var criuPath: String?
    /// `--lazy-pages`: leave the memory pages in place and serve them on demand from a page
    /// server at `--page-server` (CRIU's `--lazy-pages`, userfaultfd at restore).
    public var lazyPages = false
    /// `--page-server ADDRESS:PORT`: send the pages to a CRIU page server (with
    /// `--lazy-pages`: where the lazy page server listens).
    public var pageServer: String?
    /// `--status-fd N`: with `--lazy-pages`, a descriptor of the caller to which a 0 byte is
    /// written (and which is then closed) once the lazy page server is ready, as runc does.
    public var statusFD: Int32?
    /// `--auto-dedup`: punch holes into the parent images' pages that this dump supersedes.
    public var autoDedup = false
    /// `--empty-ns`: namespaces (runtime-spec names) made empty rather than dumped: CRIU 3.17
    /// supports only `network`.
    public var emptyNamespaces: [String] = []

    public init() {}
}

public struct RestoreOptions: Sendable {
    public var imagePath: String?
    public var workPath: String?
    /// `--bundle`: the bundle whose config.json describes the container (default: the cwd).
    public var bundle: String = "."
    public var detach = false
    public var pidFile: String?
    public var consoleSocket: String?
    public var noPivot = false
    public var tcpEstablished = false
    public var extUnixSk = false
    public var shellJob = false
    public var fileLocks = false
    public var manageCgroupsMode: String?
    public var criuPath: String?
    /// `--lazy-pages`: restore with pages fetched on demand (a `criu lazy-pages` daemon must run).
    public var lazyPages = false
    /// `--auto-dedup`: punch holes into the images as the pages are restored.
    public var autoDedup = false
    /// `--empty-ns`: as at checkpoint (`network`).
    public var emptyNamespaces: [String] = []
    /// `--lsm-profile TYPE:NAME`: the LSM label the restored processes get instead of the dumped
    /// one (apparmor or selinux).
    public var lsmProfile: String?
    /// `--lsm-mount-context CONTEXT`: the SELinux mount context of the restored mounts.
    public var lsmMountContext: String?

    public init() {}
}

/// The values `--manage-cgroups-mode` takes (CRIU's `--manage-cgroups=MODE`).
public enum CriuCgroupMode {
    public static let all = ["soft", "full", "strict", "ignore"]

    /// The mode, or an error naming the flag and the value.
    public static func check(_ mode: String?) throws -> String? {
        guard let mode else { return nil }
        guard all.contains(mode) else {
            throw RuntimeError("--manage-cgroups-mode: invalid value \"\(mode)\" (soft, full, strict or ignore)", errno: Errno.EINVAL)
        }
        return mode
    }
}

/// `--page-server ADDRESS:PORT` (runc's form): the address and the port, or a one-line error.
public enum CriuPageServer {
    public static func parse(_ value: String) throws -> (address: String, port: UInt16) {
        // ADDRESS:PORT, the address possibly a bracketed IPv6 one ([::1]:27).
        guard let colon = value.lastIndex(of: ":") else {
            throw RuntimeError("--page-server: \"\(value)\" is not ADDRESS:PORT", errno: Errno.EINVAL)
        }
        var address = String(value[..<colon])
        let portText = value[value.index(after: colon)...]
        if address.hasPrefix("[") && address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        guard !address.isEmpty, !address.contains(" ") else {
            throw RuntimeError("--page-server: \"\(value)\" has no address (ADDRESS:PORT)", errno: Errno.EINVAL)
        }
        guard let port = UInt16(portText), port > 0 else {
            throw RuntimeError("--page-server: \"\(value)\": \"\(portText)\" is not a port (1-65535)", errno: Errno.EINVAL)
        }
        return (address, port)
    }
}

/// `--empty-ns`: runtime-spec namespace names; CRIU 3.17 can leave only the network namespace
/// empty (`--empty-ns net`), so any other name is refused naming it.
public enum CriuEmptyNamespaces {
    public static func criuNames(_ names: [String]) throws -> [String] {
        var result: [String] = []
        for name in names {
            guard name == "network" else {
                throw RuntimeError("--empty-ns: \"\(name)\" is not supported (CRIU can leave only the network namespace empty)",
                                   errno: Errno.EINVAL)
            }
            if !result.contains("net") { result.append("net") }
        }
        return result
    }
}

/// `--lsm-profile TYPE:NAME` (runc's form): TYPE apparmor or selinux, NAME not empty.
public enum CriuLSMProfile {
    public static func check(_ value: String?) throws -> String? {
        guard let value else { return nil }
        let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, ["apparmor", "selinux"].contains(String(parts[0])), !parts[1].isEmpty else {
            throw RuntimeError("--lsm-profile: \"\(value)\" is not TYPE:NAME with TYPE apparmor or selinux", errno: Errno.EINVAL)
        }
        return value
    }
}
