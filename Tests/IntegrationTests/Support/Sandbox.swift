import Foundation
import Glibc
import OCI
import Testing

/// One test's private world: a `--root` state directory, bundles, a `shared` directory the
/// containers can bind-mount, a marker put in every container process's environment (to find
/// leftover processes), and the ids it created. `withSandbox` deletes every container with
/// `delete --force` at the end and checks that nothing was left behind.
final class Sandbox: Sendable {
    let name: String
    let dir: String
    let stateRoot: String
    /// World-writable directory for files exchanged with containers (mounted at /shared).
    let shared: String
    let marker: String
    let rootfs: String
    private let ids = Locked<[String]>([])
    /// (pid, start time) of every init seen, to check they are gone at the end.
    private let inits = Locked<[(Int32, UInt64)]>([])

    static let cgroupParent = "swiftlet-itest"

    init(_ name: String) throws {
        self.name = name
        rootfs = try Harness.rootfs.get()
        let token = String(UUID().uuidString.prefix(8)).lowercased()
        dir = NSTemporaryDirectory() + "swiftlet-it-\(name)-\(token)"
        stateRoot = dir + "/state"
        shared = dir + "/shared"
        marker = "\(name)-\(token)"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(dir, 0o755)
        chmod(shared, 0o777)
    }

    /// A fresh container id, remembered for cleanup.
    func newID(_ suffix: String = "") -> String {
        let id = "it-\(name)-\(UUID().uuidString.prefix(8).lowercased())\(suffix)"
        track(id)
        return id
    }

    func track(_ id: String) { ids.withLock { $0.append(id) } }
    var trackedIDs: [String] { ids.withLock { $0 } }

