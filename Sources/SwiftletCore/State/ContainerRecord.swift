import FoundationEssentials
import OCI

/// What swiftlet remembers about a container between commands: `<root>/<id>/state.json`.
/// The status is never read from here blindly: it is derived from the live init (see
/// `Runtime.status(of:)`), and this file only says what was true when it was written.
public struct ContainerRecord: Sendable {
    public var ociVersion: String
    public var id: String
    public var bundle: String
    public var rootfs: String
    /// The init's pid in the runtime's pid namespace, once it exists.
    public var pid: Int32?
    /// Field 22 of /proc/PID/stat for `pid`: tells the init from a later process that reuses the pid.
    public var initStartTime: UInt64?
    public var created: String
    public var owner: String
    public var annotations: [String: String]?
    /// `create` has not finished (the runtime may have been killed mid-way).
    public var creating: Bool
    /// `start` released the init.
    public var started: Bool
    public var cgroup: CgroupDescription?
    /// Hooks that later commands run (poststart by start, poststop by delete).
    public var hooks: Hooks?
    public var namespaces: [LinuxNamespace]?
    public var terminal: Bool?
    /// The bundle's config.json as `create` read it, byte for byte (once read back, without the
    /// whitespace around the JSON value): state.json's last member, `config` (runc's
    /// state.json keeps its config the same way). What later commands need
    /// from it (exec's defaults, update's starting resources, checkpoint) is decoded from here
    /// when they run, so a later edit of the bundle changes nothing. Reading the record only
    /// checks these bytes (`JSONParser.parse(bytes:rawMember:)`); nil for a container created
    /// by a swiftlet that kept them in `<id>/config.json` (`StateStore.savedSpec`).
    public var config: [UInt8]? = nil
    /// config.json's `process` at create time: the defaults of every `exec` (env, user, cwd,
    /// capabilities, rlimits, no_new_privs, AppArmor/SELinux labels), so a later edit of the
    /// bundle cannot change what an exec'd process gets. Read from the saved config
    /// (`StateStore.readWithExecDefaults`), never written to state.json.
    public var process: Process? = nil
    /// config.json's `linux.seccomp` at create time: every exec'd process gets the same filter.
    /// Read from the saved config like `process`.
    public var seccomp: LinuxSeccomp? = nil
    /// config.json's `linux.personality` and `linux.memoryPolicy` at create time, which every
    /// exec'd process gets too. Read from the saved config like `process`.
    public var personality: LinuxPersonality? = nil
    public var memoryPolicy: LinuxMemoryPolicy? = nil
    /// The `linux.resources` in force once an `update` merged something in, so that a later
    /// update starts from what is applied (runc keeps them the same way). nil until then: the
    /// resources are those of the saved config.json (`Runtime.createResources`).
    public var resources: LinuxResources? = nil
    /// Without a mount namespace: the bind of the rootfs in the host's mount namespace that
    /// every mount of the container sits below, detached by `delete` (Rootfs/HostMountNamespace.swift).
    var hostMount: HostMountNamespace.Record? = nil
    /// linux.intelRdt: the resctrl group the processes join and what delete removes
    /// (Resctrl/IntelRdt.swift).
    var intelRdt: IntelRdt.Record? = nil
}

/// `<root>/<id>/exec.json` of earlier versions: the container's process and seccomp profile
/// at create time (now read from the saved config.json, see `StateStore.configFile`).
struct ExecDefaults: Decodable {
    var process: Process?
    var seccomp: LinuxSeccomp?

    static func decode(_ bytes: [UInt8], path: String) throws -> ExecDefaults {
        do {
            return try OCIJSON.decode(ExecDefaults.self, from: Data(bytes), document: path)
        } catch {
            throw RuntimeError("\(path): corrupt exec defaults: \(error)")
        }
    }
}

/// RFC 3339 UTC time with nanoseconds, as runc prints `created`.
enum Timestamp {
    static func now() -> String {
        let (seconds, nanos) = Sys.now()
        return format(seconds: seconds, nanos: nanos)
    }

    /// Civil date from days since the epoch (Howard Hinnant's algorithm).
    static func format(seconds: Int64, nanos: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(nanos, 9))Z"
    }
}
