import FoundationEssentials

extension Spec {
    /// Syscalls take at most six arguments.
    static let seccompArgumentCount: UInt = 6

    /// config-linux.md "Seccomp". Actions, architectures, flags and operators were checked when
    /// decoding; this checks the rules between fields.
    func validateSeccomp(_ seccomp: LinuxSeccomp, _ problems: inout Problems) {
        let base = "linux.seccomp"
        if seccomp.defaultAction == .notify {
            // libseccomp refuses it: the agent would have to answer every syscall, its own too.
            problems.add("\(base).defaultAction", "SCMP_ACT_NOTIFY cannot be the default action")
        }
        if seccomp.defaultErrnoRet != nil && !seccomp.defaultAction.takesErrno {
            problems.add("\(base).defaultErrnoRet", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(seccomp.defaultAction.rawValue)")
        }
        let syscalls = seccomp.syscalls ?? []
        for (index, syscall) in syscalls.enumerated() {
            let path = JSONPath.index("\(base).syscalls", index)
            if syscall.names.isEmpty {
                problems.add("\(path).names", "must not be empty")
            }
            for (nameIndex, name) in syscall.names.enumerated() where name.isEmpty {
                problems.add(JSONPath.index("\(path).names", nameIndex), "must not be empty")
            }
            // runc refuses it too: the agent (and whatever logs for it) writes, and a write that
            // waits for the agent's answer can deadlock it.
            for (nameIndex, name) in syscall.names.enumerated() where syscall.action == .notify && name == "write" {
                problems.add(JSONPath.index("\(path).names", nameIndex),
                             "SCMP_ACT_NOTIFY cannot be used for write: the agent could deadlock answering it")
            }
            if syscall.errnoRet != nil && !syscall.action.takesErrno {
                problems.add("\(path).errnoRet", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(syscall.action.rawValue)")
            }
            for (argIndex, arg) in (syscall.args ?? []).enumerated() where arg.index >= Spec.seccompArgumentCount {
                problems.add("\(JSONPath.index("\(path).args", argIndex)).index",
                             "must be less than \(Spec.seccompArgumentCount), got \(arg.index)")
            }
        }
        let usesNotify = seccomp.defaultAction == .notify || syscalls.contains { $0.action == .notify }
        let listenerPath = seccomp.listenerPath ?? ""
        if usesNotify && listenerPath.isEmpty {
            problems.add("\(base).listenerPath", "required when SCMP_ACT_NOTIFY is used")
        }
        if let metadata = seccomp.listenerMetadata, !metadata.isEmpty, listenerPath.isEmpty {
            problems.add("\(base).listenerMetadata", "must not be set without listenerPath")
        }
    }
}
