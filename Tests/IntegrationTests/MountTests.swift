import Foundation
import Glibc
import OCI
import Testing

/// runtime-spec config.md "Mounts" and "Root", config-linux.md "Masked Paths", "Readonly
/// Paths": checked inside the container (/proc/self/mountinfo, errors of writes) and on the
/// host (its files untouched, no mount visible).
@Suite(.enabled(if: Harness.ready, Harness.skipComment), .timeLimit(.minutes(1)))
struct MountTests {
    /// Runs `script` in a container with `configure` applied; returns its stdout.
    static func run(_ sb: Sandbox, _ script: String, sourceLocation: SourceLocation = #_sourceLocation,
                    configure: (inout Spec) -> Void = { _ in }) async throws -> String {
        let id = sb.newID()
        var spec = sb.shell(id: id, script)
        configure(&spec)
        let outcome = try await sb.swiftlet(["run", "--bundle", try sb.bundle(spec, name: id), id])
        #expect(outcome.status == 0, "\(outcome)", sourceLocation: sourceLocation)
        return outcome.stdout
    }

    @Test func tmpfsWithOptions() async throws {
        try await withSandbox("tmpfs") { sb in
            let out = try await Self.run(sb, """
                grep ' /mnt/scratch ' /proc/self/mountinfo; stat -c '%a' /mnt/scratch
                echo data > /mnt/scratch/file && cat /mnt/scratch/file
                """) { spec in
                spec.mounts?.append(Mount(destination: "/mnt/scratch", type: "tmpfs", source: "tmpfs",
                                          options: ["nosuid", "nodev", "noexec", "size=1m", "mode=1777"]))
            }
            let lines = out.split(separator: "\n")
            #expect(lines.count == 3, "\(out)")
            let mountLine = String(lines.first ?? "")
            let fields = mountLine.split(separator: " ")
            let options = fields.count > 5 ? fields[5].split(separator: ",") : []
            #expect(mountLine.contains(" - tmpfs tmpfs "), "\(mountLine)")
            #expect(mountLine.contains("size=1024k"), "\(mountLine)")
            #expect(Set(options).isSuperset(of: ["rw", "nosuid", "nodev", "noexec"]), "\(mountLine)")
            #expect(lines.dropFirst().first == "1777")
            #expect(lines.last == "data")
            #expect(mountsUnder([sb.rootfs]).isEmpty)
        }
    }

    /// A read-only bind: readable, every write fails with EROFS, the host file is untouched.
    @Test func readOnlyBind() async throws {
        try await withSandbox("robind") { sb in
            let source = sb.dir + "/data"
            try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
            try Data("host content\n".utf8).write(to: URL(fileURLWithPath: source + "/file"))
            let out = try await Self.run(sb, """
                cat /data/file
                (echo changed > /data/file) 2>&1 || true
                touch /data/new 2>&1 || true
                mkdir /data/dir 2>&1 || true
                grep ' /data ' /proc/self/mountinfo | cut -d' ' -f6
                """) { spec in
                spec.mounts?.append(Mount(destination: "/data", type: "bind", source: source, options: ["bind", "ro"]))
            }
            let lines = out.split(separator: "\n").map(String.init)
            #expect(lines.first == "host content")
            #expect(lines.filter { $0.contains("Read-only file system") }.count == 3, "\(out)")
            #expect(lines.last?.split(separator: ",").first == "ro", "\(out)")
            #expect(readText(source + "/file") == "host content\n")
            #expect(!FileManager.default.fileExists(atPath: source + "/new"))
        }
    }