    /// A config shaped like `runc spec` (minus the cgroup mount): the shared rootfs read-only,
    /// the default namespaces, masked and read-only /proc paths, the marker in the environment
    /// and `linux.cgroupsPath` = /swiftlet-itest/<id>.
    func spec(id: String, _ args: [String]) -> Spec {
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        let process = OCI.Process(
            args: args, env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
                              "SWIFTLET_ITEST=\(marker)"],
            cwd: "/",
            capabilities: LinuxCapabilities(bounding: caps, effective: caps, permitted: caps),
            rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
            noNewPrivileges: true)
        let mounts = [
            Mount(destination: "/proc", type: "proc", source: "proc"),
            Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
            Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        ].filter { $0.type != "mqueue" || HostProbe.mqueue }
        let linux = OCI.Linux(
            resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]),
            cgroupsPath: "/\(Self.cgroupParent)/\(id)",
            namespaces: [.pid, .network, .ipc, .uts, .mount].map { LinuxNamespace(type: $0) },
            maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                          "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"])
        return Spec(ociVersion: "1.2.0", process: process, root: Root(path: rootfs, readonly: true), hostname: "itest",
                    mounts: mounts, linux: linux)
    }

    /// `sh -c script`.
    func shell(id: String, _ script: String) -> Spec { spec(id: id, ["sh", "-c", script]) }

    /// A bind mount of `shared` at /shared, read-write.
    static func sharedMount(_ source: String) -> Mount {
        Mount(destination: "/shared", type: "bind", source: source, options: ["rbind", "rw"])
    }

    /// Writes `<dir>/<name>/config.json` and returns the bundle path.
    @discardableResult
    func bundle(_ spec: Spec, name: String) throws -> String {
        let path = dir + "/bundles/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try spec.encoded(prettyPrinted: true).write(to: URL(fileURLWithPath: path + "/config.json"))
        return path
    }

    /// Writes raw config.json text (for bad input).
    func rawBundle(_ text: String, name: String) throws -> String {
        let path = dir + "/bundles/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/config.json"))
        return path
    }

    // MARK: commands

    /// `swiftlet --root <stateRoot> args...`.
    /// `binary` replaces Harness.binary for this call (the fault tests' FaultBuild.binary).
    func swiftlet(_ args: [String], stdoutPath: String? = nil, timeout: Double = 30,
                  environment: [String: String] = [:], binary: String? = nil) async throws -> Outcome {
        guard let binary = binary ?? Harness.binary else { throw HarnessError("no swiftlet binary") }
        return try await Subprocess.run(binary, ["--root", stateRoot] + args, stdoutPath: stdoutPath, timeout: timeout,
                                        environment: environment)
    }

    /// `create --bundle B ID`; the container's stdout goes to `output` when given.
    func create(_ id: String, bundle: String, extra: [String] = [], output: String? = nil,
                environment: [String: String] = [:], binary: String? = nil) async throws -> Outcome {
        try await swiftlet(["create", "--bundle", bundle] + extra + [id], stdoutPath: output, environment: environment,
                           binary: binary)
    }

    /// Like `create`, but records an issue when it fails.
    func mustCreate(_ id: String, bundle: String, extra: [String] = [], output: String? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let outcome = try await create(id, bundle: bundle, extra: extra, output: output)
        try #require(outcome.status == 0, "create \(id): \(outcome)", sourceLocation: sourceLocation)
        if let state = try await state(id), state.pid > 0 { rememberInit(state.pid) }
    }

    func mustStart(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let outcome = try await swiftlet(["start", id])
        try #require(outcome.status == 0, "start \(id): \(outcome)", sourceLocation: sourceLocation)
    }

    /// The `state` output, nil when `state` fails.
    func state(_ id: String) async throws -> ContainerStateOutput? {
        let outcome = try await swiftlet(["state", id])
        guard outcome.status == 0 else { return nil }
        return try JSONDecoder().decode(ContainerStateOutput.self, from: Data(outcome.stdout.utf8))
    }

    func status(_ id: String) async throws -> String? { try await state(id)?.status }

    /// Waits until `state` reports `status`.
    func waitForStatus(_ id: String, _ status: String, timeout: Double = 10) async throws -> Bool {
        try await eventually(timeout: timeout) { try await self.status(id) == status }
    }

    /// Waits until `shared/<name>` exists.
    func waitForShared(_ name: String, timeout: Double = 10) async -> Bool {
        await eventually(timeout: timeout) { FileManager.default.fileExists(atPath: self.shared + "/" + name) }
    }

    func touchShared(_ name: String) {
        FileManager.default.createFile(atPath: shared + "/" + name, contents: Data())
    }

    func sharedText(_ name: String) -> String? { readText(shared + "/" + name) }

    func rememberInit(_ pid: Int32) {
        guard let start = processStartTime(pid) else { return }
        inits.withLock { $0.append((pid, start)) }
    }

    // MARK: leftovers

    /// What the given containers left on the host: state entries, cgroup directories in any
    /// hierarchy, mounts under the sandbox or the rootfs, marked processes, inits still alive.
    func leftovers(ids: [String]? = nil) -> [String] {
        let ids = ids ?? trackedIDs
        var found: [String] = []
        let fm = FileManager.default
        for id in ids where fm.fileExists(atPath: stateRoot + "/" + id) {
            found.append("state entry \(stateRoot)/\(id)")
        }
        for id in ids {
            found += cgroupDirectories(of: id).map { "cgroup \($0)" }
        }
        found += mountsUnder([dir, rootfs]).map { "mount \($0)" }
        found += markedProcesses().map { "process \($0)" }
        // A zombie init holds nothing but its pid until the host's PID 1 reaps it, which
        // happens on that process's schedule, not ours.
        for (pid, start) in inits.withLock({ $0 }) where processStartTime(pid) == start {
            let state = processState(pid)
            if state != "Z" { found.append("init \(pid) still running (state \(state.map(String.init) ?? "?"))") }
        }
        return found
    }

    /// The container's cgroup directory in every hierarchy that has it (v1 controllers, the
    /// named systemd hierarchy, cgroup2 at /sys/fs/cgroup or /sys/fs/cgroup/unified).
    func cgroupDirectories(of id: String) -> [String] {
        var candidates = ["/sys/fs/cgroup/\(Self.cgroupParent)/\(id)"]
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            candidates.append("/sys/fs/cgroup/\(hierarchy)/\(Self.cgroupParent)/\(id)")
        }
        return candidates.filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// Processes whose environment holds this sandbox's marker.
    func markedProcesses() -> [Int32] {
        let needle = Array("SWIFTLET_ITEST=\(marker)".utf8)
        var pids: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != getpid() else { continue }
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            if data.split(separator: 0).contains(where: { Array($0) == needle }) { pids.append(pid) }
        }
        return pids
    }

    /// Deletes every tracked container, then expects nothing left behind.
    func cleanUp(sourceLocation: SourceLocation) async {
        for id in trackedIDs where FileManager.default.fileExists(atPath: stateRoot + "/" + id) {
            _ = try? await swiftlet(["delete", "--force", id])
        }
        var left: [String] = []
        _ = await eventually(timeout: 3) {
            left = self.leftovers()
            return left.isEmpty
        }
        #expect(left.isEmpty, "left behind after delete --force: \(left)", sourceLocation: sourceLocation)
        // Never remove a tree that still has something mounted in it.
        if mountsUnder([dir]).isEmpty {
            try? FileManager.default.removeItem(atPath: dir)
        }
    }
}

