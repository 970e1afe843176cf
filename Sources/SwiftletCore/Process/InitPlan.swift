import CSwiftlet
import OCI

/// Builds the plan swiftlet-init reads: the record stream defined in swiftlet_plan.h.
/// Pure byte building, unit-tested; the child writes it into a memfd.
public struct InitPlan: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(mode: swl_mode) {
        append(SWL_P_MAGIC, u32: [SWL_PLAN_MAGIC, SWL_PLAN_VERSION])
        append(SWL_P_MODE, u32: [mode.rawValue])
    }

    mutating func header(_ tag: swl_plan_tag, length: Int) {
        appendInteger(tag.rawValue)
        appendInteger(UInt32(length))
    }

    mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(_ tag: swl_plan_tag) { header(tag, length: 0) }

    public mutating func append(_ tag: swl_plan_tag, u32 values: [UInt32]) {
        header(tag, length: values.count * 4)
        for v in values { appendInteger(v) }
    }

    public mutating func append(_ tag: swl_plan_tag, i32 value: Int32) {
        header(tag, length: 4)
        appendInteger(value)
    }

    public mutating func append(_ tag: swl_plan_tag, u64 values: [UInt64]) {
        header(tag, length: values.count * 8)
        for v in values { appendInteger(v) }
    }

    public mutating func append(_ tag: swl_plan_tag, string: String) {
        let utf8 = Array(string.utf8)
        header(tag, length: utf8.count + 1)
        bytes.append(contentsOf: utf8)
        bytes.append(0)
    }

    public mutating func append(_ tag: swl_plan_tag, raw: [UInt8]) {
        header(tag, length: raw.count)
        bytes.append(contentsOf: raw)
    }

    public mutating func appendRlimit(resource: UInt32, soft: UInt64, hard: UInt64) {
        header(SWL_P_RLIMIT, length: 24)
        appendInteger(resource)
        appendInteger(UInt32(0))
        appendInteger(soft)
        appendInteger(hard)
    }
}

extension InitPlan {
    /// Everything about the user's process: runtime-spec config.md "Process" and
    /// config-linux.md for its Linux-only fields.
    public mutating func addProcess(_ process: Process, executable: String) throws(SpecError) {
        for arg in process.args ?? [] { append(SWL_P_ARG, string: arg) }
        for env in process.env ?? [] { append(SWL_P_ENV, string: env) }
        append(SWL_P_EXEC_PATH, string: executable)
        append(SWL_P_CWD, string: process.cwd)
        append(SWL_P_UID, u32: [process.user.uid])
        append(SWL_P_GID, u32: [process.user.gid])
        if let groups = process.user.additionalGids, !groups.isEmpty { append(SWL_P_GROUPS, u32: groups) }
        append(SWL_P_UMASK, u32: [process.user.umask ?? 0o022])
        if let caps = process.capabilities {
            let permitted = try Self.capabilityMask(caps.permitted, field: "process.capabilities.permitted")
            let inheritable = try Self.capabilityMask(caps.inheritable, field: "process.capabilities.inheritable")
            // The kernel only lets a capability into the ambient set when it is permitted and
            // inheritable; like runc, the others are left out (create warns about them).
            let ambient = try Self.capabilityMask(caps.ambient, field: "process.capabilities.ambient") & permitted & inheritable
            append(SWL_P_CAPS, u64: [
                try Self.capabilityMask(caps.bounding, field: "process.capabilities.bounding"),
                try Self.capabilityMask(caps.effective, field: "process.capabilities.effective"),
                permitted, inheritable, ambient,
            ])
        }
        if process.noNewPrivileges == true { append(SWL_P_NO_NEW_PRIVS) }
        for (i, limit) in (process.rlimits ?? []).enumerated() {
            guard let resource = Rlimit.number(of: limit.type) else {
                throw SpecError(path: "process.rlimits[\(i)].type", message: "unknown rlimit \"\(limit.type)\"")
            }
            appendRlimit(resource: UInt32(resource), soft: limit.soft, hard: limit.hard)
        }
        if let profile = process.apparmorProfile, !profile.isEmpty { append(SWL_P_APPARMOR, string: profile) }
        if let label = process.selinuxLabel, !label.isEmpty { append(SWL_P_SELINUX, string: label) }
        if let scheduler = process.scheduler { addScheduler(scheduler) }
        if let io = process.ioPriority {
            append(SWL_P_IOPRIO, u32: [Self.ioPriorityClass(io.class), UInt32(clamping: io.priority)])
        }
        // execCPUAffinity is for processes joining a running container ("not applicable to the
        // container's init process", config.md), and oomScoreAdj is written for PID 1 by the
        // runtime's child, so the process inherits it: neither is a plan record here.
    }

