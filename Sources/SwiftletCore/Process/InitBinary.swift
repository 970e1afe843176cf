/// swiftlet-init, the container's PID 1, is a separate static C program installed with the
/// swiftlet binary. The runtime copies it into a sealed memfd and executes that, so
/// /proc/1/exe in the container names an anonymous, unwritable file and never the host's
/// binary (CVE-2019-5736). See docs/architecture.md.
enum InitBinary {
    /// `$SWIFTLET_INIT`, else the init that belongs to the running executable (`candidates`).
    static func locate() throws -> String {
        if let explicit = Sys.environment("SWIFTLET_INIT"), !explicit.isEmpty { return explicit }
        let executable: String
        do {
            executable = try Sys.readlink("/proc/self/exe")
        } catch {
            throw RuntimeError("cannot find swiftlet-init: \(error); set SWIFTLET_INIT")
        }
        let candidates = Self.candidates(executable: executable)
        for path in candidates where Sys.isExecutable(path) { return path }
        throw RuntimeError("cannot find swiftlet-init (looked in \(candidates.joined(separator: ", "))); set SWIFTLET_INIT")
    }

    /// Where the init of the swiftlet at `executable` (an absolute path, symlinks resolved,
    /// as /proc/self/exe gives it) is: beside it (the build directory, `.build/release/`), or
    /// in its install prefix, `PREFIX/libexec/swiftlet/` for `PREFIX/bin/swiftlet`
    /// (scripts/install.sh, the Debian package: /usr/bin and /usr/libexec/swiftlet). Never a
    /// fixed path: an init of another install may speak another plan format.
    static func candidates(executable: String) -> [String] {
        // Lexically, by the last two slashes (no String.split on the create path: its generic
        // entry point looks conformances up at run time, docs/performance.md).
        guard executable.hasPrefix("/"), let slash = executable.lastIndex(of: "/") else { return [] }
        let directory = executable[..<slash]
        var candidates = [String(directory) + "/swiftlet-init"]
        if let parentSlash = directory.lastIndex(of: "/") {
            candidates.append(String(directory[..<parentSlash]) + "/libexec/swiftlet/swiftlet-init")
        }
        return candidates
    }

    /// A sealed memfd holding the init program.
    static func load() throws -> FileDescriptor {
        let path = try locate()
        return try withContext("load init") { try Sys.sealedMemfd(name: "swiftlet-init", copying: path) }
    }
}
