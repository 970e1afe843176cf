import Foundation
import Glibc
import OCI
import Testing

/// Issue 7: `spec --hardened` runs the busybox demo and passes its own audit; `audit` gates on
/// high findings; the seccomp recorder's profile runs its workload and blocks anything else.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(2)))
struct HardeningTests {
    /// `swiftlet spec ARGS --bundle DIR`, then root.path → the shared rootfs and the cgroup
    /// under the sandbox's parent (so leftovers are checked). Returns the bundle.
    static func generated(_ sb: Sandbox, id: String, _ args: [String], edit: (inout Spec) -> Void = { _ in }) async throws -> String {
        let dir = sb.dir + "/bundles/" + id
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let outcome = try await sb.swiftlet(["spec"] + args + ["--bundle", dir])
        #expect(outcome.status == 0, "\(outcome)")
        var spec = try Spec.load(bundle: dir)
        spec.root?.path = sb.rootfs
        spec.linux?.cgroupsPath = "/\(Sandbox.cgroupParent)/\(id)"
        spec.process?.env?.append("SWIFTLET_ITEST=\(sb.marker)")
        edit(&spec)
        try FileManager.default.removeItem(atPath: dir + "/config.json")
        try spec.encoded(prettyPrinted: true).write(to: URL(fileURLWithPath: dir + "/config.json"))
        return dir
    }