    /// config-linux.md "Personality": the execution domain of the process.
    public mutating func addPersonality(_ personality: LinuxPersonality?) {
        guard let personality else { return }
        append(SWL_P_PERSONALITY, u32: [Self.personalityDomain(personality.domain)])
    }

    /// config.md "scheduler": sched_setattr(2)'s struct sched_attr, laid out as swiftlet_plan.h says.
    mutating func addScheduler(_ scheduler: Scheduler) {
        var flags: UInt64 = 0
        for flag in scheduler.flags ?? [] { flags |= Self.schedulerFlag(flag) }
        header(SWL_P_SCHEDULER, length: 48)
        appendInteger(Self.schedulerPolicy(scheduler.policy))
        appendInteger(scheduler.nice ?? 0)
        appendInteger(scheduler.priority ?? 0)
        appendInteger(UInt32(0))
        appendInteger(flags)
        appendInteger(scheduler.runtime ?? 0)
        appendInteger(scheduler.deadline ?? 0)
        appendInteger(scheduler.period ?? 0)
    }

    /// SCHED_* policy numbers (linux/sched.h). SCHED_ISO is reserved there and never
    /// implemented: sched_setattr then fails with EINVAL, reported by the init.
    static func schedulerPolicy(_ policy: LinuxSchedulerPolicy) -> UInt32 {
        switch policy {
        case .other: return 0
        case .fifo: return 1
        case .rr: return 2
        case .batch: return 3
        case .iso: return 4
        case .idle: return 5
        case .deadline: return 6
        }
    }

    /// SCHED_FLAG_* (linux/sched.h).
    static func schedulerFlag(_ flag: LinuxSchedulerFlag) -> UInt64 {
        switch flag {
        case .resetOnFork: return 0x01
        case .reclaim: return 0x02
        case .dlOverrun: return 0x04
        case .keepPolicy: return 0x08
        case .keepParams: return 0x10
        case .utilClampMin: return 0x20
        case .utilClampMax: return 0x40
        }
    }

    /// IOPRIO_CLASS_* (linux/ioprio.h).
    static func ioPriorityClass(_ ioClass: IOPriorityClass) -> UInt32 {
        switch ioClass {
        case .rt: return 1
        case .be: return 2
        case .idle: return 3
        }
    }

    /// personality(2) domains: PER_LINUX and PER_LINUX32 (linux/personality.h).
    static func personalityDomain(_ domain: LinuxPersonalityDomain) -> UInt32 {
        switch domain {
        case .linux: return 0x0000
        case .linux32: return 0x0008
        }
    }

    /// A capability list as a bit mask. Unknown names are errors, never skipped.
    static func capabilityMask(_ names: [String]?, field: String) throws(SpecError) -> UInt64 {
        var mask: UInt64 = 0
        for (i, name) in (names ?? []).enumerated() {
            guard let bit = Capability.number(of: name) else {
                throw SpecError(path: "\(field)[\(i)]", message: "unknown capability \"\(name)\"")
            }
            mask |= 1 << UInt64(bit)
        }
        return mask
    }
}

extension InitPlan {
    /// Ambient capabilities that cannot be raised because they are not both permitted and
    /// inheritable (runtime-spec config.md "Process": capabilities).
    public static func unraisableAmbient(_ caps: LinuxCapabilities) -> [String] {
        let allowed = Set(caps.permitted ?? []).intersection(caps.inheritable ?? [])
        return (caps.ambient ?? []).filter { !allowed.contains($0) }
    }
}

extension InitPlan {
    /// startContainer hooks, run by swiftlet-init after the start and before the process.
    public mutating func addStartHooks(_ hooks: [Hook], state: [UInt8]) {
        guard !hooks.isEmpty else { return }
        for hook in hooks {
            let args = hook.args ?? []
            let env = hook.env ?? []
            var payload: [UInt8] = []
            for value in [UInt32(clamping: max(0, hook.timeout ?? 0)), UInt32(args.count), UInt32(env.count), 0] {
                withUnsafeBytes(of: value) { payload.append(contentsOf: $0) }
            }
            for string in [hook.path] + args + env {
                payload.append(contentsOf: Array(string.utf8))
                payload.append(0)
            }
            append(SWL_P_HOOK, raw: payload)
        }
        append(SWL_P_HOOK_STATE, string: String(decoding: state, as: UTF8.self))
    }
}
