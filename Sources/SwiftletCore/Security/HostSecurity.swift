import OCI

/// What the host's Linux security modules can do, and the create-time checks that follow from
/// it: a label the host cannot apply is an error before anything is created (docs/security.md
/// "AppArmor and SELinux"), never a silent skip.
public struct HostSecurity: Sendable, Equatable {
    public var appArmor: Bool
    public var selinux: Bool

    public init(appArmor: Bool, selinux: Bool) {
        self.appArmor = appArmor
        self.selinux = selinux
    }

    /// The running host. AppArmor counts as enabled like runc decides it: securityfs shows
    /// the module and its `enabled` parameter is `Y`. SELinux: selinuxfs is mounted.
    public static func probe() -> HostSecurity {
        HostSecurity(appArmor: Sys.exists("/sys/kernel/security/apparmor") && parameterIsYes("/sys/module/apparmor/parameters/enabled"),
                     selinux: Sys.exists("/sys/fs/selinux/enforce"))
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
        if let label = process?.selinuxLabel, !label.isEmpty, !selinux {
            // runc refuses it the same way ("selinux label is specified in config, but selinux
            // is disabled or not supported").
            throw SpecError(path: "process.selinuxLabel",
                            message: "SELinux is not enabled on this host: cannot run the process as \"\(label)\"")
        }
        if let label = linux?.mountLabel, !label.isEmpty {
            if selinux {
                throw SpecError(path: "linux.mountLabel", message: "SELinux mount labels are not supported yet")
            }
            // As runc: without SELinux a mount label has no meaning and is dropped.
            debug("linux.mountLabel: SELinux is not enabled on this host; \"\(label)\" ignored")
        }
    }
}

/// Everything about the process's security the runtime prepares before clone3, so that the
/// child does no work and a bad configuration fails before anything exists: the LSM checks, the
/// compiled seccomp filter, and the connection to the seccomp agent.
public struct PreparedSecurity: ~Copyable {
    public let seccomp: SeccompProgram?
    public let listener: SeccompListener.ListenerSocket

    /// `cacheRoot`: the state root, whose `@seccomp/` keeps compiled filters (SeccompCache).
    public static func prepare(_ spec: Spec, host: HostSecurity = .probe(), cacheRoot: String? = nil,
                               debug: (String) -> Void) throws -> PreparedSecurity {
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
        return PreparedSecurity(seccomp: seccomp, listener: listener)
    }
}
