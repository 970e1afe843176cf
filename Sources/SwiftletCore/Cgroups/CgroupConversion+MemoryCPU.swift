import OCI

/// memory, cpu and cpuset: runtime-spec config-linux.md "Memory", "CPU"; kernel
/// Documentation/admin-guide/cgroup-v2.rst and cgroup-v1/{memory,cpusets}.rst, sched-bwc.rst.
extension CgroupConversion {
    // MARK: memory

    static func memoryWarnings(_ m: LinuxMemory, unified: Bool) -> [String] {
        let f = "\(prefix).memory"
        var warnings: [String] = []
        if m.kernel != nil {
            warnings.append("\(f).kernel: kernel memory limits are not supported by the kernel any more; ignored")
        }
        if m.kernelTCP != nil {
            warnings.append("\(f).kernelTCP: kernel TCP memory limits are not supported; ignored")
        }
        if m.useHierarchy == false {
            warnings.append("\(f).useHierarchy: memory accounting is always hierarchical; false is ignored")
        }
        if unified {
            if m.swappiness != nil {
                warnings.append("\(f).swappiness: cgroup v2 has no per-cgroup swappiness; ignored")
            }
            if m.disableOOMKiller == true {
                warnings.append("\(f).disableOOMKiller: cgroup v2 cannot disable the OOM killer; ignored")
            }
        }
        return warnings
    }

    /// memory.checkBeforeUpdate: refuse a limit below what the cgroup already uses.
    static func checkUsage(_ m: LinuxMemory, limit: Int64?, host: CgroupHostInfo) throws(CgroupError) {
        guard m.checkBeforeUpdate == true, let limit, limit > 0, let usage = host.currentMemoryUsage else { return }
        if UInt64(limit) < usage {
            throw CgroupError.invalid("\(prefix).memory.limit",
                                      "the new limit \(limit) is below the current usage \(usage) (checkBeforeUpdate)")
        }
    }

    /// An invalid swappiness is an error even where it is ignored (v2).
    @discardableResult
    static func checkSwappiness(_ m: LinuxMemory) throws(CgroupError) -> UInt64? {
        guard let swappiness = m.swappiness else { return nil }
        guard swappiness <= 100 else {
            throw CgroupError.invalid("\(prefix).memory.swappiness", "must be between 0 and 100, got \(swappiness)")
        }
        return swappiness
    }

    /// v2: memory.swap.max, memory.max, memory.low. The spec's `swap` is memory+swap (the v1
    /// memsw meaning), so memory.swap.max gets `swap - limit`, as runc converts it.
    /// Precondition: `Spec.validate`/`LinuxResources.validate` passed (swap >= limit).
    static func memoryV2(_ memory: LinuxMemory?, host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
        guard let m = memory else { return CgroupPlan() }
        let f = "\(prefix).memory"
        let limit = try memoryValue(m.limit, field: "\(f).limit")
        let reservation = try memoryValue(m.reservation, field: "\(f).reservation")
        let swap = try memoryValue(m.swap, field: "\(f).swap")
        try checkUsage(m, limit: limit, host: host)
        try checkSwappiness(m)
        var plan = CgroupPlan(warnings: memoryWarnings(m, unified: true))
        let swapAccounting = host.swapAccounting ?? true

        if let swap {
            guard swapAccounting else {
                throw CgroupError.invalid("\(f).swap", "swap accounting is not enabled on this host (no memory.swap.max)")
            }
            if swap == -1 {
                plan.writes.append(CgroupWrite("memory", unified: true, "memory.swap.max", "max", field: "\(f).swap"))
            } else {
                guard let limit, limit > 0 else {
                    throw CgroupError.invalid("\(f).swap", "a swap limit needs a memory limit")
                }
                // swap >= limit: OCI validation (validateMemory) checked it before any conversion.
                plan.writes.append(CgroupWrite("memory", unified: true, "memory.swap.max", String(swap - limit), field: "\(f).swap"))
            }
        } else if limit == -1 && swapAccounting {
            // Unlimited memory with swap unset means unlimited swap too (v1 compatibility).
            plan.writes.append(CgroupWrite("memory", unified: true, "memory.swap.max", "max", field: "\(f).swap"))
        }
        if let limit {
            plan.writes.append(CgroupWrite("memory", unified: true, "memory.max", limit == -1 ? "max" : String(limit), field: "\(f).limit"))
        }
        if let reservation {
            plan.writes.append(CgroupWrite("memory", unified: true, "memory.low", reservation == -1 ? "max" : String(reservation),
                                           field: "\(f).reservation"))
        }
        return plan
    }

