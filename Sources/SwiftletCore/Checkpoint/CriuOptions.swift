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