/// Runs `body` with a fresh sandbox and cleans up afterwards, also when it throws.
func withSandbox(_ name: String, sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: (Sandbox) async throws -> Void) async throws {
    let sandbox = try Sandbox(name)
    do {
        try await body(sandbox)
    } catch {
        await sandbox.cleanUp(sourceLocation: sourceLocation)
        throw error
    }
    await sandbox.cleanUp(sourceLocation: sourceLocation)
}

/// What `swiftlet state` prints.
struct ContainerStateOutput: Decodable, Sendable {
    let ociVersion: String
    let id: String
    let pid: Int32
    let status: String
    let bundle: String
    let rootfs: String?
    let created: String?
    let annotations: [String: String]?
}

/// Field 22 of /proc/PID/stat, nil when there is no such process.
func processStartTime(_ pid: Int32) -> UInt64? {
    guard let text = readText("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    return fields.count > 19 ? UInt64(fields[19]) : nil
}

/// Field 3 of /proc/PID/stat (R, S, Z, ...).
func processState(_ pid: Int32) -> Character? {
    guard let text = readText("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
    return text[text.index(after: close)...].split(separator: " ").first?.first
}

/// Mount points in this (the host's) mount namespace under any of `prefixes`.
func mountsUnder(_ prefixes: [String]) -> [String] {
    guard let text = readText("/proc/self/mountinfo") else { return [] }
    return text.split(separator: "\n").compactMap { line -> String? in
        let fields = line.split(separator: " ")
        guard fields.count > 4 else { return nil }
        let point = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
        return prefixes.contains { point == $0 || point.hasPrefix($0 + "/") } ? point : nil
    }
}

/// The children of `pid` (all its threads), zombies included.
func directChildren(of pid: Int32) -> [Int32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.flatMap { task in
        (readText("/proc/\(pid)/task/\(task)/children") ?? "").split(separator: " ").compactMap { Int32($0) }
    }
}

/// Every descendant of `pid` (children files of each task), zombies included.
func descendants(of pid: Int32) -> [Int32] {
    var result: [Int32] = []
    var queue = [pid]
    while let next = queue.popLast() {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(next)/task")) ?? []
        for task in tasks {
            let children = readText("/proc/\(next)/task/\(task)/children") ?? ""
            for child in children.split(separator: " ").compactMap({ Int32($0) }) where !result.contains(child) {
                result.append(child)
                queue.append(child)
            }
        }
    }
    return result
}