    /// v1: memory.limit_in_bytes and memory.memsw.limit_in_bytes in the order the kernel
    /// accepts (memsw may never be below the limit), soft limit, swappiness, oom_control.
    static func memoryV1(_ memory: LinuxMemory?, host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
        guard let m = memory else { return CgroupPlan() }
        let f = "\(prefix).memory"
        let limit = try memoryValue(m.limit, field: "\(f).limit")
        let reservation = try memoryValue(m.reservation, field: "\(f).reservation")
        var swap = try memoryValue(m.swap, field: "\(f).swap")
        try checkUsage(m, limit: limit, host: host)
        var plan = CgroupPlan(warnings: memoryWarnings(m, unified: false))
        let swapAccounting = host.swapAccounting ?? true

        if swap != nil && !swapAccounting {
            throw CgroupError.invalid("\(f).swap", "swap accounting is not enabled on this host (no memory.memsw.limit_in_bytes)")
        }
        // memory+swap >= limit: OCI validation (validateMemory) checked it before any conversion.
        if limit == -1 && swap == nil && swapAccounting { swap = -1 }

        let limitWrite = limit.map { CgroupWrite("memory", unified: false, "memory.limit_in_bytes", String($0), field: "\(f).limit") }
        let swapWrite = swap.map { CgroupWrite("memory", unified: false, "memory.memsw.limit_in_bytes", String($0), field: "\(f).swap") }
        // Raising: memsw first (the limit may not exceed memsw); lowering: the limit first.
        var swapFirst = false
        if let swap, limitWrite != nil {
            swapFirst = swap == -1 || (host.currentMemoryLimit.map { $0 < UInt64(swap) } ?? false)
        }
        if swapFirst {
            plan.writes += [swapWrite, limitWrite].compactMap { $0 }
        } else {
            plan.writes += [limitWrite, swapWrite].compactMap { $0 }
        }
        if let reservation {
            plan.writes.append(CgroupWrite("memory", unified: false, "memory.soft_limit_in_bytes", String(reservation),
                                           field: "\(f).reservation"))
        }
        if let swappiness = try checkSwappiness(m) {
            plan.writes.append(CgroupWrite("memory", unified: false, "memory.swappiness", String(swappiness), field: "\(f).swappiness"))
        }
        if let disable = m.disableOOMKiller {
            plan.writes.append(CgroupWrite("memory", unified: false, "memory.oom_control", disable ? "1" : "0",
                                           field: "\(f).disableOOMKiller"))
        }
        return plan
    }

    // MARK: cpu

    /// runc's conversion of cpu.shares (2..262144) to cpu.weight (1..10000).
    public static func weight(fromShares shares: UInt64) -> UInt64 {
        1 + ((shares - 2) * 9999) / 262142
    }

    static func checkShares(_ c: LinuxCPU) throws(CgroupError) -> UInt64? {
        guard let shares = c.shares, shares != 0 else { return nil }
        guard (2...262_144).contains(shares) else {
            throw CgroupError.invalid("\(prefix).cpu.shares", "must be between 2 and 262144, got \(shares)")
        }
        return shares
    }

    /// Quota and period as (quota: nil unset, -1 unlimited; period: nil unset), validated:
    /// a period is 1 ms to 1 s; a quota is at least 1 ms. A quota without a period is written
    /// alone: the cgroup keeps the period it has (the kernel's default, 100000, for a new one),
    /// as runc does, on create and on update.
    static func checkBandwidth(_ c: LinuxCPU) throws(CgroupError) -> (quota: Int64?, period: UInt64?) {
        let f = "\(prefix).cpu"
        let quota = c.quota == 0 ? nil : c.quota
        let period = c.period == 0 ? nil : c.period
        if let period, !(1000...1_000_000).contains(period) {
            throw CgroupError.invalid("\(f).period", "must be between 1000 and 1000000 (microseconds), got \(period)")
        }
        if let quota {
            if quota < -1 {
                throw CgroupError.invalid("\(f).quota", "must be at least 1000 (microseconds) or -1 (unlimited), got \(quota)")
            }
            if quota > 0 && quota < 1000 {
                throw CgroupError.invalid("\(f).quota", "must be at least 1000 (microseconds), got \(quota)")
            }
        }
        if let burst = c.burst, burst > 0, let quota, quota > 0, burst > UInt64(quota) {
            throw CgroupError.invalid("\(f).burst", "must not exceed the quota (\(quota)), got \(burst)")
        }
        if let idle = c.idle, idle != 0 && idle != 1 {
            throw CgroupError.invalid("\(f).idle", "must be 0 or 1, got \(idle)")
        }
        return (quota, period)
    }

