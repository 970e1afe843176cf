import Foundation
import Glibc
import OCI
import Testing

/// docs/hardening.md: every ```sh block, in order, as one `bash -euo pipefail` script in a
/// scratch directory, with `swiftlet` on PATH (the built binary with this sandbox's --root)
/// and $ROOTFS the busybox rootfs. The outputs the document shows are checked here.
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(2)))
struct HardeningDocTests {
    static func shellBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append((current ?? []).joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The document runs the hardened config (a user namespace, seccomp) and the recorder.
    @Test(HostProbe.requires(HostProbe.userNamespaces, HostProbe.seccompUserNotif))
    func everyCommandRuns() async throws {
        try await withSandbox("doc") { sb in
            let doc = try String(contentsOfFile: Harness.packageRoot + "/docs/hardening.md", encoding: .utf8)
            let blocks = Self.shellBlocks(doc)
            #expect(blocks.count >= 6)
            let script = blocks.joined(separator: "\n")
            // The containers the document runs (the last word of each `swiftlet run`), for cleanup.
            for line in script.split(separator: "\n") where line.hasPrefix("swiftlet run") {
                let words = line.split(separator: " ").prefix { $0 != ">" && $0 != "||" }
                if let id = words.last { sb.track(String(id)) }
            }
            let work = sb.dir + "/doc"
            let bin = sb.dir + "/bin"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            let binary = try #require(Harness.binary)
            try Data("#!/bin/sh\nexec '\(binary)' --root '\(sb.stateRoot)' \"$@\"\n".utf8)
                .write(to: URL(fileURLWithPath: bin + "/swiftlet"))
            chmod(bin + "/swiftlet", 0o755)
            let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let outcome = try await Subprocess.run("/usr/bin/env", [
                "PATH=\(path)", "ROOTFS=\(sb.rootfs)", "/bin/bash", "-c",
                "cd '\(work)' && set -euo pipefail && \(script)",
            ], timeout: 60)
            #expect(outcome.status == 0, "\(outcome)")
            for expected in [
                "audit exit status 2", "HIGH linux.seccomp: no seccomp profile [seccomp-missing]",
                "HIGH process.user.uid: the process runs as root (uid 0) without a user namespace [root-without-userns]",
                "uid=1000(user) gid=1000(user)\nhello\n", "/hardened: no findings", #"{"high":0,"low":0,"medium":0}"#,
                "NoNewPrivs:\t1", "Seccomp:\t2", #"["CAP_NET_BIND_SERVICE"]"#,
                #"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["#, "same output", "mkdir refused, exit status 1",
            ] {
                #expect(outcome.stdout.contains(expected), "\(expected.debugDescription) not in \(outcome.stdout)")
            }
            for expected in ["touch: /x: Read-only file system", "unshare: unshare(0x10000000): Operation not permitted",
                             "mkdir: can't create directory '/tmp/x': Operation not permitted"] {
                #expect(outcome.stderr.contains(expected), "\(expected.debugDescription) not in \(outcome.stderr)")
            }
        }
    }
}
