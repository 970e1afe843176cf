/// The CRIU binary: found, asked its version (`criu --version`) and checked against the
/// running kernel (`criu check`) through its command line. The dumps and restores themselves
/// go through CRIU's RPC (`criu swrk`, Checkpoint/CriuSwrk.swift), as runc and crun drive it:
/// a terminal container's console (`orphan_pts_master`) exists only there. docs/checkpoint.md.
struct CriuTool {
    let path: String
    let version: String

    /// `--criu PATH` or `criu` in $PATH; the one-line error when there is none.
    static func locate(_ configured: String?, command: String) throws -> CriuTool {
        let name = configured ?? "criu"
        guard let path = Sys.lookPath(name) else {
            throw RuntimeError("\(command): no CRIU binary (\(configured.map { "--criu \($0)" } ?? "criu in $PATH")): "
                + "checkpoint and restore need CRIU (Debian package criu)", errno: Errno.ENOENT)
        }
        let (status, output) = try run(path, ["--version"], command: command)
        guard status == 0 else {
            throw RuntimeError("\(command): \(path) --version failed: \(lastLine(output))", errno: Errno.ENOEXEC)
        }
        return CriuTool(path: path, version: parseVersion(output) ?? "unknown")
    }

    /// `Version: 3.17.1` out of `criu --version`.
    static func parseVersion(_ output: String) -> String? {
        for line in output.split(separator: "\n") where line.hasPrefix("Version:") {
            return line.dropFirst("Version:".count).trimmingPrefix(while: { $0 == " " }).description
        }
        return nil
    }

    /// Whether CRIU `version` ("3.17.1") brings back no_new_privs at restore: CRIU dumps and
    /// restores it since 3.19 (commit "prctl: Migrate prctl(NO_NEW_PRIVS) setting"); before,
    /// every restored process runs without it, whatever it had (runc's containers too).
    static func restoresNoNewPrivs(_ version: String) -> Bool {
        let parts = version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        let major = parts.first ?? 0
        let minor = parts.count > 1 ? parts[1] : 0
        return major > 3 || (major == 3 && minor >= 19)
    }

    /// `criu check`: whether this CRIU can dump and restore on this kernel. A CRIU older than
    /// the kernel fails here (CRIU 3.17 on 6.18: its vDSO parsing), and the command says so in
    /// one line instead of failing half-way through a dump.
    func check(command: String) throws {
        let (status, output) = try Self.run(path, ["check"], command: command)
        guard status != 0 else { return }
        throw RuntimeError("\(command): criu \(version) cannot \(command == "checkpoint" ? "dump" : "restore") on kernel "
            + "\(Sys.kernelRelease()): criu check failed: \(Self.firstError(output))", errno: Errno.EOPNOTSUPP)
    }

    /// `check(command:)` once per boot and CRIU binary: a passed check is remembered in
    /// `<root>/@criu-check` (`@` is never in a container id, so `list` never sees it) under a
    /// key of the boot (/proc/sys/kernel/random/boot_id), the binary (path, device, inode,
    /// size: an upgrade writes a new inode) and its version; a failed one is never remembered,
    /// so a host where CRIU cannot work still gets the one-line reason each time. `criu check`
    /// costs a CRIU start-up and a round of kernel probes per command (in the emulated VM,
    /// about a second of each podman checkpoint and restore). An unreadable marker is a miss,
    /// and one that cannot be written only costs the next command its check.
    func check(command: String, root: String, debug: (String) -> Void) throws {
        let marker = root + "/@criu-check"
        var key: [UInt8]?
        do {
            let boot = try Procfs.open().read("sys/kernel/random/boot_id").filter { $0 != UInt8(ascii: "\n") }
            let binary = try Sys.stat(path)
            key = Array("\(String(decoding: boot, as: UTF8.self)) \(path) \(binary.device):\(binary.inode):\(binary.size) \(version)\n".utf8)
        } catch {
            debug("\(command): no key for the criu check marker (\(error)): checking")
        }
        if let key {
            do {
                if try Sys.readFile(marker) == key { return }
            } catch {
                debug("\(command): \(marker): \(error): checking")
            }
        }
        try check(command: command)
        guard let key else { return }
        do { try Sys.writeFileAtomically(marker, key) } catch { debug("\(command): \(marker): \(error)") }
    }

    /// Runs CRIU with `args`; its exit status and everything it printed (stdout and stderr).
    static func run(_ path: String, _ args: [String], command: String) throws -> (Int32, String) {
        let pair = try withContext("\(command): criu") { try Sys.pipe() }
        let reader = pair.first
        let writer = pair.second
        let devnull = try withContext("\(command): /dev/null") { try Sys.open("/dev/null", Linux.O_RDONLY) }
        let pid = try withContext("\(command): spawn \(path)") {
            try Sys.spawn(path, args: ["criu"] + args, env: Sys.environment(), stdinFD: devnull.raw, outputFD: writer.raw)
        }
        _ = consume writer
        var output: [UInt8] = []
        while true {
            let chunk = try withContext("\(command): output of criu") { try Sys.readSome(reader.raw, count: 16384, path: "output of criu") }
            if chunk.isEmpty { break }
            output += chunk
        }
        _ = consume reader
        let status = try withContext("\(command): wait for criu") { try Sys.wait(pid: pid) }
        let text = String(decoding: output, as: UTF8.self)
        return (status.code, text)
    }

    /// CRIU's first `Error (...)` line without its source location, else its last line.
    static func firstError(_ output: String) -> String {
        for line in output.split(separator: "\n") where line.contains("Error (") {
            if let close = line.firstRange(of: "): ") { return String(line[close.upperBound...]) }
            return String(line)
        }
        return lastLine(output)
    }

    static func lastLine(_ output: String) -> String {
        output.split(separator: "\n").last.map(String.init) ?? "(no output)"
    }

    /// The first error of a CRIU log file (`dump.log`), for the one-line message; nil when the
    /// log cannot be read (the message then names the log instead).
    static func logError(_ path: String) -> String? {
        let bytes: [UInt8]
        do { bytes = try Sys.readFile(path) } catch { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.contains("Error (") ? firstError(text) : nil
    }
}
