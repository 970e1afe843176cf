import FoundationEssentials

extension Spec {
    /// config.md "Process", "POSIX process", "Linux Process", "User".
    func validateProcess(_ problems: inout Problems) {
        guard let process else {
            problems.add("process", "required")
            return
        }
        let base = "process"
        validateCommand(process, base, &problems)
        validateUser(process.user, "\(base).user", &problems)
        if let capabilities = process.capabilities {
            validateCapabilities(capabilities, "\(base).capabilities", &problems)
        }
        validateRlimits(process.rlimits ?? [], "\(base).rlimits", &problems)
        if let score = process.oomScoreAdj, !(-1000...1000).contains(score) {
            problems.add("\(base).oomScoreAdj", "must be between -1000 and 1000, got \(score)")
        }
        if let ioPriority = process.ioPriority, !(0...7).contains(ioPriority.priority) {
            problems.add("\(base).ioPriority.priority", "must be between 0 and 7, got \(ioPriority.priority)")
        }
        if let scheduler = process.scheduler {
            validateScheduler(scheduler, "\(base).scheduler", &problems)
        }
        if let affinity = process.execCPUAffinity {
            for (name, list) in [("initial", affinity.initial), ("final", affinity.final)] {
                if let list, let ranges = CPUList.parse(list) {
                    // NR_CPUS is at most 8192 (CONFIG_NR_CPUS): a mask beyond it means nothing.
                    if let last = ranges.map(\.upperBound).max(), last >= CPUList.maxCPUs {
                        problems.add("\(base).execCPUAffinity.\(name)", "CPU \(last) is beyond the kernel's limit of \(CPUList.maxCPUs) CPUs")
                    }
                } else if let list {
                    problems.add("\(base).execCPUAffinity.\(name)", "invalid CPU list \(Check.quote(list))")
                }
            }
        }
        // consoleSize only matters with a terminal; the spec says to ignore it otherwise.
    }

    /// `args`, `cwd`, `env`: what execve(2) will be given.
    private func validateCommand(_ process: Process, _ base: String, _ problems: inout Problems) {
        let args = process.args ?? []
        if args.isEmpty {
            problems.add("\(base).args", "must not be empty")
        }
        for (index, arg) in args.enumerated() where Check.containsNUL(arg) {
            problems.add(JSONPath.index("\(base).args", index), "contains a NUL byte")
        }
        if !Check.isAbsolute(process.cwd) {
            problems.add("\(base).cwd", "must be an absolute path, got \(Check.quote(process.cwd))")
        }
        for (index, entry) in (process.env ?? []).enumerated() {
            let path = JSONPath.index("\(base).env", index)
            guard let equals = entry.firstIndex(of: "=") else {
                problems.add(path, "must be of the form KEY=VALUE, got \(Check.quote(entry))")
                continue
            }
            if equals == entry.startIndex {
                problems.add(path, "variable name must not be empty in \(Check.quote(entry))")
            } else if Check.containsNUL(entry) {
                problems.add(path, "contains a NUL byte")
            }
        }
    }

    private func validateUser(_ user: User, _ base: String, _ problems: inout Problems) {
        // 4294967295 is (uid_t)-1, which setuid/setgroups read as "no id" (EINVAL at start).
        if user.uid == UInt32.max { problems.add("\(base).uid", "4294967295 is not a valid uid") }
        if user.gid == UInt32.max { problems.add("\(base).gid", "4294967295 is not a valid gid") }
        for (index, gid) in (user.additionalGids ?? []).enumerated() where gid == UInt32.max {
            problems.add(JSONPath.index("\(base).additionalGids", index), "4294967295 is not a valid gid")
        }
        if let umask = user.umask, umask > 0o777 {
            problems.add("\(base).umask", "must be at most 0777 (511), got \(umask)")
        }
    }

    /// Every name in every set must be a known `CAP_*`.
    private func validateCapabilities(_ capabilities: LinuxCapabilities, _ base: String, _ problems: inout Problems) {
        let sets: [(String, [String]?)] = [
            ("bounding", capabilities.bounding), ("effective", capabilities.effective),
            ("inheritable", capabilities.inheritable), ("permitted", capabilities.permitted),
            ("ambient", capabilities.ambient),
        ]
        for (name, list) in sets {
            for (index, capability) in (list ?? []).enumerated() where Capability.number(of: capability) == nil {
                problems.add(JSONPath.index("\(base).\(name)", index), "unknown capability \(Check.quote(capability))")
            }
        }
    }

    /// config.md "POSIX process": known types, no duplicates, soft <= hard.
    private func validateRlimits(_ rlimits: [POSIXRlimit], _ base: String, _ problems: inout Problems) {
        var seen: Set<String> = []
        for (index, rlimit) in rlimits.enumerated() {
            let path = JSONPath.index(base, index)
            if Rlimit.number(of: rlimit.type) == nil {
                problems.add("\(path).type", "unknown rlimit \(Check.quote(rlimit.type))")
            } else if !seen.insert(rlimit.type).inserted {
                problems.add("\(path).type", "duplicate rlimit \(Check.quote(rlimit.type))")
            }
            if rlimit.soft > rlimit.hard {
                problems.add("\(path).soft", "soft limit \(rlimit.soft) exceeds hard limit \(rlimit.hard)")
            }
        }
    }

    /// sched_setattr(2): nice range, static priority only for real-time policies, deadline
    /// parameters only for SCHED_DEADLINE with runtime <= deadline <= period.
    private func validateScheduler(_ scheduler: Scheduler, _ base: String, _ problems: inout Problems) {
        if let nice = scheduler.nice, !(-20...19).contains(nice) {
            problems.add("\(base).nice", "must be between -20 and 19, got \(nice)")
        }
        let priority = scheduler.priority ?? 0
        let realtime = scheduler.policy == .fifo || scheduler.policy == .rr
        if realtime && !(1...99).contains(priority) {
            problems.add("\(base).priority", "must be between 1 and 99 for \(scheduler.policy.rawValue), got \(priority)")
        } else if !realtime && priority != 0 {
            problems.add("\(base).priority", "must be 0 unless policy is SCHED_FIFO or SCHED_RR, got \(priority)")
        }
        let runtime = scheduler.runtime ?? 0
        let deadline = scheduler.deadline ?? 0
        let period = scheduler.period ?? 0
        if scheduler.policy != .deadline {
            for (name, value) in [("runtime", runtime), ("deadline", deadline), ("period", period)] where value != 0 {
                problems.add("\(base).\(name)", "only valid with SCHED_DEADLINE")
            }
        } else {
            if runtime > deadline {
                problems.add("\(base).runtime", "must not exceed deadline (\(deadline))")
            }
            if period != 0 && deadline > period {
                problems.add("\(base).deadline", "must not exceed period (\(period))")
            }
        }
    }
}
