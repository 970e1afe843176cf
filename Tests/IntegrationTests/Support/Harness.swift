import Foundation
import Glibc
import OCI
import Testing

/// What the integration tests need from the host: root, the built `swiftlet` (with
/// `swiftlet-init` beside it) and a static busybox for the rootfs. Every suite is
/// `.enabled(if: Harness.ready)` and says why it skipped. What single tests need beyond that
/// (user, time and cgroup namespaces, seccomp actions, cgroup controllers, a static C
/// toolchain) is probed once in `HostProbe` and gates those tests with a reason.
enum Harness {
    /// `<package>/` from this file's path (`Tests/IntegrationTests/Support/Harness.swift`).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `$SWIFTLET` (scripts/test.sh sets it to the release build), else the `swiftlet` built
    /// next to this test binary, else `.build/debug/swiftlet`.
    static let binary: String? = {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["SWIFTLET"], !explicit.isEmpty {
            return fm.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        var candidates: [String] = []
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((exe as NSString).deletingLastPathComponent + "/swiftlet")
        }
        candidates.append(packageRoot + "/.build/debug/swiftlet")
        return candidates.first { fm.isExecutableFile(atPath: $0) }
    }()

    static let busybox = ProcessInfo.processInfo.environment["BUSYBOX"] ?? "/bin/busybox"

    /// Why the integration tests cannot run here, or nil when they can.
    static let skipReason: String? = {
        if geteuid() != 0 {
            return "integration tests run real containers and need root (namespaces, mounts, cgroups); run `swift test` as root"
        }
        if binary == nil {
            if let explicit = ProcessInfo.processInfo.environment["SWIFTLET"], !explicit.isEmpty {
                return "SWIFTLET=\(explicit) is not an executable"
            }
            return "no swiftlet binary: run `swift build` first or set SWIFTLET=/path/to/swiftlet"
        }
        if !FileManager.default.isExecutableFile(atPath: busybox) {
            return "no static busybox at \(busybox) for the test rootfs (apt-get install busybox-static, or set BUSYBOX)"
        }
        return nil
    }()

    static var ready: Bool { skipReason == nil }
    static var skipComment: Comment { Comment(rawValue: skipReason ?? "") }

    /// Scratch space of this test process (I/O capture files).
    static let scratch: String = {
        let dir = NSTemporaryDirectory() + "swiftlet-itest-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Gone with the test process, so that runs leave no scratch directories in /tmp.
        atexit { _ = try? FileManager.default.removeItem(atPath: Harness.scratch) }
        return dir
    }()

    /// The busybox-static rootfs, built once by conformance/lib/rootfs.sh and reused across
    /// runs (containers see it read-only: root.readonly is true). It holds every mount point
    /// the suites bind over (`mountPoints`) before any test runs: a destination the runtime
    /// had to create would appear in the rootfs all the tests share while they run in
    /// parallel, and a container root mapped to an unprivileged host uid cannot create it.
    static let rootfs: Result<String, HarnessError> = {
        let dest = NSTemporaryDirectory() + "swiftlet-itest-rootfs"
        return buildRootfs(dest).flatMap { rootfs in
            for dir in mountPoints {
                if mkdir(rootfs + dir, 0o755) != 0 && errno != EEXIST {
                    return .failure(HarnessError("mkdir \(rootfs + dir): \(String(cString: strerror(errno)))"))
                }
            }
            return .success(rootfs)
        }
    }()

    /// The bind-mount destinations the suites use that the busybox tree does not have.
    static let mountPoints = ["/shared", "/data", "/mnt/scratch"]

    private static func buildRootfs(_ dest: String) -> Result<String, HarnessError> {
        let fm = FileManager.default
        if fm.isExecutableFile(atPath: dest + "/bin/busybox") { return .success(dest) }
        let build = Foundation.Process()
        build.executableURL = URL(fileURLWithPath: "/bin/bash")
        build.arguments = [packageRoot + "/conformance/lib/rootfs.sh", dest]
        build.standardInput = FileHandle.nullDevice
        do {
            try build.run()
        } catch {
            return .failure(HarnessError("cannot run conformance/lib/rootfs.sh: \(error)"))
        }
        build.waitUntilExit()
        // A concurrent test run may have won the rename: its rootfs is as good as ours.
        if fm.isExecutableFile(atPath: dest + "/bin/busybox") { return .success(dest) }
        return .failure(HarnessError("conformance/lib/rootfs.sh \(dest) failed with status \(build.terminationStatus)"))
    }

