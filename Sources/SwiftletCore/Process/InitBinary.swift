/// swiftlet-init, the container's PID 1, is a separate static C program installed next to the
/// swiftlet binary. The runtime copies it into a sealed memfd and executes that, so
/// /proc/1/exe in the container names an anonymous, unwritable file and never the host's
/// binary (CVE-2019-5736). See docs/architecture.md.
enum InitBinary {
    /// `$SWIFTLET_INIT`, else `swiftlet-init` beside the running executable, else the
    /// conventional install locations.
    static func locate() throws -> String {
        if let explicit = Sys.environment("SWIFTLET_INIT"), !explicit.isEmpty { return explicit }
        var candidates: [String] = []
        if let exe = try? Sys.readlink("/proc/self/exe"), let slash = exe.lastIndex(of: "/") {
            candidates.append(String(exe[..<slash]) + "/swiftlet-init")
        }
        candidates += ["/usr/local/libexec/swiftlet/swiftlet-init", "/usr/libexec/swiftlet/swiftlet-init"]
        for path in candidates where Sys.isExecutable(path) { return path }
        throw RuntimeError("cannot find swiftlet-init (looked in \(candidates.joined(separator: ", "))); set SWIFTLET_INIT")
    }

    /// A sealed memfd holding the init program.
    static func load() throws -> FileDescriptor {
        let path = try locate()
        return try withContext("load init") { try Sys.sealedMemfd(name: "swiftlet-init", copying: path) }
    }
}
