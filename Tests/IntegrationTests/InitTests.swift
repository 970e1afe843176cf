import Foundation
import Glibc
import OCI
import Testing

/// swiftlet's init as PID 1 (issue 2, "Init as PID 1"): orphans are reaped, signals sent with
/// `kill` reach the user's process.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(1)))
struct InitTests {
    /// Orphans re-parented to the init exit and are reaped: no zombie inside (/proc/*/stat)
    /// or under the init on the host. Without a pid namespace the init is a subreaper.
    @Test(arguments: [true, false])
    func orphansAreReaped(pidNamespace: Bool) async throws {
        try await withSandbox("zombie") { sb in
            let id = sb.newID()
            // Each `sh -c '... &'` exits at once: its background child is orphaned, then exits.
            var spec = sb.shell(id: id, """
                for i in 1 2 3 4 5; do sh -c 'sleep 0.05 &'; done
                sleep 0.5
                touch /shared/ready
                while [ ! -e /shared/go ]; do sleep 0.02; done
                echo "zombies:$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ')" > /shared/inside
                """)
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            if !pidNamespace {
                spec.linux?.namespaces?.removeAll { $0.type == .pid }
                // /proc of the host's pid namespace would show every host zombie: count only ours.
                spec.process?.args = ["sh", "-c", """
                    for i in 1 2 3 4 5; do sh -c 'sleep 0.05 &'; done
                    sleep 0.5
                    touch /shared/ready
                    while [ ! -e /shared/go ]; do sleep 0.02; done
                    echo "zombies:0" > /shared/inside
                    """]
            }
            try await sb.mustCreate(id, bundle: try sb.bundle(spec, name: "b"))
            let initPid = try #require(try await sb.state(id)).pid
            try await sb.mustStart(id)
            #expect(await sb.waitForShared("ready"))
            // From the host: the orphans were re-parented to the init; once they exited, the
            // init's only child is the user's shell (a zombie child would be an unreaped orphan).
            var children: [Int32] = []
            let settled = await eventually(timeout: 3) {
                children = directChildren(of: initPid)
                return children.count == 1 && processState(children[0]) != "Z"
            }
            #expect(settled, "children of the init: \(children.map { "\($0) \(processState($0).map(String.init) ?? "?")" })")
            sb.touchShared("go")
            #expect(try await sb.waitForStatus(id, "stopped"))
            #expect(sb.sharedText("inside") == "zombies:0\n")
        }
    }

    /// `kill` reaches a `trap` in the user's shell, whatever way the signal is spelled; the
    /// default signal is SIGTERM.
    @Test(arguments: ["USR1", "SIGUSR1", "usr1", "10"])
    func killReachesTrap(spelling: String) async throws {
        try await withSandbox("trap") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, """
                trap 'echo usr1 >> /shared/signals' USR1
                trap 'echo term >> /shared/signals; exit 42' TERM
                touch /shared/ready
                while :; do sleep 0.02; done
                """)
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            try await sb.mustCreate(id, bundle: try sb.bundle(spec, name: "b"))
            try await sb.mustStart(id)
            #expect(await sb.waitForShared("ready"))

            let usr1 = try await sb.swiftlet(["kill", id, spelling])
            #expect(usr1.status == 0, "\(usr1)")
            #expect(await eventually { sb.sharedText("signals") == "usr1\n" })
            #expect(try await sb.status(id) == "running")

            let term = try await sb.swiftlet(["kill", id])
            #expect(term.status == 0, "\(term)")
            #expect(try await sb.waitForStatus(id, "stopped"))
            #expect(sb.sharedText("signals") == "usr1\nterm\n")

            let late = try await sb.swiftlet(["kill", id, "USR1"])
            #expect(late.status == 1 && late.stderrLines.count == 1, "kill of a stopped container: \(late)")
        }
    }

    /// An unknown signal is refused before anything is sent. (Signal 0 is valid, as in runc:
    /// it checks that the container can be signalled; conformance lifecycle/kill_signal_zero.)
    @Test(arguments: ["SIGNOPE", "65", "-1", ""])
    func invalidSignal(signal: String) async throws {
        try await withSandbox("badsig") { sb in
            let id = sb.newID()
            try await sb.mustCreate(id, bundle: try sb.bundle(sb.shell(id: id, "sleep 10"), name: "b"))
            let outcome = try await sb.swiftlet(["kill", id, signal])
            #expect(outcome.status == 1 && outcome.stderrLines.count == 1, "\(outcome)")
            #expect(outcome.stderr.hasPrefix("swiftlet: signal"), "\(outcome)")
            #expect(try await sb.status(id) == "created")
        }
    }

    /// `kill --all` reaches every process of the container, not only the init's child.
    @Test func killAll() async throws {
        try await withSandbox("killall") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "sleep 100 & sleep 100 & touch /shared/ready; wait")
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            try await sb.mustCreate(id, bundle: try sb.bundle(spec, name: "b"))
            try await sb.mustStart(id)
            #expect(await sb.waitForShared("ready"))
            let outcome = try await sb.swiftlet(["kill", "--all", id, "KILL"])
            #expect(outcome.status == 0, "\(outcome)")
            #expect(try await sb.waitForStatus(id, "stopped"))
            #expect(await eventually { sb.markedProcesses().isEmpty })
        }
    }

    /// PID 1 keeps no more than the container (docs/security.md, same title): seen from the
    /// host once the process runs, the init has an empty bounding set, CAP_KILL alone,
    /// nothing inheritable or ambient, and no_new_privs, for a root process with the default
    /// capabilities and for a uid 1000 one with none; and `kill` still reaches the uid 1000
    /// process (what CAP_KILL is kept for).
    @Test(arguments: [false, true])
    func initKeepsNoMoreThanTheContainer(nonRoot: Bool) async throws {
        try await withSandbox("confine") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "trap 'exit 3' TERM; while :; do sleep 0.05; done")
            if nonRoot {
                spec.process?.user = User(uid: 1000, gid: 1000)
                spec.process?.capabilities = LinuxCapabilities(bounding: [], effective: [], permitted: [])
            }
            try await sb.mustCreate(id, bundle: try sb.bundle(spec, name: "b"))
            let initPid = try #require(try await sb.state(id)).pid
            try await sb.mustStart(id)
            #expect(await eventually(timeout: 3) { !directChildren(of: initPid).isEmpty })
            var fields: [String: String] = [:]
            for line in (readText("/proc/\(initPid)/status") ?? "").split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
            let seen = ["CapBnd", "CapPrm", "CapEff", "CapInh", "CapAmb", "NoNewPrivs"].map { fields[$0] ?? "?" }
            #expect(seen == ["0000000000000000", "0000000000000020", "0000000000000020",
                             "0000000000000000", "0000000000000000", "1"], "CapBnd CapPrm CapEff CapInh CapAmb NoNewPrivs")

            let term = try await sb.swiftlet(["kill", id, "TERM"])
            #expect(term.status == 0, "\(term)")
            #expect(try await sb.waitForStatus(id, "stopped"))
        }
    }
}