    /// maskedPaths: a masked file reads empty, a masked directory lists empty and cannot be
    /// written; a masked path that does not exist is ignored. The host's files are untouched.
    /// The /proc file is one of runc's masked ones that the kernel has (/proc/timer_list on most);
    /// a kernel with none of them gets the rest checked and a skip (cancelled) for /proc.
    @Test func maskedPaths() async throws {
        let procFile = HostProbe.maskableProcFile ?? "/proc/timer_list"
        try await withSandbox("mask") { sb in
            let source = sb.dir + "/data"
            try FileManager.default.createDirectory(atPath: source + "/secretdir", withIntermediateDirectories: true)
            try Data("s3cret".utf8).write(to: URL(fileURLWithPath: source + "/secretdir/key"))
            try Data("s3cret".utf8).write(to: URL(fileURLWithPath: source + "/secretfile"))
            try Data("visible".utf8).write(to: URL(fileURLWithPath: source + "/other"))
            let out = try await Self.run(sb, """
                echo "file:$(cat /data/secretfile | wc -c)"
                echo "dir:$(ls -A /data/secretdir | wc -l)"
                echo "other:$(cat /data/other)"
                touch /data/secretdir/new 2>/dev/null && echo dir-writable || echo dir-readonly
                echo "proc:$(cat \(procFile) 2>/dev/null | wc -c)"
                """) { spec in
                spec.mounts?.append(Mount(destination: "/data", type: "bind", source: source, options: ["rbind", "rw"]))
                spec.linux?.maskedPaths = ["/data/secretfile", "/data/secretdir", "/data/does-not-exist", procFile]
            }
            #expect(keyValues(out.replacingOccurrences(of: ":", with: " ")) == [
                "file": "0", "dir": "0", "other": "visible", "dir-readonly": "", "proc": "0",
            ], "\(out)")
            #expect(readText(source + "/secretfile") == "s3cret")
            #expect(readText(source + "/secretdir/key") == "s3cret")
            #expect(!FileManager.default.fileExists(atPath: source + "/does-not-exist"))
            if HostProbe.maskableProcFile == nil {
                try Test.cancel("host kernel has none of /proc/timer_list, keys, sched_debug, latency_stats to mask; the bind-mounted paths were checked")
            }
        }
    }

    /// readonlyPaths: writes fail with EROFS (in /proc/sys and in a writable bind), while the
    /// rest of the bind stays writable.
    @Test func readonlyPaths() async throws {
        try await withSandbox("ropath") { sb in
            let source = sb.dir + "/data"
            try FileManager.default.createDirectory(atPath: source + "/locked", withIntermediateDirectories: true)
            let out = try await Self.run(sb, """
                (echo x > /data/locked/f) 2>&1 || true
                echo x > /data/open && echo open-ok
                (echo itest2 > /proc/sys/kernel/hostname) 2>&1 || true
                hostname
                """) { spec in
                spec.mounts?.append(Mount(destination: "/data", type: "bind", source: source, options: ["rbind", "rw"]))
                spec.linux?.readonlyPaths = ["/data/locked", "/proc/sys", "/data/missing"]
            }
            let lines = out.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(out)")
            #expect(lines.first?.contains("Read-only file system") == true, "\(out)")
            #expect(lines.dropFirst().first == "open-ok")
            #expect(lines.dropFirst(2).first?.contains("Read-only file system") == true, "\(out)")
            #expect(lines.last == "itest")
            #expect(!FileManager.default.fileExists(atPath: source + "/locked/f"))
            #expect(readText(source + "/open") == "x\n")
        }
    }

    /// root.readonly: / is read-only, the tmpfs mounts on it are not.
    @Test func readonlyRoot() async throws {
        try await withSandbox("roroot") { sb in
            let out = try await Self.run(sb, "touch /newfile 2>&1 || true; touch /dev/shm/ok && echo shm-ok") { _ in }
            #expect(out.contains("Read-only file system"), "\(out)")
            #expect(out.contains("shm-ok"))
            #expect(!FileManager.default.fileExists(atPath: sb.rootfs + "/newfile"))
        }
    }

    /// After pivot_root the host's root is gone: no mount of it inside, `..` stops at the
    /// container's root, host-only paths do not exist.
    @Test func hostRootUnreachable() async throws {
        try await withSandbox("pivot") { sb in
            var hostRoot = stat()
            #expect(stat("/", &hostRoot) == 0)
            let hostDevice = "\(major(hostRoot.st_dev)):\(minor(hostRoot.st_dev))"
            let hostOnly = sb.dir
            try Data().write(to: URL(fileURLWithPath: hostOnly + "/host-marker"))
            let out = try await Self.run(sb, """
                cat /proc/self/mountinfo
                echo ---
                cd /../../..; pwd; ls /
                echo ---
                test -e '\(hostOnly)/host-marker' && echo host-visible
                test -e /proc/self/root/'\(hostOnly)' && echo host-visible-via-proc
                readlink /proc/self/root
                """)
            let parts = out.components(separatedBy: "---\n")
            try #require(parts.count == 3, "\(out)")
            // No mount inside shows the host's root filesystem at its root ("/" of that device).
            for line in parts[0].split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count > 4 else { continue }
                #expect(!(fields[2] == hostDevice && fields[3] == "/"), "host root mounted inside: \(line)")
            }
            // The container's / is the rootfs.
            let listing = parts[1].split(separator: "\n").map(String.init)
            #expect(listing.first == "/")
            #expect(listing.contains("bin") && listing.contains("proc"))
            #expect(!listing.contains("work") && !listing.contains("usr"), "\(listing)")
            #expect(!parts[2].contains("host-visible"), "\(parts[2])")
            #expect(parts[2].trimmingCharacters(in: .whitespacesAndNewlines) == "/")
        }
    }
}

/// major/minor of a dev_t (glibc's gnu_dev_major/minor are macros Swift does not import).
func major(_ dev: dev_t) -> UInt64 { (UInt64(dev) >> 8) & 0xfff | (UInt64(dev) >> 32) & ~UInt64(0xfff) }
func minor(_ dev: dev_t) -> UInt64 { UInt64(dev) & 0xff | (UInt64(dev) >> 12) & ~UInt64(0xff) }
