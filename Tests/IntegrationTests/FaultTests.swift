import Foundation
import Glibc
import OCI
import SwiftletCore
import Testing

/// Faults (issue 8): the runtime SIGKILLed at each step of `create` (SWIFTLET_FAULT, see
/// docs/reliability.md), the init dying before `start`, a state dir whose process is gone (a
/// host reboot, or a reused pid), a lock whose holder died or hangs, and a full disk under
/// --root. After each, `delete` must clean up everything, and every error is one line.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(3)))
struct FaultTests {
    struct Step: Sendable, CustomTestStringConvertible {
        let name: String
        let userNamespace: Bool
        var testDescription: String { name + (userNamespace ? " (user namespace)" : "") }
    }

    static let steps: [Step] = Fault.steps.flatMap { name -> [Step] in
        name == "after-id-maps" ? [Step(name: name, userNamespace: true)]
            : [Step(name: name, userNamespace: false), Step(name: name, userNamespace: true)]
    }

    static func spec(_ sb: Sandbox, id: String, userNamespace: Bool, _ script: String = "sleep 100") -> Spec {
        var spec = sb.shell(id: id, script)
        if userNamespace {
            spec.linux?.namespaces?.append(LinuxNamespace(type: .user))
            spec.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
            spec.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
        }
        return spec
    }

    /// The pid recorded in state.json, read directly (the runtime may be gone mid-create).
    static func recordedPID(_ sb: Sandbox, _ id: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: sb.stateRoot + "/\(id)/state.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return (object["pid"] as? NSNumber)?.int32Value
    }

    @Test(.enabled(if: FaultBuild.binary != nil, FaultBuild.skipComment), arguments: steps.filter { !$0.userNamespace })
    func killedDuringCreate(_ step: Step) async throws {
        try await Self.killed(step)
    }

    @Test(.enabled(if: FaultBuild.binary != nil, FaultBuild.skipComment), HostProbe.requires(HostProbe.userNamespaces),
          arguments: steps.filter(\.userNamespace))
    func killedDuringCreateInUserNamespace(_ step: Step) async throws {
        try await Self.killed(step)
    }

    static func killed(_ step: Step) async throws {
        try await withSandbox("fault") { sb in
            let id = sb.newID()
            let bundle = try sb.bundle(Self.spec(sb, id: id, userNamespace: step.userNamespace), name: "b")
            let outcome = try await sb.create(id, bundle: bundle, extra: ["--pid-file", sb.dir + "/pid"],
                                              environment: ["SWIFTLET_FAULT": step.name], binary: FaultBuild.binary)
            #expect(outcome.status == 128 + SIGKILL, "the runtime should die at \(step.name): \(outcome)")
            if let pid = Self.recordedPID(sb, id), pid > 0 { sb.rememberInit(pid) }
            // `state` either reports the container or says in one line that there is none.
            let state = try await sb.swiftlet(["state", id])
            #expect(state.status == 0 || state.stderrLines.count == 1, "\(state)")
            let deleted = try await sb.swiftlet(["delete", "--force", id], timeout: 15)
            #expect(deleted.status == 0, "\(deleted)")
            #expect(!FileManager.default.fileExists(atPath: sb.stateRoot + "/" + id))
            let left = await Self.settledLeftovers(sb)
            #expect(left.isEmpty, "after \(step.name): \(left)")
            // The lock died with the runtime: the id is free again at once.
            let again = try await sb.create(id, bundle: bundle)
            #expect(again.status == 0, "\(again)")
            if let state = try await sb.state(id) { sb.rememberInit(state.pid) }
        }
    }

    static func settledLeftovers(_ sb: Sandbox) async -> [String] {
        var left: [String] = []
        _ = await eventually(timeout: 3) {
            left = sb.leftovers()
            return left.isEmpty
        }
        return left
    }

    @Test func initDiesBeforeStart() async throws {
        try await withSandbox("initdies") { sb in
            let id = sb.newID()
            try await sb.mustCreate(id, bundle: try sb.bundle(sb.shell(id: id, "echo never"), name: "b"))
            let pid = try #require(try await sb.state(id)).pid
            #expect(kill(pid, SIGKILL) == 0)
            #expect(try await sb.waitForStatus(id, "stopped"))
            let start = try await sb.swiftlet(["start", id])
            #expect(start.status == 1 && start.stderrLines.count == 1 && start.stderr.hasPrefix("swiftlet: "), "\(start)")
            let killed = try await sb.swiftlet(["kill", id, "TERM"])
            #expect(killed.status == 1 && killed.stderrLines.count == 1, "\(killed)")
            let deleted = try await sb.swiftlet(["delete", id])
            #expect(deleted.status == 0, "\(deleted)")
            let left = await Self.settledLeftovers(sb)
            #expect(left.isEmpty, "\(left)")
        }
    }

