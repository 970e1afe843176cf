import OCI

/// `process.apparmorProfile: "swiftlet-default"` on a host with AppArmor: when no profile of
/// that name is loaded, the runtime generates it from AppArmorDefaultTemplate and loads it
/// with `apparmor_parser -r` before anything of the container exists (so a failure leaves
/// nothing behind). A profile of that name already loaded (by the administrator, or an
/// earlier container) is used as it is.
public enum AppArmorDefault {
    public static let name = "swiftlet-default"
    /// The kernel's list of loaded profiles, read once per command by HostSecurity.probe.
    static let profilesFile = "/sys/kernel/security/apparmor/profiles"
    static let parsers = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"]

    /// Loads swiftlet-default when the config asks for it and it is not loaded yet.
    static func ensureLoaded(for process: Process?, host: HostSecurity, debug: (String) -> Void) throws {
        guard host.appArmor, process?.apparmorProfile == name else { return }
        // HostSecurity.probe has read the list of loaded profiles already.
        guard let loaded = host.appArmorProfiles else {
            throw RuntimeError("process.apparmorProfile: cannot read \(profilesFile)")
        }
        if loaded.contains(name) { return }
        guard let parser = parsers.first(where: { Sys.exists($0) }) else {
            throw RuntimeError("process.apparmorProfile: \(name) is not loaded and apparmor_parser is not installed")
        }
        let text = Array(AppArmorDefaultTemplate.profile(named: name).utf8)
        let pipe = try withContext("process.apparmorProfile: pipe") { try Sys.pipe() }
        let readEnd = FileDescriptor(pipe.first.take())
        do {
            let writeEnd = pipe.second
            // The profile is under a kilobyte: it fits in the pipe before the parser starts,
            // and closing the write end here gives the parser its end of file.
            try withContext("process.apparmorProfile: write profile") { try Sys.writeAll(writeEnd.raw, text, path: "pipe") }
        }
        let pid = try withContext("process.apparmorProfile: run \(parser)") {
            try Sys.spawn(parser, args: [parser, "--replace", "--skip-cache", "--quiet"], env: [], stdinFD: readEnd.raw)
        }
        let status = try withContext("process.apparmorProfile: wait for \(parser)") { try Sys.wait(pid: pid) }
        guard case .exited(0) = status else {
            throw RuntimeError("process.apparmorProfile: \(parser) could not load \(name) (\(status))")
        }
        debug("process.apparmorProfile: loaded \(name) from the built-in template")
    }
}
