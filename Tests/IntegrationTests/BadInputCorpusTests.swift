import Foundation
import Glibc
import OCI
import Testing

/// The bad-input corpus (issue 8): Tests/IntegrationTests/Corpus/bad-inputs.json, one case per
/// entry, applied to the Sandbox's runc-like config. Every case must give exit 1, exactly one
/// `swiftlet: <field>: <problem>` line naming what `mentions` lists, and leave nothing behind:
/// no state entry, no cgroup dir in any hierarchy, no mount under the sandbox or the rootfs
/// (/proc/self/mountinfo), no marked process, and the runtime's fd table at exit holding nothing
/// beyond what it inherited (`SWIFTLET_DEBUG_FDS`). Cases marked `mayResolveInside` (a `..` or a symlink aimed at the
/// host) may instead succeed, provided what they name was resolved inside the rootfs: the host
/// directory they aim at is checked untouched either way.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(5)))
struct BadInputCorpusTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let mentions: [String]
        /// JSON path -> value (`linux.namespaces[+]` appends); `$DIR` is the sandbox directory.
        var set: [String: JSONValue]?
        var unset: [String]?
        /// The whole config.json text; `NESTED` is 100000 nested arrays.
        var raw: String?
        var id: String?
        /// `escape`: a private copy of the rootfs with /evil -> <sandbox>/host.
        var rootfs: String?
        /// `rootfs-link`: <sandbox>/rootfs-link -> a regular file.
        var setup: String?
        /// Pads the config with annotations up to this many bytes.
        var big: Int?
        var mayResolveInside: Bool?
        var testDescription: String { name }
    }

    static let corpusPath = Harness.packageRoot + "/Tests/IntegrationTests/Corpus/bad-inputs.json"

    static let cases: [Case] = {
        guard let data = FileManager.default.contents(atPath: corpusPath),
              let cases = try? JSONDecoder().decode([Case].self, from: data) else { return [] }
        return cases
    }()

    @Test func corpusIsLargeEnough() {
        #expect(Self.cases.count >= 50, "\(Self.corpusPath) holds \(Self.cases.count) cases")
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count, "case names must be unique")
    }

    @Test(arguments: cases)
    func badBundle(_ input: Case) async throws {
        try await withSandbox("corpus") { sb in
            let cgroupName = sb.newID()
            let id = input.id ?? cgroupName
            let host = sb.dir + "/host"
            try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
            try Data("host\n".utf8).write(to: URL(fileURLWithPath: host + "/file"))
            let hostBefore = Self.tree(host)

            var config = try #require(try JSONSerialization.jsonObject(with: try sb.shell(id: cgroupName, "true").encoded()))
            if input.rootfs == "escape" {
                let copy = sb.dir + "/escape-rootfs"
                try Self.run("/bin/cp", ["-a", sb.rootfs, copy])
                try FileManager.default.createSymbolicLink(atPath: copy + "/evil", withDestinationPath: host)
                config = try JSONPatch.set(config, "root.path", copy)
            }
            if input.setup == "rootfs-link" {
                FileManager.default.createFile(atPath: sb.dir + "/afile", contents: Data("x".utf8))
                try FileManager.default.createSymbolicLink(atPath: sb.dir + "/rootfs-link", withDestinationPath: sb.dir + "/afile")
            }
            for (path, value) in (input.set ?? [:]).sorted(by: { $0.key < $1.key }) {
                config = try JSONPatch.set(config, path, value.substituting("$DIR", sb.dir).any)
            }
            for path in input.unset ?? [] { config = try JSONPatch.set(config, path, nil) }
            if let big = input.big {
                var annotations: [String: Any] = [:]
                for i in 0..<(big / 1016) { annotations["big.\(i)"] = String(repeating: "x", count: 1000) }
                config = try JSONPatch.set(config, "annotations", annotations)
            }
            var text = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
            if let raw = input.raw {
                text = raw == "NESTED" ? String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) : raw
            }
            let bundle = try sb.rawBundle(text, name: "b")
            let before = RobustnessTests.snapshot(sb)
            let log = sb.dir + "/log.json"

            let outcome = try await sb.swiftlet(["--log", log, "--log-format", "json", "create", "--bundle", bundle, id],
                                                environment: ["SWIFTLET_DEBUG_FDS": "1"])
            if outcome.status == 0 && input.mayResolveInside == true {
                // Resolved inside the rootfs: the container exists; the host must be as it was.
                _ = try await sb.swiftlet(["delete", "--force", id])
            } else {
                #expect(outcome.status == 1, "\(outcome)")
                #expect(outcome.stderrLines.count == 1, "want one line: \(outcome)")
                #expect(outcome.stderr.hasPrefix("swiftlet: "), "\(outcome)")
                for word in input.mentions {
                    #expect(outcome.stderr.contains(word), "stderr should name \(word): \(outcome)")
                }
                #expect(outcome.stdout.isEmpty)
                #expect(RobustnessTests.snapshot(sb) == before, "state root changed")
            }
            #expect(Self.tree(host) == hostBefore, "the host directory the config aimed at changed")
            #expect(sb.cgroupDirectories(of: cgroupName).isEmpty)
            #expect(sb.leftovers(ids: [cgroupName]).isEmpty, "\(sb.leftovers(ids: [cgroupName]))")
            let fds = LeakTests.descriptorReports(log)
            #expect(!fds.isEmpty, "no fd report in \(log)")
            for report in fds { #expect(report.isEmpty, "runtime fds leaked at exit: \(report)") }
        }
    }

    /// Invalid signals for `kill`: one line naming the signal, exit 1, the container untouched.
    @Test func invalidSignals() async throws {
        try await withSandbox("signals") { sb in
            let id = sb.newID()
            try await sb.mustCreate(id, bundle: try sb.bundle(sb.shell(id: id, "sleep 100"), name: "b"))
            try await sb.mustStart(id)
            for signal in ["SIGBOGUS", "BOGUS", "65", "99999999999", "-5", "1.5", "SIG", ""] {
                let outcome = try await sb.swiftlet(["kill", id, signal])
                #expect(outcome.status == 1, "kill \(signal.debugDescription): \(outcome)")
                #expect(outcome.stderrLines.count == 1 && outcome.stderr.hasPrefix("swiftlet: "), "kill \(signal.debugDescription): \(outcome)")
                #expect(signal.isEmpty || outcome.stderr.contains(signal), "kill \(signal.debugDescription) should name it: \(outcome)")
            }
            #expect(try await sb.status(id) == "running")
            for missing in ["no-such-container", "a/b", ".."] {
                let outcome = try await sb.swiftlet(["kill", missing, "TERM"])
                #expect(outcome.status == 1 && outcome.stderrLines.count == 1, "kill \(missing): \(outcome)")
            }
        }
    }

    /// Every file under `dir` with its contents (symlinks not followed).
    static func tree(_ dir: String) -> [String: String] {
        var result: [String: String] = [:]
        for path in (try? FileManager.default.subpathsOfDirectory(atPath: dir)) ?? [] {
            result[path] = readText(dir + "/" + path) ?? "(not a file)"
        }
        return result
    }

    static func run(_ tool: String, _ args: [String]) throws {
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = args
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError("\(tool) \(args) failed") }
    }
}

