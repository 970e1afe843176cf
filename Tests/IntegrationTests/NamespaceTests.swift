import Foundation
import Glibc
import OCI
import Testing

/// runtime-spec config-linux.md "Namespaces", "User namespace mappings" and "Offset for Time
/// Namespace", checked from inside the container (/proc/self/ns, uid_map, /proc/uptime) and
/// from the host (/proc/<init>/ns, file ownership).
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(1)))
struct NamespaceTests {
    static let nsNames = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"]
    static let printNamespaces = "for n in \(nsNames.joined(separator: " ")); do echo \"$n $(readlink /proc/self/ns/$n)\"; done"

    struct Config: Sendable, CustomTestStringConvertible {
        let name: String
        let types: [LinuxNamespaceType]
        var testDescription: String { name }
    }

    /// Every namespace the config asks for differs from the host's, inside and as the host sees
    /// the init; the others are the host's. runc's default five here, all eight below (on a
    /// kernel with user, time and cgroup namespaces).
    @Test func namespacesDifferFromHost() async throws {
        try await Self.namespacesDiffer(Config(name: "runc default", types: [.pid, .network, .ipc, .uts, .mount]))
    }

    @Test(HostProbe.requires(HostProbe.userNamespaces, HostProbe.timeNamespace, HostProbe.cgroupNamespace))
    func allEightNamespacesDifferFromHost() async throws {
        try await Self.namespacesDiffer(Config(name: "all eight", types: LinuxNamespaceType.allCases))
    }

    static func namespacesDiffer(_ config: Config) async throws {
        try await withSandbox("ns") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, Self.printNamespaces + "; hostname; cat /proc/uptime")
            spec.linux?.namespaces = config.types.map { LinuxNamespace(type: $0) }
            if config.types.contains(.user) {
                spec.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
                spec.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
            }
            if config.types.contains(.time) {
                spec.linux?.timeOffsets = ["boottime": LinuxTimeOffset(secs: 5_000_000), "monotonic": LinuxTimeOffset(secs: 1000)]
            }
            let bundle = try sb.bundle(spec, name: "b")
            let output = sb.dir + "/out"
            try await sb.mustCreate(id, bundle: bundle, output: output)
            let pid = try #require(try await sb.state(id)).pid
            let host = Harness.hostNamespaces()
            let fromHost = Harness.namespaces(of: "\(pid)")
            try await sb.mustStart(id)
            #expect(try await sb.waitForStatus(id, "stopped"))
            let lines = (readText(output) ?? "").split(separator: "\n").map(String.init)
            let inside = keyValues(lines.prefix(Self.nsNames.count).joined(separator: "\n"))