    /// The hardened config maps root to host uid 100000 (a user namespace) and has a seccomp profile.
    @Test(HostProbe.requires(HostProbe.userNamespaces, HostProbe.seccompFilter))
    func hardenedSpecRunsDemoAndPassesAudit() async throws {
        try await withSandbox("hardened") { sb in
            let id = sb.newID()
            let bundle = try await Self.generated(sb, id: id, ["--hardened"])
            let run = try await sb.swiftlet(["run", "--bundle", bundle, id])
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.hasPrefix("uid=1000"), "\(run)")
            #expect(run.stdout.hasSuffix("hello\n"), "\(run)")
            let audit = try await sb.swiftlet(["audit", "--bundle", bundle])
            #expect(audit.status == 0, "\(audit)")
            let json = try await sb.swiftlet(["audit", "--format", "json", "--bundle", bundle])
            #expect(json.status == 0, "\(json)")
            let summary = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect((summary?["summary"] as? [String: Int])?["high"] == 0, "\(json.stdout)")
        }
    }

    /// What the hardened config enforces, seen from inside: no capabilities, no_new_privs,
    /// seccomp on, read-only rootfs but a writable /tmp, root mapped to host 100000, the
    /// seccomp profile refusing unshare (EPERM), limits in the cgroup.
    @Test(HostProbe.requires(HostProbe.userNamespaces, HostProbe.seccompFilter))
    func hardenedConfinement() async throws {
        try await withSandbox("hardened2") { sb in
            let id = sb.newID()
            let bundle = try await Self.generated(sb, id: id, ["--hardened", "--cap", "NET_BIND_SERVICE"]) { spec in
                spec.process?.args = ["sh", "-c", """
                    grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
                    cat /proc/self/uid_map
                    touch /x 2>&1; touch /tmp/x && echo tmp-writable
                    unshare -U true 2>&1; echo unshare=$?
                    """]
            }
            let run = try await sb.swiftlet(["run", "--bundle", bundle, id])
            #expect(run.status == 0, "\(run)")
            let lines = run.stdout.split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            #expect(lines.contains("CapEff: 0000000000000400"), "\(run.stdout)")  // CAP_NET_BIND_SERVICE only
            #expect(lines.contains("CapBnd: 0000000000000400"), "\(run.stdout)")
            #expect(lines.contains("NoNewPrivs: 1"), "\(run.stdout)")
            #expect(lines.contains("Seccomp: 2"), "\(run.stdout)")
            #expect(lines.contains("0 100000 65536"), "\(run.stdout)")
            #expect(run.stdout.contains("touch: /x: Read-only file system"), "\(run.stdout)")
            #expect(lines.contains("tmp-writable"), "\(run.stdout)")
            #expect(run.stdout.contains("Operation not permitted"), "\(run.stdout)")
            #expect(lines.contains("unshare=1"), "\(run.stdout)")
        }
    }

    /// Exit status 2 with a high finding (runc's default spec: root without a user namespace,
    /// no seccomp), 1 for an unreadable bundle.
    @Test func auditGatesOnHighFindings() async throws {
        try await withSandbox("audit") { sb in
            let bundle = try await Self.generated(sb, id: sb.newID(), [])
            let audit = try await sb.swiftlet(["audit", "--bundle", bundle])
            #expect(audit.status == 2, "\(audit)")
            #expect(audit.stdout.contains("HIGH linux.seccomp: no seccomp profile [seccomp-missing]"), "\(audit)")
            #expect(audit.stdout.contains("HIGH process.user.uid:"), "\(audit)")
            let missing = try await sb.swiftlet(["audit", "--bundle", sb.dir + "/nonexistent"])
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stderrLines.count == 1 && missing.stderr.hasPrefix("swiftlet: "), "\(missing)")
        }
    }

    static let workload = "ls /; cat /etc/passwd"

    /// Record `sh -c 'ls /; cat /etc/passwd'`, put the profile back: the same workload runs
    /// with the same output, `mkdir /tmp/x` (never recorded) fails with EPERM.
    @Test(HostProbe.requires(HostProbe.seccompUserNotif))
    func recordedProfileRunsWorkloadAndBlocksTheRest() async throws {
        try await withSandbox("record") { sb in
            let profile = sb.dir + "/recorded.json"
            let id = sb.newID()
            var spec = sb.shell(id: id, Self.workload)
            spec.mounts?.append(Mount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["mode=1777"]))
            let recording = try await sb.swiftlet(["--debug", "run", "--seccomp-record", profile, "--bundle", try sb.bundle(spec, name: id), id])
            #expect(recording.status == 0, "\(recording)")
            let recorderPID = Self.recorderPID(recording.stderr)
            #expect(recorderPID != nil, "\(recording.stderr)")
            if let recorderPID { #expect(kill(recorderPID, 0) != 0, "recorder \(recorderPID) still running after run") }

            let data = try Data(contentsOf: URL(fileURLWithPath: profile))
            let seccomp = try JSONDecoder().decode(LinuxSeccomp.self, from: data)
            #expect(seccomp.defaultAction == .errno && seccomp.defaultErrnoRet == 1)
            #expect(seccomp.architectures?.isEmpty == false)
            let names = try #require(seccomp.syscalls?.first?.names)
            #expect(names == names.sorted())
            #expect(Set(names).isSuperset(of: ["execve", "openat", "getdents64", "write", "wait4"]), "\(names)")
            #expect(!names.contains("mkdir") && !names.contains("mkdirat"))

            let replay = sb.newID()
            var replaySpec = spec
            replaySpec.linux?.seccomp = seccomp
            replaySpec.linux?.cgroupsPath = "/\(Sandbox.cgroupParent)/\(replay)"
            let again = try await sb.swiftlet(["run", "--bundle", try sb.bundle(replaySpec, name: replay), replay])
            #expect(again.status == 0, "\(again)")
            #expect(again.stdout == recording.stdout)

            let other = sb.newID()
            var otherSpec = replaySpec
            otherSpec.process?.args = ["sh", "-c", "mkdir /tmp/x"]
            otherSpec.linux?.cgroupsPath = "/\(Sandbox.cgroupParent)/\(other)"
            let blocked = try await sb.swiftlet(["run", "--bundle", try sb.bundle(otherSpec, name: other), other])
            #expect(blocked.status != 0, "\(blocked)")
            #expect(blocked.stderr.contains("can't create directory '/tmp/x': Operation not permitted"), "\(blocked)")

            // Without the profile the same mkdir works: the refusal is the profile's.
            let control = sb.newID()
            var controlSpec = spec
            controlSpec.process?.args = ["sh", "-c", "mkdir /tmp/x"]
            controlSpec.linux?.cgroupsPath = "/\(Sandbox.cgroupParent)/\(control)"
            let allowed = try await sb.swiftlet(["run", "--bundle", try sb.bundle(controlSpec, name: control), control])
            #expect(allowed.status == 0, "\(allowed)")
        }
    }

    /// create + start + delete with the annotation: the detached recorder outlives `create`,
    /// records every process (a pipeline and a background job), writes the profile relative to
    /// the bundle when the container exits and is gone afterwards.
    @Test(HostProbe.requires(HostProbe.seccompUserNotif))
    func annotationRecordsAcrossCreateAndStart() async throws {
        try await withSandbox("record2") { sb in
            let id = sb.newID()
            var spec = sb.shell(id: id, "echo a | cat; (sleep 0.1 & wait); exit 0")
            spec.annotations = ["run.swiftlet.seccomp-record": "profile.json"]
            let bundle = try sb.bundle(spec, name: id)
            let created = try await sb.swiftlet(["--debug", "create", "--bundle", bundle, id])
            #expect(created.status == 0, "\(created)")
            let recorderPID = Self.recorderPID(created.stderr)
            if let recorderPID { #expect(kill(recorderPID, 0) == 0, "recorder gone right after create") }
            try await sb.mustStart(id)
            let written = await eventually(timeout: 10) { FileManager.default.fileExists(atPath: bundle + "/profile.json") }
            #expect(written)
            _ = try await sb.swiftlet(["delete", "--force", id])
            let names = try JSONDecoder().decode(LinuxSeccomp.self, from: Data(contentsOf: URL(fileURLWithPath: bundle + "/profile.json")))
                .syscalls?.first?.names ?? []
            #expect(Set(names).isSuperset(of: ["execve", "wait4"]), "\(names)")
            #expect(names.contains("nanosleep") || names.contains("clock_nanosleep"), "\(names)")
            #expect(names.contains("pipe") || names.contains("pipe2"), "\(names)")
            if let recorderPID {
                let gone = await eventually(timeout: 5) { kill(recorderPID, 0) != 0 || processState(recorderPID) == "Z" }
                #expect(gone, "recorder \(recorderPID) still running")
            }
        }
    }

    /// Threads: a static C program with 8 threads (clone3/clone with CLONE_THREAD, futexes)
    /// is recorded through the one listener, and the recorded profile runs it again.
    @Test(HostProbe.requires(HostProbe.seccompUserNotif, HostProbe.staticCCompiler))
    func recordsThreads() async throws {
        try await withSandbox("record3") { sb in
            let source = sb.dir + "/threads.c"
            try Data(Self.threadsProgram.utf8).write(to: URL(fileURLWithPath: source))
            let compiler = FileManager.default.isExecutableFile(atPath: "/opt/swift/usr/bin/clang") ? "/opt/swift/usr/bin/clang" : "/usr/bin/cc"
            let cc = try await Subprocess.run(compiler, ["-static", "-O2", "-pthread", "-o", sb.shared + "/threads", source])
            try #require(cc.status == 0, "\(cc)")
            let id = sb.newID()
            var spec = sb.spec(id: id, ["/shared/threads"])
            spec.mounts?.append(Sandbox.sharedMount(sb.shared))
            let profile = sb.dir + "/threads.json"
            let recording = try await sb.swiftlet(["run", "--seccomp-record", profile, "--bundle", try sb.bundle(spec, name: id), id])
            #expect(recording.status == 0 && recording.stdout == "threads done\n", "\(recording)")
            let seccomp = try JSONDecoder().decode(LinuxSeccomp.self, from: Data(contentsOf: URL(fileURLWithPath: profile)))
            let names = seccomp.syscalls?.first?.names ?? []
            #expect(names.contains("clone3") || names.contains("clone"), "\(names)")
            #expect(names.contains("newfstatat") || names.contains("statx") || names.contains("stat"), "\(names)")
            let replay = sb.newID()
            spec.linux?.seccomp = seccomp
            spec.linux?.cgroupsPath = "/\(Sandbox.cgroupParent)/\(replay)"
            let again = try await sb.swiftlet(["run", "--bundle", try sb.bundle(spec, name: replay), replay])
            #expect(again.status == 0 && again.stdout == "threads done\n", "\(again)")
        }
    }

    static let threadsProgram = """
        #include <pthread.h>
        #include <stdio.h>
        #include <sys/stat.h>
        static void *work(void *arg) { struct stat st; for (int i = 0; i < 200; i++) stat("/", &st); return arg; }
        int main(void) {
            pthread_t t[8];
            for (int i = 0; i < 8; i++) if (pthread_create(&t[i], NULL, work, NULL) != 0) return 1;
            for (int i = 0; i < 8; i++) pthread_join(t[i], NULL);
            puts("threads done");
            return 0;
        }
        """

    static func recorderPID(_ stderr: String) -> Int32? {
        guard let range = stderr.range(of: "seccomp recorder: pid ") else { return nil }
        return Int32(stderr[range.upperBound...].prefix { $0.isNumber })
    }
}
