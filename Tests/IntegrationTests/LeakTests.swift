import Foundation
import Glibc
import OCI
import Testing

/// The runtime's own descriptor table (issue 8 "leak checks"): with SWIFTLET_DEBUG_FDS=1 every
/// command logs its open descriptors right before exit; whatever a command opened (state dir
/// locks, pidfds, sockets, the init's memfd, cgroup dirs, the pty master, the log file) must be
/// closed by then, on success and on failure alike.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(2)))
struct LeakTests {
    /// Per command in a JSON --log, the descriptors it held at exit that it did not inherit
    /// at start (the test runner's own descriptors leak into its children).
    static func descriptorReports(_ log: String) -> [[Int32: String]] {
        let starts = entries(log, "fds at start: ")
        let exits = entries(log, "fds at exit: ")
        guard starts.count == exits.count else { return [[-1: "\(starts.count) start and \(exits.count) exit reports"]] }
        return zip(starts, exits).map { start, exit in exit.filter { start[$0.key] != $0.value } }
    }

    static func entries(_ log: String, _ prefix: String) -> [[Int32: String]] {
        (readText(log) ?? "").split(separator: "\n").compactMap { line -> [Int32: String]? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let msg = object["msg"] as? String, msg.hasPrefix(prefix) else { return nil }
            var result: [Int32: String] = [:]
            for entry in msg.dropFirst(prefix.count).components(separatedBy: ", ") {
                let parts = entry.components(separatedBy: " -> ")
                if let fd = Int32(parts[0]) { result[fd] = parts.count > 1 ? parts[1] : "" }
            }
            return result
        }
    }

    @Test func everyCommandExitsWithOnlyStandardDescriptors() async throws {
        try await withSandbox("fds") { sb in
            let id = sb.newID()
            let log = sb.dir + "/log.json"
            let env = ["SWIFTLET_DEBUG_FDS": "1"]
            func run(_ args: [String]) async throws -> Outcome {
                try await sb.swiftlet(["--log", log, "--log-format", "json"] + args, environment: env)
            }
            var spec = sb.shell(id: id, "sleep 100")
            spec.hooks = Hooks(prestart: [Hook(path: "/bin/true")], poststop: [Hook(path: "/bin/true")])
            let bundle = try sb.bundle(spec, name: "b")
            var commands: [[String]] = [
                ["create", "--bundle", bundle, "--pid-file", sb.dir + "/pid", id], ["start", id], ["state", id], ["list"],
                ["exec", id, "true"], ["kill", id, "KILL"],
            ]
            var ran = 0
            for args in commands {
                let outcome = try await run(args)
                #expect(outcome.status == 0, "\(args): \(outcome)")
                ran += 1
                if args[0] == "create", let state = try await sb.state(id) { sb.rememberInit(state.pid) }
            }
            #expect(try await sb.waitForStatus(id, "stopped"))
            commands = [["delete", id], ["state", id], ["kill", id, "KILL"], ["delete", id], ["features"], ["spec", "--bundle", sb.dir]]
            for args in commands {
                _ = try await run(args)
                ran += 1
            }
            // `run` with a failing process and a bad bundle: the error paths too.
            let second = sb.newID()
            let runOutcome = try await run(["run", "--bundle", try sb.bundle(sb.shell(id: second, "exit 3"), name: "r"), second])
            #expect(runOutcome.status == 3, "\(runOutcome)")
            ran += 1

            let reports = Self.descriptorReports(log)
            #expect(reports.count == ran, "\(reports.count) reports for \(ran) commands")
            for report in reports {
                #expect(report.isEmpty, "runtime fds leaked at exit: \(report)")
            }
        }
    }
}
