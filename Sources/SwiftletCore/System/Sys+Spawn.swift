import Glibc

extension Sys {
    /// posix_spawn(3) of `path` with `args` and `env`; stdin from `stdinFD` (or inherited when
    /// -1), stdout and stderr to `outputFD` (or inherited when -1). Returns the child's pid.
    /// `inherit`: descriptors the child gets at fixed numbers (source, number), e.g. the
    /// namespace files CRIU's `--inherit-fd fd[N]:KEY` names (dup2 clears close-on-exec).
    public static func spawn(_ path: String, args: [String], env: [String], stdinFD: Int32 = -1,
                             outputFD: Int32 = -1, inherit: [(Int32, Int32)] = []) throws(SystemError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdinFD >= 0 { posix_spawn_file_actions_adddup2(&actions, stdinFD, 0) }
        if outputFD >= 0 {
            posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
            posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        }
        for (source, number) in inherit { posix_spawn_file_actions_adddup2(&actions, source, number) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The runtime blocks signals while it waits for children; the hook starts clean.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = withCStrings(args) { argv in
            withCStrings(env) { envp in
                posix_spawn(&pid, path, &actions, &attributes,
                            UnsafeMutablePointer(mutating: argv), UnsafeMutablePointer(mutating: envp))
            }
        }
        if rc != 0 { throw SystemError(errno: rc, operation: "spawn", path: path) }
        return pid
    }

    /// Ignore SIGPIPE: a hook or console peer that goes away must give EPIPE, not kill us.
    public static func ignoreSIGPIPE() { signal(SIGPIPE, SIG_IGN) }

    public static func readlink(_ path: String) throws(SystemError) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = try check("readlink", path) { Glibc.readlink(path, &buffer, buffer.count - 1) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The runtime's own environment, as `NAME=value` strings.
    public static func environment() -> [String] {
        var result: [String] = []
        var p = environ
        while let entry = p.pointee {
            result.append(String(cString: entry))
            p += 1
        }
        return result
    }

    /// The first executable `name` in $PATH (a name with a slash is returned as it is).
    public static func lookPath(_ name: String) -> String? {
        if name.contains("/") { return isExecutable(name) ? name : nil }
        let path = environment("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in path.split(separator: ":") where isExecutable("\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    /// uname(2)'s release, the running kernel's version (`6.1.0-57-amd64`).
    public static func kernelRelease() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &names.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