    /// Host namespace links (`net:[4026531840]`) of this test process, by /proc/self/ns name.
    static func hostNamespaces() -> [String: String] {
        namespaces(of: "self")
    }

    static func namespaces(of pid: String) -> [String: String] {
        var result: [String: String] = [:]
        for name in ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"] {
            if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(name)") {
                result[name] = link
            }
        }
        return result
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The result of one subprocess.
struct Outcome: Sendable, CustomStringConvertible {
    /// The exit status, or 128+N when killed by signal N.
    let status: Int32
    let stdout: String
    let stderr: String

    var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
    var description: String {
        "exit \(status), stdout \(stdout.debugDescription), stderr \(stderr.debugDescription)"
    }
}

enum Subprocess {
    /// Runs `path args` with stdin from `input` (else /dev/null), stdout and stderr to files (a
    /// pipe would stay open in a container's init, which inherits `create`'s stdio). Passing
    /// `stdoutPath` keeps the output there (the container keeps writing to it after `create`).
    static func run(_ path: String, _ args: [String], input: String? = nil, stdoutPath: String? = nil,
                    timeout: Double = 30, environment: [String: String] = [:]) async throws -> Outcome {
        let base = Harness.scratch + "/" + UUID().uuidString
        let outPath = stdoutPath ?? base + ".out"
        let errPath = base + ".err"
        let fm = FileManager.default
        if !fm.fileExists(atPath: outPath) { fm.createFile(atPath: outPath, contents: nil) }
        fm.createFile(atPath: errPath, contents: nil)
        if let input { fm.createFile(atPath: base + ".in", contents: Data(input.utf8)) }
        defer {
            if stdoutPath == nil { try? fm.removeItem(atPath: outPath) }
            try? fm.removeItem(atPath: errPath)
            try? fm.removeItem(atPath: base + ".in")
        }
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw HarnessError("cannot open capture files \(base).*")
        }
        defer {
            try? out.close()
            try? err.close()
        }
        let inHandle = input == nil ? FileHandle.nullDevice : FileHandle(forReadingAtPath: base + ".in")
        defer { if input != nil { try? inHandle?.close() } }

        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = inHandle
        process.standardOutput = out
        process.standardError = err
        let started = Date()
        // The pid to kill on timeout; zeroed as soon as the process is gone, so the timer can
        // never hit a reused pid.
        let livePid = Locked<Int32>(0)
        let timer = Task.detached {
            do { try await Task.sleep(for: .seconds(timeout)) } catch { return }
            livePid.withLock { pid in if pid > 0 { kill(pid, SIGKILL) } }
        }
        defer { timer.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { p in
                livePid.withLock { $0 = 0 }
                let code = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
                continuation.resume(returning: code)
            }
            do {
                try livePid.withLock { pid in
                    try process.run()
                    pid = process.processIdentifier
                }
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: HarnessError("cannot run \(path): \(error)"))
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        if status == 137 && elapsed >= timeout {
            throw HarnessError("\(path) \(args.joined(separator: " ")) timed out after \(timeout)s; stderr: \(stderr)")
        }
        return Outcome(status: status, stdout: stdout, stderr: stderr)
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func eventually(timeout: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try await condition() { return true }
        if Date() > deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
}

/// Reads a small text file, nil when it does not exist.
func readText(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
}

/// `key value` lines (the first space splits) as a dictionary.
func keyValues(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    for line in text.split(separator: "\n") {
        guard let space = line.firstIndex(of: " ") else { result[String(line)] = ""; continue }
        result[String(line[..<space])] = String(line[line.index(after: space)...])
    }
    return result
}

/// A value behind a lock, shareable between tasks.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