/// Any JSON value, to carry the corpus's patches.
enum JSONValue: Decodable, Sendable {
    case null, bool(Bool), number(Double), integer(Int64), unsigned(UInt64), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let u = try? c.decode(UInt64.self) { self = .unsigned(u) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var any: Any {
        switch self {
        case .null: NSNull()
        case .bool(let b): b
        case .number(let d): d
        case .integer(let i): i
        case .unsigned(let u): u
        case .string(let s): s
        case .array(let a): a.map(\.any)
        case .object(let o): o.mapValues(\.any)
        }
    }

    func substituting(_ token: String, _ value: String) -> JSONValue {
        switch self {
        case .string(let s): .string(s.replacingOccurrences(of: token, with: value))
        case .array(let a): .array(a.map { $0.substituting(token, value) })
        case .object(let o): .object(o.mapValues { $0.substituting(token, value) })
        default: self
        }
    }
}

/// Sets or removes the value at a path like `linux.namespaces[2].type` (`[+]` appends) in a
/// JSONSerialization tree, creating objects and arrays on the way.
enum JSONPatch {
    enum Part { case key(String), index(Int), append }

    static func parts(_ path: String) -> [Part] {
        var parts: [Part] = []
        for piece in path.split(separator: ".") {
            var rest = Substring(piece)
            if let bracket = rest.firstIndex(of: "[") {
                if bracket > rest.startIndex { parts.append(.key(String(rest[..<bracket]))) }
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    let inner = rest[rest.index(after: rest.startIndex)..<close]
                    parts.append(inner == "+" ? .append : .index(Int(inner) ?? 0))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                parts.append(.key(String(rest)))
            }
        }
        return parts
    }

    static func set(_ root: Any, _ path: String, _ value: Any?) throws -> Any {
        try set(root, parts(path)[...], value, path: path)
    }

    private static func set(_ node: Any?, _ parts: ArraySlice<Part>, _ value: Any?, path: String) throws -> Any {
        guard let first = parts.first else { return value ?? NSNull() }
        let rest = parts.dropFirst()
        switch first {
        case .key(let key):
            var object = node as? [String: Any] ?? [:]
            if rest.isEmpty && value == nil { object.removeValue(forKey: key) }
            else { object[key] = try set(object[key], rest, value, path: path) }
            return object
        case .index(let index):
            var array = node as? [Any] ?? []
            guard index < array.count else { throw HarnessError("\(path): no element \(index)") }
            if rest.isEmpty && value == nil { array.remove(at: index) }
            else { array[index] = try set(array[index], rest, value, path: path) }
            return array
        case .append:
            var array = node as? [Any] ?? []
            array.append(try set(nil, rest, value, path: path))
            return array
        }
    }
}