            let mapped: [LinuxNamespaceType: String] = [
                .cgroup: "cgroup", .ipc: "ipc", .mount: "mnt", .network: "net", .pid: "pid", .time: "time", .user: "user", .uts: "uts",
            ]
            // A kernel without a namespace type has no link for it, inside or out: the others are
            // checked, then the test reports a skip (cancelled) naming it.
            for (type, name) in mapped where HostProbe.namespace(name) == nil {
                let hostLink = try #require(host[name])
                #expect(inside[name] != nil, "\(name) missing inside: \(lines)")
                if config.types.contains(type) {
                    #expect(inside[name] != hostLink, "\(name) inside is the host's")
                    #expect(fromHost[name] != hostLink, "\(name) of the init is the host's")
                    #expect(inside[name] == fromHost[name], "\(name): inside \(inside[name] ?? "-") vs init \(fromHost[name] ?? "-")")
                } else {
                    #expect(inside[name] == hostLink, "\(name) should be the host's")
                }
            }
            #expect(lines.count == Self.nsNames.count + 2, "\(lines)")
            #expect(lines.dropFirst(Self.nsNames.count).first == "itest")
            if config.types.contains(.time) {
                let uptime = Double(lines.last?.split(separator: " ").first ?? "") ?? 0
                #expect(uptime >= 5_000_000, "boottime offset not applied: uptime \(uptime)")
            }
            let missing = mapped.values.sorted().compactMap { HostProbe.namespace($0) }
            if !missing.isEmpty {
                try Test.cancel(Comment(rawValue: missing.joined(separator: "; ") + "; the other namespaces were checked"))
            }
        }
    }

    struct JoinCase: Sendable, CustomTestStringConvertible {
        let type: LinuxNamespaceType
        let proc: String
        var testDescription: String { type.rawValue }
    }

    /// A second container joins the first one's namespace by path (/proc/<init>/ns/<type>);
    /// joining pid or user takes the two-clone path. (The first container has a cgroup
    /// namespace too.) User namespaces: joinUserNamespaceByPath.
    @Test(HostProbe.requires(HostProbe.cgroupNamespace), arguments: [
        JoinCase(type: .network, proc: "net"), JoinCase(type: .ipc, proc: "ipc"), JoinCase(type: .uts, proc: "uts"),
        JoinCase(type: .pid, proc: "pid"), JoinCase(type: .cgroup, proc: "cgroup"),
    ])
    func joinByPath(_ c: JoinCase) async throws {
        try await Self.join(c)
    }

    @Test(HostProbe.requires(HostProbe.cgroupNamespace, HostProbe.userNamespaces))
    func joinUserNamespaceByPath() async throws {
        try await Self.join(JoinCase(type: .user, proc: "user"))
    }

    static func join(_ c: JoinCase) async throws {
        try await withSandbox("join") { sb in
            let first = sb.newID("-a")
            var a = sb.shell(id: first, "sleep 30")
            a.linux?.namespaces?.append(LinuxNamespace(type: .cgroup))
            if c.type == .user {
                a.linux?.namespaces?.append(LinuxNamespace(type: .user))
                a.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
                a.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
            }
            try await sb.mustCreate(first, bundle: try sb.bundle(a, name: "a"))
            let pidA = try #require(try await sb.state(first)).pid
            let target = try #require(Harness.namespaces(of: "\(pidA)")[c.proc])

            let second = sb.newID("-b")
            var b = sb.shell(id: second, Self.printNamespaces)
            b.linux?.namespaces?.removeAll { $0.type == c.type }
            b.linux?.namespaces?.append(LinuxNamespace(type: c.type, path: "/proc/\(pidA)/ns/\(c.proc)"))
            if c.type == .uts { b.hostname = nil }  // joining a uts namespace must not rename it
            let outcome = try await sb.swiftlet(["run", "--bundle", try sb.bundle(b, name: "b"), second])
            #expect(outcome.status == 0, "\(outcome)")
            let inside = keyValues(outcome.stdout)
            #expect(inside[c.proc] == target, "joined \(c.proc): \(inside[c.proc] ?? "-") vs \(target)")
            #expect(target != Harness.hostNamespaces()[c.proc])
            // The namespaces it did not join are its own, not the first container's.
            for other in ["net", "ipc", "uts", "mnt"] where other != c.proc {
                let ofA = Harness.namespaces(of: "\(pidA)")[other]
                #expect(inside[other] != nil && inside[other] != ofA, "\(other) shared with the first container")
            }
        }
    }

    struct MappingCase: Sendable, CustomTestStringConvertible {
        let uid: UInt32
        let gid: UInt32
        var testDescription: String { "user \(uid):\(gid)" }
    }

    /// uid_map/gid_map as written by the runtime, ids inside, and the host owner of files the
    /// container creates in a bind-mounted directory.
    @Test(HostProbe.requires(HostProbe.userNamespaces), arguments: [MappingCase(uid: 0, gid: 0), MappingCase(uid: 1000, gid: 1000)])
    func userNamespaceMapping(_ c: MappingCase) async throws {
        try await withSandbox("userns") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, """
                cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; echo x > /shared/created
                """)
            spec.process?.user = User(uid: c.uid, gid: c.gid)
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            spec.linux?.namespaces?.append(LinuxNamespace(type: .user))
            spec.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
            spec.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 200_000, size: 65536)]
            let outcome = try await sb.swiftlet(["run", "--bundle", try sb.bundle(spec, name: "b"), id])
            #expect(outcome.status == 0, "\(outcome)")
            let lines = outcome.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(lines == ["0 100000 65536", "0 200000 65536", "\(c.uid)", "\(c.gid)"], "\(outcome)")

            var info = stat()
            #expect(stat(sb.shared + "/created", &info) == 0)
            #expect(info.st_uid == 100_000 + c.uid)
            #expect(info.st_gid == 200_000 + c.gid)
        }
    }
}