    /// v2: cpu.weight, cpu.max.burst, cpu.max, cpu.idle. Realtime is v1 only.
    static func cpuV2(_ cpu: LinuxCPU?) throws(CgroupError) -> CgroupPlan {
        guard let c = cpu else { return CgroupPlan() }
        let f = "\(prefix).cpu"
        var plan = CgroupPlan()
        if let shares = try checkShares(c) {
            plan.writes.append(CgroupWrite("cpu", unified: true, "cpu.weight", String(weight(fromShares: shares)), field: "\(f).shares"))
        }
        let (quota, period) = try checkBandwidth(c)
        if (c.realtimeRuntime ?? 0) != 0 || (c.realtimePeriod ?? 0) != 0 {
            throw CgroupError.invalid("\(f).realtimeRuntime", "realtime scheduling limits are not supported on cgroup v2")
        }
        let changesMax = quota != nil || period != nil
        if let burst = c.burst {
            // Written before cpu.max and retried after it: a larger burst may only fit the new quota.
            plan.writes.append(CgroupWrite("cpu", unified: true, "cpu.max.burst", String(burst), field: "\(f).burst",
                                           retryAfterRest: changesMax))
        }
        if changesMax {
            let q = quota.map { $0 == -1 ? "max" : String($0) } ?? "max"
            let value = period.map { "\(q) \($0)" } ?? q
            plan.writes.append(CgroupWrite("cpu", unified: true, "cpu.max", value, field: quota != nil ? "\(f).quota" : "\(f).period"))
        }
        if let idle = c.idle {
            plan.writes.append(CgroupWrite("cpu", unified: true, "cpu.idle", String(idle), field: "\(f).idle"))
        }
        return plan
    }

    /// v1: cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us, cpu.cfs_burst_us, cpu.rt_period_us,
    /// cpu.rt_runtime_us, cpu.idle.
    static func cpuV1(_ cpu: LinuxCPU?) throws(CgroupError) -> CgroupPlan {
        guard let c = cpu else { return CgroupPlan() }
        let f = "\(prefix).cpu"
        var plan = CgroupPlan()
        if let shares = try checkShares(c) {
            plan.writes.append(CgroupWrite("cpu", unified: false, "cpu.shares", String(shares), field: "\(f).shares"))
        }
        let (quota, period) = try checkBandwidth(c)
        if let period {
            // A shorter period may be refused while the old quota/new period exceeds the
            // parent's bandwidth; retried after the quota is set.
            plan.writes.append(CgroupWrite("cpu", unified: false, "cpu.cfs_period_us", String(period), field: "\(f).period",
                                           retryAfterRest: quota != nil))
        }
        if let quota {
            plan.writes.append(CgroupWrite("cpu", unified: false, "cpu.cfs_quota_us", String(quota), field: "\(f).quota"))
        }
        if let burst = c.burst {
            plan.writes.append(CgroupWrite("cpu", unified: false, "cpu.cfs_burst_us", String(burst), field: "\(f).burst"))
        }
        let rtPeriod = c.realtimePeriod == 0 ? nil : c.realtimePeriod
        let rtRuntime = c.realtimeRuntime == 0 ? nil : c.realtimeRuntime
        if let rtPeriod, rtPeriod > 1_000_000_000 {
            throw CgroupError.invalid("\(f).realtimePeriod", "must be at most 1000000000 (microseconds), got \(rtPeriod)")
        }
        if let rtRuntime {
            if rtRuntime < -1 {
                throw CgroupError.invalid("\(f).realtimeRuntime", "must be positive or -1 (unlimited), got \(rtRuntime)")
            }
            if let rtPeriod, rtRuntime > 0, UInt64(rtRuntime) > rtPeriod {
                throw CgroupError.invalid("\(f).realtimeRuntime", "must not exceed the realtime period (\(rtPeriod)), got \(rtRuntime)")
            }
        }
        if let rtPeriod {
            plan.writes.append(CgroupWrite("cpu", unified: false, "cpu.rt_period_us", String(rtPeriod), field: "\(f).realtimePeriod"))
        }
        if let rtRuntime {
            plan.writes.append(CgroupWrite("cpu", unified: false, "cpu.rt_runtime_us", String(rtRuntime), field: "\(f).realtimeRuntime"))
        }
        if let idle = c.idle {
            plan.writes.append(CgroupWrite("cpu", unified: false, "cpu.idle", String(idle), field: "\(f).idle"))
        }
        return plan
    }

    // MARK: cpuset

    /// cpuset.cpus and cpuset.mems (same names on v1 and v2), checked against the online
    /// CPUs and memory nodes.
    static func cpuset(_ cpu: LinuxCPU?, host: CgroupHostInfo, unified: Bool) throws(CgroupError) -> CgroupPlan {
        guard let c = cpu else { return CgroupPlan() }
        let f = "\(prefix).cpu"
        var plan = CgroupPlan()
        if let cpus = c.cpus, !cpus.isEmpty {
            try checkList(cpus, online: host.onlineCPUs, what: "CPU", field: "\(f).cpus")
            plan.writes.append(CgroupWrite("cpuset", unified: unified, "cpuset.cpus", cpus, field: "\(f).cpus"))
        }
        if let mems = c.mems, !mems.isEmpty {
            try checkList(mems, online: host.onlineMems, what: "memory node", field: "\(f).mems")
            plan.writes.append(CgroupWrite("cpuset", unified: unified, "cpuset.mems", mems, field: "\(f).mems"))
        }
        return plan
    }
}