    /// A host reboot leaves state.json naming a pid that is gone; a reused pid names a live
    /// process with another start time (here: the test process itself, which must survive).
    @Test(arguments: ["gone", "reused"])
    func stateWithoutItsProcess(_ kind: String) async throws {
        try await withSandbox("reboot") { sb in
            let id = sb.newID()
            try await sb.mustCreate(id, bundle: try sb.bundle(sb.shell(id: id, "sleep 100"), name: "b"))
            let file = sb.stateRoot + "/\(id)/state.json"
            var saved = try #require(try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            // Everything the container had goes away, as on a reboot (tmpfs /run aside).
            let gone = try await sb.swiftlet(["delete", "--force", id])
            #expect(gone.status == 0, "\(gone)")
            if kind == "reused" { saved["pid"] = getpid() }
            try FileManager.default.createDirectory(atPath: sb.stateRoot + "/" + id, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: saved).write(to: URL(fileURLWithPath: file))

            let state = try #require(try await sb.state(id))
            #expect(state.status == "stopped" && state.pid == 0, "\(state)")
            let killed = try await sb.swiftlet(["kill", id, "KILL"])
            #expect(killed.status == 1 && killed.stderrLines.count == 1, "\(killed)")
            let list = try await sb.swiftlet(["list"])
            #expect(list.status == 0 && list.stdout.contains("stopped"), "\(list)")
            let deleted = try await sb.swiftlet(["delete", id])
            #expect(deleted.status == 0, "\(deleted)")
            #expect(!FileManager.default.fileExists(atPath: sb.stateRoot + "/" + id))
        }
    }

    /// A state dir with a damaged state.json: `delete` refuses in one line, `delete --force`
    /// removes it.
    @Test func damagedStateFile() async throws {
        try await withSandbox("damaged") { sb in
            let id = sb.newID()
            try FileManager.default.createDirectory(atPath: sb.stateRoot + "/" + id, withIntermediateDirectories: true)
            try Data("{\"id\": ".utf8).write(to: URL(fileURLWithPath: sb.stateRoot + "/\(id)/state.json"))
            let state = try await sb.swiftlet(["state", id])
            #expect(state.status == 1 && state.stderrLines.count == 1, "\(state)")
            let plain = try await sb.swiftlet(["delete", id])
            #expect(plain.status == 1 && plain.stderrLines.count == 1, "\(plain)")
            let forced = try await sb.swiftlet(["delete", "--force", id])
            #expect(forced.status == 0, "\(forced)")
            #expect(!FileManager.default.fileExists(atPath: sb.stateRoot + "/" + id))
        }
    }

    /// The container lock is an flock on the state dir: a holder that dies releases it, and a
    /// command waiting behind a live holder proceeds as soon as it lets go.
    @Test func staleAndHeldLocks() async throws {
        try await withSandbox("lock") { sb in
            let id = sb.newID()
            try await sb.mustCreate(id, bundle: try sb.bundle(sb.shell(id: id, "sleep 100"), name: "b"))
            // A holder killed with SIGKILL while it has the lock.
            let holder = try Self.spawn("/usr/bin/flock", ["-F", "-x", sb.stateRoot + "/" + id, "/bin/sleep", "100"])
            #expect(await eventually(timeout: 10) { Self.isLocked(sb.stateRoot + "/" + id) }, "flock never took the lock")
            kill(holder, SIGKILL)
            var status: Int32 = 0
            waitpid(holder, &status, 0)
            #expect(!Self.isLocked(sb.stateRoot + "/" + id), "the lock outlived its holder")
            // A live holder: `delete --force` waits for it, and succeeds once it lets go.
            let slow = try Self.spawn("/usr/bin/flock", ["-F", "-x", sb.stateRoot + "/" + id, "/bin/sleep", "100"])
            #expect(await eventually(timeout: 10) { Self.isLocked(sb.stateRoot + "/" + id) }, "flock never took the lock")
            let finished = Locked(false)
            let deletion = Task { () throws -> Outcome in
                defer { finished.withLock { $0 = true } }
                return try await sb.swiftlet(["delete", "--force", id], timeout: 30)
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(!finished.withLock { $0 }, "delete did not wait for the lock")
            kill(slow, SIGKILL)
            waitpid(slow, &status, 0)
            let deleted = try await deletion.value
            #expect(deleted.status == 0, "\(deleted)")
            #expect(!FileManager.default.fileExists(atPath: sb.stateRoot + "/" + id))
        }
    }

    /// Whether another process holds the flock of `path`.
    static func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0
    }

