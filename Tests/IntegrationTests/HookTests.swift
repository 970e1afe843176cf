import Foundation
import OCI
import Testing

/// runtime-spec config.md "POSIX-platform Hooks" and runtime.md "Lifecycle": every kind runs
/// at its step, in order, with its args and env, and the state on stdin.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(1)))
struct HookTests {
    /// A hook that saves its stdin as `<dir>/<label>.json` and appends `<label> $HOOKVAR` to
    /// `<dir>/order`; `dir` is a host path or, for startContainer, the container's /shared.
    static func recorder(_ label: String, dir: String, shell: String = "/bin/sh") -> Hook {
        Hook(path: shell, args: ["sh", "-c", "cat > \"$0/$1.json\"; echo \"$1 $HOOKVAR\" >> \"$0/order\"", dir, label],
             env: ["HOOKVAR=\(label)-env"], timeout: 10)
    }

    @Test func hooksRunInOrderWithState() async throws {
        try await withSandbox("hooks") { sb in
            let id = sb.newID()
            let host = sb.shared
            var spec = sb.shell(id: id, "while [ ! -e /shared/go ]; do sleep 0.02; done; echo process >> /shared/order")
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            spec.hooks = Hooks(
                prestart: [Self.recorder("prestart", dir: host)],
                createRuntime: [Self.recorder("createRuntime1", dir: host), Self.recorder("createRuntime2", dir: host)],
                // Runs in the container's namespaces before pivot_root: host paths still resolve.
                createContainer: [Self.recorder("createContainer", dir: host)],
                // Runs in the container after pivot_root: the container's own sh and paths.
                startContainer: [Self.recorder("startContainer", dir: "/shared")],
                poststart: [Self.recorder("poststart", dir: host)],
                poststop: [Self.recorder("poststop", dir: host)])
            let bundle = try sb.bundle(spec, name: "b")
            try await sb.mustCreate(id, bundle: bundle)
            let pid = try #require(try await sb.state(id)).pid
            #expect(Self.order(sb) == ["prestart", "createRuntime1", "createRuntime2", "createContainer"])

            try await sb.mustStart(id)
            // start returns after the poststart hooks.
            #expect(Self.order(sb).suffix(2) == ["startContainer", "poststart"])
            sb.touchShared("go")
            #expect(try await sb.waitForStatus(id, "stopped"))
            let deleted = try await sb.swiftlet(["delete", id])
            #expect(deleted.status == 0, "\(deleted)")

            #expect(Self.order(sb) == ["prestart", "createRuntime1", "createRuntime2", "createContainer", "startContainer",
                                       "poststart", "process", "poststop"])
            let envs = (sb.sharedText("order") ?? "").split(separator: "\n").filter { !$0.hasPrefix("process") }
            #expect(envs.allSatisfy { line in
                let parts = line.split(separator: " ")
                return parts.count == 2 && parts[1] == parts[0] + "-env"
            }, "hooks did not get their env: \(envs)")

            let expected: [(String, String)] = [
                ("prestart", "creating"), ("createRuntime1", "creating"), ("createRuntime2", "creating"),
                ("createContainer", "creating"), ("startContainer", "created"), ("poststart", "running"),
                ("poststop", "stopped"),
            ]
            for (label, status) in expected {
                let json = try #require(sb.sharedText("\(label).json"), "\(label) wrote no state")
                let state = try State.decode(Data(json.utf8))
                #expect(state.id == id, "\(label)")
                #expect(state.status.rawValue == status, "\(label): status \(state.status.rawValue)")
                #expect(state.bundle == bundle, "\(label)")
                if status == "stopped" {
                    #expect(state.pid == nil || state.pid == 0, "\(label): pid \(state.pid ?? -1)")
                } else {
                    #expect(state.pid == pid, "\(label): pid \(state.pid ?? -1), init \(pid)")
                }
            }
        }
    }

    /// A failing createRuntime hook aborts create: exit 1 naming the hook, nothing left behind,
    /// later hooks not run.
    @Test func failingCreateHookCleansUp() async throws {
        try await withSandbox("hookfail") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "true")
            spec.hooks = Hooks(
                createRuntime: [Hook(path: "/bin/sh", args: ["sh", "-c", "exit 7"])],
                createContainer: [Self.recorder("createContainer", dir: sb.shared)])
            let outcome = try await sb.create(id, bundle: try sb.bundle(spec, name: "b"))
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderrLines.count == 1, "\(outcome)")
            #expect(outcome.stderr.contains("hooks.createRuntime[0]") && outcome.stderr.contains("7"), "\(outcome)")
            #expect(sb.sharedText("order") == nil)
            #expect(sb.leftovers(ids: [id]).isEmpty, "\(sb.leftovers(ids: [id]))")
        }
    }

    static func order(_ sb: Sandbox) -> [String] {
        (sb.sharedText("order") ?? "").split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }
    }
}
