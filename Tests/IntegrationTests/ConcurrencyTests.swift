import Foundation
import Glibc
import OCI
import Testing

/// Concurrency (issue 8): 200 full lifecycles, 8 at a time; and many processes racing
/// `state`, `kill` and `delete --force` on one container. Every command either succeeds or
/// fails with one `swiftlet: ...` line; `state` output is always whole JSON; nothing is left.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(10)))
struct ConcurrencyTests {
    static let lifecycles = 200
    static let width = 8

    @Test func twoHundredLifecyclesEightAtATime() async throws {
        try await withSandbox("life") { sb in
            let ids = (0..<Self.lifecycles).map { sb.newID("-\($0)") }
            let failures = try await withThrowingTaskGroup(of: String?.self) { group in
                var next = 0
                var failures: [String] = []
                func add() {
                    let id = ids[next]
                    next += 1
                    group.addTask { try await Self.lifecycle(sb, id) }
                }
                while next < Self.width { add() }
                for try await failure in group {
                    if let failure { failures.append(failure) }
                    if next < ids.count { add() }
                }
                return failures
            }
            #expect(failures.isEmpty, "\(failures.count) of \(Self.lifecycles) failed: \(failures.prefix(5))")
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: sb.stateRoot)) ?? []
            #expect(entries.isEmpty, "state entries left: \(entries)")
        }
    }

    static func lifecycle(_ sb: Sandbox, _ id: String) async throws -> String? {
        let bundle = try sb.bundle(sb.shell(id: id, "exit 0"), name: id)
        let created = try await sb.create(id, bundle: bundle)
        guard created.status == 0 else { return "create \(id): \(created)" }
        if let state = try await sb.state(id) { sb.rememberInit(state.pid) }
        let started = try await sb.swiftlet(["start", id])
        guard started.status == 0 else { return "start \(id): \(started)" }
        guard try await sb.waitForStatus(id, "stopped", timeout: 30) else { return "\(id) never stopped" }
        let deleted = try await sb.swiftlet(["delete", id])
        guard deleted.status == 0 else { return "delete \(id): \(deleted)" }
        // This container's own traces; processes and mounts are checked for all at the end.
        if FileManager.default.fileExists(atPath: sb.stateRoot + "/" + id) { return "\(id): state entry left" }
        return sb.cgroupDirectories(of: id).first.map { "\(id): cgroup \($0) left" }
    }

    /// 5 rounds of 36 processes (12 `state`, 12 `kill`, 12 `delete --force`) at one running
    /// container.
    @Test(arguments: 0..<5)
    func racingStateKillDelete(_ round: Int) async throws {
        try await withSandbox("race") { sb in
            let id = sb.newID()
            try await sb.mustCreate(id, bundle: try sb.bundle(sb.shell(id: id, "trap '' TERM; sleep 100"), name: "b"))
            try await sb.mustStart(id)
            let commands: [[String]] = (0..<12).flatMap { i in
                [["state", id], ["kill", id, i % 2 == 0 ? "TERM" : "KILL"], ["delete", "--force", id]]
            }
            let outcomes = try await withThrowingTaskGroup(of: ([String], Outcome).self) { group in
                for args in commands { group.addTask { (args, try await sb.swiftlet(args, timeout: 30)) } }
                var all: [([String], Outcome)] = []
                for try await result in group { all.append(result) }
                return all
            }
            var deletes = 0
            for (args, outcome) in outcomes {
                if outcome.status == 0 {
                    if args[0] == "delete" { deletes += 1 }
                    if args[0] == "state" {
                        let parsed = try? JSONDecoder().decode(ContainerStateOutput.self, from: Data(outcome.stdout.utf8))
                        #expect(parsed?.id == id, "state printed something else: \(outcome)")
                    }
                    #expect(outcome.stderr.isEmpty || args[0] == "delete", "\(args): \(outcome)")
                } else {
                    #expect(outcome.status == 1, "\(args): \(outcome)")
                    #expect(outcome.stderrLines.count == 1 && outcome.stderr.hasPrefix("swiftlet: "), "\(args): \(outcome)")
                    #expect(outcome.stdout.isEmpty, "\(args): \(outcome)")
                }
            }
            #expect(deletes >= 1, "no delete --force succeeded")
            #expect(!FileManager.default.fileExists(atPath: sb.stateRoot + "/" + id))
            var left: [String] = []
            _ = await eventually(timeout: 3) {
                left = sb.leftovers()
                return left.isEmpty
            }
            #expect(left.isEmpty, "\(left)")
        }
    }
}
