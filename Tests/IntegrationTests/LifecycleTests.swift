import Foundation
import OCI
import Testing

/// runtime-spec runtime.md "Lifecycle" and "State" with real containers: the status at every
/// step as `state` reports it and as the host sees the init, and the exit status of `run`.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(1)))
struct LifecycleTests {
    /// creating (seen by a createRuntime hook) -> created -> running -> stopped -> gone, with
    /// the init checked on the host at each step.
    @Test func stateAtEveryStep() async throws {
        try await withSandbox("life") { sb in
            let id = sb.newID()
            let binary = try #require(Harness.binary)
            var spec = sb.shell(id: id, "touch /shared/started; while [ ! -e /shared/go ]; do sleep 0.02; done; exit 0")
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            spec.annotations = ["org.swiftlet.test": "lifecycle"]
            // The runtime is still inside `create` when createRuntime hooks run.
            spec.hooks = Hooks(createRuntime: [Hook(
                path: "/bin/sh",
                args: ["sh", "-c", "\"$0\" --root \"$1\" state \"$2\" > \"$3\"", binary, sb.stateRoot, id, sb.shared + "/creating.json"])])
            let bundle = try sb.bundle(spec, name: "b")
            let pidFile = sb.dir + "/init.pid"

            #expect(try await sb.state(id) == nil, "state before create")
            try await sb.mustCreate(id, bundle: bundle, extra: ["--pid-file", pidFile])

            let creating = try JSONDecoder().decode(ContainerStateOutput.self,
                                                    from: Data((sb.sharedText("creating.json") ?? "").utf8))
            #expect(creating.status == "creating" && creating.id == id)

            let created = try #require(try await sb.state(id))
            #expect(created.status == "created")
            #expect(created.id == id && created.ociVersion == "1.2.0")
            #expect(created.bundle == bundle)
            #expect(created.rootfs == sb.rootfs)
            #expect(created.annotations == ["org.swiftlet.test": "lifecycle"])
            #expect(created.pid > 0)
            #expect(readText(pidFile) == "\(created.pid)")
            // The init exists on the host, in its own pid namespace, and has not run the process.
            #expect(FileManager.default.fileExists(atPath: "/proc/\(created.pid)"))
            let initNS = Harness.namespaces(of: "\(created.pid)")
            #expect(initNS["pid"] != nil && initNS["pid"] != Harness.hostNamespaces()["pid"])
            #expect(sb.sharedText("started") == nil, "the process ran before start")
            let listed = try await sb.swiftlet(["list", "-q"])
            #expect(listed.stdout.split(separator: "\n").contains(Substring(id)))

            // Only a stopped container may be deleted without --force.
            let early = try await sb.swiftlet(["delete", id])
            #expect(early.status == 1 && early.stderrLines.count == 1, "\(early)")

            try await sb.mustStart(id)
            #expect(await sb.waitForShared("started"))
            let running = try #require(try await sb.state(id))
            #expect(running.status == "running" && running.pid == created.pid)
            let again = try await sb.swiftlet(["start", id])
            #expect(again.status == 1, "start of a running container: \(again)")

            sb.touchShared("go")
            #expect(try await sb.waitForStatus(id, "stopped"))
            let stopped = try #require(try await sb.state(id))
            #expect(stopped.pid == 0)
            #expect(await eventually { processStartTime(created.pid) == nil || Harness.namespaces(of: "\(created.pid)")["pid"] != initNS["pid"] })
            let startStopped = try await sb.swiftlet(["start", id])
            #expect(startStopped.status == 1)

            let deleted = try await sb.swiftlet(["delete", id])
            #expect(deleted.status == 0, "\(deleted)")
            #expect(try await sb.state(id) == nil)
            #expect(!FileManager.default.fileExists(atPath: sb.stateRoot + "/" + id))
            #expect(sb.cgroupDirectories(of: id).isEmpty)
            let gone = try await sb.swiftlet(["state", id])
            #expect(gone.status == 1 && gone.stderr.contains("does not exist"), "\(gone)")
        }
    }

    /// `run` exits with the process's status, 128+N when signal N killed it, and leaves nothing.
    @Test(arguments: [
        ("exit 0", Int32(0)), ("exit 3", 3), ("kill -KILL $$", 137), ("kill -TERM $$", 143), ("exit 255", 255),
    ])
    func exitCodes(script: String, expected: Int32) async throws {
        try await withSandbox("exit") { sb in
            let id = sb.newID()
            let bundle = try sb.bundle(sb.shell(id: id, script), name: "b")
            let outcome = try await sb.swiftlet(["run", "--bundle", bundle, id])
            #expect(outcome.status == expected, "\(outcome)")
            #expect(outcome.stderr.isEmpty, "\(outcome)")
            #expect(try await sb.state(id) == nil)
        }
    }

    /// create/start/kill: `state` turns to stopped when the process kills itself.
    @Test func stoppedAfterSelfKill() async throws {
        try await withSandbox("selfkill") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "while [ ! -e /shared/go ]; do sleep 0.02; done; kill -KILL $$")
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            try await sb.mustCreate(id, bundle: try sb.bundle(spec, name: "b"))
            try await sb.mustStart(id)
            #expect(try await sb.status(id) == "running")
            sb.touchShared("go")
            #expect(try await sb.waitForStatus(id, "stopped"))
            let outcome = try await sb.swiftlet(["delete", id])
            #expect(outcome.status == 0, "\(outcome)")
        }
    }

    /// The process's stdout reaches the caller of `run` and of `create` untouched.
    @Test func stdioPassesThrough() async throws {
        try await withSandbox("stdio") { sb in
            let id = sb.newID()
            let bundle = try sb.bundle(sb.shell(id: id, "echo out-$((6*7)); echo err-line >&2; hostname"), name: "b")
            let outcome = try await sb.swiftlet(["run", "--bundle", bundle, id])
            #expect(outcome.status == 0)
            #expect(outcome.stdout == "out-42\nitest\n")
            #expect(outcome.stderr == "err-line\n")
        }
    }
}
