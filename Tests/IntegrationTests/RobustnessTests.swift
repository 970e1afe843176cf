import Foundation
import OCI
import Testing

/// Many lifecycles at once, and bad input: each failure is one clear line on stderr, exit 1,
/// and leaves no state dir, cgroup dir (any hierarchy), mount or process (issue 2 "Done when",
/// issue 8 "bad input").
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(1)))
struct RobustnessTests {
    /// 20 containers created, started, waited for and deleted in parallel.
    @Test func twentyInParallel() async throws {
        try await withSandbox("par") { sb in
            let ids = (0..<20).map { sb.newID("-\($0)") }
            let failures = try await withThrowingTaskGroup(of: String?.self) { group in
                for id in ids {
                    group.addTask {
                        let bundle = try sb.bundle(sb.shell(id: id, "echo $$ > /dev/null; exit 0"), name: id)
                        let created = try await sb.create(id, bundle: bundle)
                        guard created.status == 0 else { return "create \(id): \(created)" }
                        if let state = try await sb.state(id) { sb.rememberInit(state.pid) }
                        let started = try await sb.swiftlet(["start", id])
                        guard started.status == 0 else { return "start \(id): \(started)" }
                        guard try await sb.waitForStatus(id, "stopped", timeout: 20) else { return "\(id) never stopped" }
                        let deleted = try await sb.swiftlet(["delete", id])
                        guard deleted.status == 0 else { return "delete \(id): \(deleted)" }
                        return nil
                    }
                }
                var failures: [String] = []
                for try await failure in group { if let failure { failures.append(failure) } }
                return failures
            }
            #expect(failures.isEmpty, "\(failures)")
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: sb.stateRoot)) ?? []
            #expect(entries.isEmpty, "state entries left: \(entries)")
            #expect(sb.leftovers().isEmpty, "\(sb.leftovers())")
        }
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let name: String
        /// Words the error line must contain (the field and the problem).
        let mentions: [String]
        /// Edits the config JSON text, or nil to keep it.
        let edit: @Sendable (inout [String: Any], Sandbox) -> Void
        var rawText: String? = nil
        var id: String? = nil
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "JSON syntax error", mentions: ["config.json"], edit: { _, _ in },
                 rawText: #"{"ociVersion": "1.2.0", "process": {"args": ["sh"], "cwd": "/""#),
        BadInput(name: "wrong type", mentions: ["process.args"], edit: { c, _ in
            var process = c["process"] as? [String: Any] ?? [:]
            process["args"] = "sh"
            c["process"] = process
        }),
        BadInput(name: "unknown namespace type", mentions: ["linux.namespaces[5].type", "bogus"], edit: { c, _ in
            var linux = c["linux"] as? [String: Any] ?? [:]
            linux["namespaces"] = (linux["namespaces"] as? [Any] ?? []) + [["type": "bogus"]]
            c["linux"] = linux
        }),
        BadInput(name: "missing rootfs", mentions: ["root.path"], edit: { c, sb in
            c["root"] = ["path": sb.dir + "/no-such-rootfs"]
        }),
        BadInput(name: "rootfs is a file", mentions: ["root.path"], edit: { c, sb in
            FileManager.default.createFile(atPath: sb.dir + "/file-rootfs", contents: Data("x".utf8))
            c["root"] = ["path": sb.dir + "/file-rootfs"]
        }),
        BadInput(name: "missing executable", mentions: ["no-such-binary"], edit: { c, _ in
            var process = c["process"] as? [String: Any] ?? [:]
            process["args"] = ["/bin/no-such-binary"]
            c["process"] = process
        }),
        BadInput(name: "unknown capability", mentions: ["process.capabilities.bounding[0]", "CAP_BOGUS"], edit: { c, _ in
            var process = c["process"] as? [String: Any] ?? [:]
            process["capabilities"] = ["bounding": ["CAP_BOGUS"]]
            c["process"] = process
        }),
        BadInput(name: "invalid id with slash", mentions: ["id"], edit: { _, _ in }, id: "a/b"),
        BadInput(name: "invalid id dot-dot", mentions: ["id"], edit: { _, _ in }, id: ".."),
        BadInput(name: "invalid id control char", mentions: ["id"], edit: { _, _ in }, id: "bad\u{7}id"),
        BadInput(name: "invalid id too long", mentions: ["id", "255"], edit: { _, _ in }, id: String(repeating: "x", count: 300)),
    ]

    @Test(arguments: badInputs)
    func badInput(_ input: BadInput) async throws {
        try await withSandbox("bad") { sb in
            // The cgroup path is named after a tracked, valid id even when the id is invalid.
            let cgroupName = sb.newID()
            let id = input.id ?? cgroupName
            let spec = sb.shell(id: cgroupName, "true")
            var object = try #require(try JSONSerialization.jsonObject(with: try spec.encoded()) as? [String: Any])
            input.edit(&object, sb)
            let edited = try JSONSerialization.data(withJSONObject: object)
            let text = input.rawText ?? String(decoding: edited, as: UTF8.self)
            let bundle = try sb.rawBundle(text, name: "b")
            let before = Self.snapshot(sb)

            let outcome = try await sb.create(id, bundle: bundle)
            #expect(outcome.status == 1, "\(outcome)")
            #expect(outcome.stderrLines.count == 1, "want one line: \(outcome)")
            #expect(outcome.stderr.hasPrefix("swiftlet: "), "\(outcome)")
            for word in input.mentions {
                #expect(outcome.stderr.contains(word), "stderr should name \(word): \(outcome)")
            }
            #expect(outcome.stdout.isEmpty)
            #expect(Self.snapshot(sb) == before, "state root changed")
            #expect(sb.cgroupDirectories(of: cgroupName).isEmpty)
            #expect(sb.leftovers(ids: [cgroupName]).isEmpty, "\(sb.leftovers(ids: [cgroupName]))")
        }
    }

    /// A second create with the same id fails and leaves the first container as it was.
    @Test func duplicateID() async throws {
        try await withSandbox("dup") { sb in
            let id = sb.newID()
            let bundle = try sb.bundle(sb.shell(id: id, "sleep 10"), name: "b")
            try await sb.mustCreate(id, bundle: bundle)
            let first = try #require(try await sb.state(id))
            let cgroups = sb.cgroupDirectories(of: id)
            #expect(!cgroups.isEmpty)

            let again = try await sb.create(id, bundle: bundle)
            #expect(again.status == 1, "\(again)")
            #expect(again.stderrLines.count == 1 && again.stderr.contains("already exists"), "\(again)")
            let after = try #require(try await sb.state(id))
            #expect(after.status == "created" && after.pid == first.pid)
            #expect(sb.cgroupDirectories(of: id) == cgroups)
            #expect(sb.markedProcesses().isEmpty, "the duplicate started a process")
        }
    }

    /// The entries under the state root (names only).
    static func snapshot(_ sb: Sandbox) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: sb.stateRoot)) ?? []).sorted()
    }
}
