import OCI

/// What the host's Linux security modules can do, and the create-time checks that follow from
/// it: a label the host cannot apply is an error before anything is created (docs/security.md
/// "AppArmor and SELinux"), never a silent skip.
public struct HostSecurity: Sendable, Equatable {
    public var appArmor: Bool
    public var selinux: Bool
    /// The AppArmor profiles loaded in the kernel (names from
    /// /sys/kernel/security/apparmor/profiles); nil when that list cannot be read.
    public var appArmorProfiles: Set<String>?

    public init(appArmor: Bool, selinux: Bool, appArmorProfiles: Set<String>? = nil) {
        self.appArmor = appArmor
        self.selinux = selinux
        self.appArmorProfiles = appArmorProfiles
    }

    /// The running host. AppArmor counts as enabled like runc decides it: securityfs shows
    /// the module and its `enabled` parameter is `Y`. SELinux: selinuxfs is mounted.
    public static func probe() -> HostSecurity {
        let appArmor = Sys.exists("/sys/kernel/security/apparmor") && parameterIsYes("/sys/module/apparmor/parameters/enabled")
        return HostSecurity(appArmor: appArmor, selinux: Sys.exists("/sys/fs/selinux/enforce"),
                            appArmorProfiles: appArmor ? loadedProfiles(AppArmorDefault.profilesFile) : nil)
    }

    /// The host as far as `spec` needs it. A spec that names no AppArmor profile, SELinux
    /// label or mount label asks nothing of the host's modules (`check` and `mountLabel` then
    /// have nothing to look at), so the probe is skipped: its lookups pass through /sys, where
    /// each waits for the sysfs lock while other containers create network namespaces
    /// (docs/performance.md item 34). Such a result says neither module is there, which is
    /// all that spec can observe.
    public static func probe(for spec: Spec) -> HostSecurity {
        let asks = !(spec.process?.apparmorProfile ?? "").isEmpty || !(spec.process?.selinuxLabel ?? "").isEmpty
            || !(spec.linux?.mountLabel ?? "").isEmpty
        return asks ? probe() : HostSecurity(appArmor: false, selinux: false)
    }

    /// The names in an AppArmor profiles list: one "NAME (MODE)" per line.
    static func loadedProfiles(_ path: String) -> Set<String>? {
        guard let text = try? Sys.readText(path) else { return nil }
        return profileNames(text)
    }

    static func profileNames(_ text: String) -> Set<String> {
        var names = Set<String>()
        for line in text.split(separator: "\n") {
            guard var end = line.lastIndex(of: "(") else { continue }
            while end > line.startIndex, line[line.index(before: end)] == " " { end = line.index(before: end) }
            if end > line.startIndex { names.insert(String(line[..<end])) }
        }
        return names
    }

    /// A missing or unreadable parameter file means the module is not there.
    static func parameterIsYes(_ path: String) -> Bool {
        do { return try Sys.readText(path).hasPrefix("Y") } catch { return false }
    }

    /// Errors for labels this host cannot apply; a debug line for what is ignored.
    public func check(process: Process?, linux: OCI.Linux?, debug: (String) -> Void) throws(SpecError) {
        if let profile = process?.apparmorProfile, !profile.isEmpty, !appArmor {
            throw SpecError(path: "process.apparmorProfile",
                            message: "AppArmor is not enabled on this host: cannot confine the process with profile \"\(profile)\"")
        }
        if let profile = process?.apparmorProfile, !profile.isEmpty, appArmor {
            try Self.checkLoaded(profile, in: appArmorProfiles)
        }
        if let label = process?.selinuxLabel, !label.isEmpty, !selinux {
            // runc refuses it the same way ("selinux label is specified in config, but selinux
            // is disabled or not supported").
            throw SpecError(path: "process.selinuxLabel",
                            message: "SELinux is not enabled on this host: cannot run the process as \"\(label)\"")
        }
        if let label = linux?.mountLabel, !label.isEmpty {
            if selinux {
                // It goes into the mount data as context="LABEL": a quote would end it early.
                if label.contains("\"") {
                    throw SpecError(path: "linux.mountLabel", message: "invalid SELinux context \(JSONPath.quoted(label)): contains a quote")
                }
            } else {
                // As runc: without SELinux a mount label has no meaning and is dropped.
                debug("linux.mountLabel: SELinux is not enabled on this host; \"\(label)\" ignored")
            }
        }
    }

    /// The linux.mountLabel the child gives its mounts: nil where SELinux is off (dropped,
    /// as runc does) or no label is set.
    public func mountLabel(_ linux: OCI.Linux?) -> String? {
        guard selinux, let label = linux?.mountLabel, !label.isEmpty else { return nil }
        return label
    }

    /// A profile that is not loaded would only fail at the exec of the container's process,
    /// after `create` reported success: refuse it here instead (runc fails `create` in its
    /// init). Checked for plain names only: "unconfined", stacks ("a//&b") and policy
    /// namespaces (":ns:name") are left to the kernel, as is a host whose list is unreadable.
    /// swiftlet's own default profile is exempt: PreparedSecurity loads it when it is missing
    /// (AppArmorDefault.ensureLoaded).
    static func checkLoaded(_ profile: String, in loaded: Set<String>?) throws(SpecError) {
        guard let loaded, profile != "unconfined", profile != AppArmorDefault.name,
              !profile.hasPrefix(":"), !profile.contains("//&") else { return }
        if !loaded.contains(profile) {
            throw SpecError(path: "process.apparmorProfile",
                            message: "AppArmor profile \"\(profile)\" is not loaded (not in /sys/kernel/security/apparmor/profiles)")
        }
    }
}

/// Everything about the process's security the runtime prepares before clone3, so that the
/// child does no work and a bad configuration fails before anything exists: the LSM checks, the
/// compiled seccomp filter, and the connection to the seccomp agent.
public struct PreparedSecurity: ~Copyable {
    public let seccomp: SeccompProgram?
    public let listener: SeccompListener.ListenerSocket
    /// linux.mountLabel where the host applies it (HostSecurity.mountLabel).
    public var mountLabel: String? = nil

    /// `cacheRoot`: the state root, whose `@seccomp/` keeps compiled filters (SeccompCache).
    public static func prepare(_ spec: Spec, host: HostSecurity? = nil, cacheRoot: String? = nil,
                               debug: (String) -> Void) throws -> PreparedSecurity {
        let host = host ?? HostSecurity.probe(for: spec)
        do { try host.check(process: spec.process, linux: spec.linux, debug: debug) } catch { throw RuntimeError(error) }
        try AppArmorDefault.ensureLoaded(for: spec.process, host: host, debug: debug)
        let seccomp: SeccompProgram?
        if let cacheRoot {
            seccomp = try SeccompCache(root: cacheRoot).program(for: spec.linux?.seccomp, debug: debug) {
                try SeccompCompiler.compile(spec.linux?.seccomp, debug: debug)
            }
        } else {
            seccomp = try SeccompCompiler.compile(spec.linux?.seccomp, debug: debug)
        }
        let listener = try SeccompListener.connect(spec.linux?.seccomp, program: seccomp)
        return PreparedSecurity(seccomp: seccomp, listener: listener, mountLabel: host.mountLabel(spec.linux))
    }
}