    static func spawn(_ path: String, _ args: [String]) throws -> pid_t {
        var pid: pid_t = 0
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let rc = posix_spawn(&pid, path, nil, nil, argv, environ)
        guard rc == 0 else { throw HarnessError("spawn \(path): \(rc)") }
        return pid
    }

    /// --root on a tiny tmpfs: out of blocks (state.json cannot be written) and out of inodes
    /// (the start socket cannot be made, after the cgroup exists). Either way one clear line,
    /// and nothing half-written: no entry for the container, no temporary file, no cgroup.
    @Test(arguments: ["blocks", "inodes"])
    func fullDisk(_ kind: String) async throws {
        try await withSandbox("full") { sb in
            let tiny = sb.dir + "/tiny"
            try FileManager.default.createDirectory(atPath: tiny, withIntermediateDirectories: true)
            // Inodes: the root, the container's directory and state.json (rewritten in place
            // after the clone, so it needs no more); the start socket would be the fourth.
            let options = kind == "blocks" ? "size=8k" : "size=1m,nr_inodes=3"
            try BadInputCorpusTests.run("/bin/mount", ["-t", "tmpfs", "-o", options, "swiftlet-full", tiny])
            defer { try? BadInputCorpusTests.run("/bin/umount", [tiny]) }
            if kind == "blocks" {
                // Fill every block.
                let filler = FileHandle(forWritingAtPath: tiny + "/filler") ?? {
                    FileManager.default.createFile(atPath: tiny + "/filler", contents: nil)
                    return FileHandle(forWritingAtPath: tiny + "/filler")
                }()
                for _ in 0..<64 { try? filler?.write(contentsOf: Data(count: 1024)) }
                try? filler?.close()
            }
            let before = (try? FileManager.default.subpathsOfDirectory(atPath: tiny))?.sorted() ?? []
            let id = sb.newID()
            let bundle = try sb.bundle(sb.shell(id: id, "true"), name: "b")
            guard let binary = Harness.binary else { return }
            let outcome = try await Subprocess.run(binary, ["--root", tiny, "create", "--bundle", bundle, id])
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderrLines.count == 1 && outcome.stderr.contains("No space left on device"), "\(outcome)")
            let after = (try? FileManager.default.subpathsOfDirectory(atPath: tiny))?.sorted() ?? []
            #expect(after == before, "left in --root: \(after)")
            #expect(sb.cgroupDirectories(of: id).isEmpty)
            #expect(sb.markedProcesses().isEmpty)
        }
    }
}

/// A swiftlet that has SWIFTLET_FAULT: release binaries do not (Sys+Debug.swift), so the
/// killed-at-each-step tests find a build that says `faults: SWIFTLET_FAULT` in --version:
/// `$SWIFTLET_FAULTS_BINARY`, else `$SWIFTLET`/Harness.binary, else `.build/debug/swiftlet`
/// (debug builds have it; `swift test` builds it). Without one they skip and say so, rather
/// than pass against a binary that would never die.
enum FaultBuild {
    static let binary: String? = {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["SWIFTLET_FAULTS_BINARY"], !explicit.isEmpty { candidates.append(explicit) }
        if let harness = Harness.binary { candidates.append(harness) }
        candidates.append(Harness.packageRoot + "/.build/debug/swiftlet")
        return candidates.first { hasFaults($0) }
    }()

    static var skipComment: Comment {
        Comment(rawValue: "no swiftlet with fault injection (SWIFTLET_FAULT): release builds lack it; build one with `swift build` "
                + "(debug) or `scripts/build-release.sh -Xswiftc -DSWIFTLET_FAULTS --build-path .build/faults` and set "
                + "SWIFTLET_FAULTS_BINARY=.build/faults/release/swiftlet")
    }

    /// Whether `path` is an executable whose --version has the `faults:` line.
    static func hasFaults(_ path: String) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: path) else { return false }
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 && output.contains("\nfaults: SWIFTLET_FAULT")
    }
}
