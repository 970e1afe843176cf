import OCI

/// Fills `CgroupStats` from the interface files. A file that does not exist (its controller
/// is not enabled for the cgroup) leaves its counters at zero; the cgroup itself must exist.
enum CgroupStatsReader {
    /// Nanoseconds per USER_HZ tick (cpuacct.stat counts in USER_HZ, 100 on Linux).
    static let nanosPerTick: UInt64 = 10_000_000

    static func number(_ dir: CgroupDirectory, _ file: String) -> UInt64? {
        (try? dir.read(file)).flatMap { CgroupStatsParsing.limit($0) }
    }

    static func keyValues(_ dir: CgroupDirectory, _ file: String) -> [String: UInt64] {
        (try? dir.readKeyValues(file)) ?? [:]
    }

    static func hugepageSizes() -> [String] {
        ((try? Sys.listDirectory("/sys/kernel/mm/hugepages")) ?? []).compactMap(CgroupHostProbe.pageSize(fromDirectory:)).sorted()
    }

    // MARK: v2

    static func v2(_ dir: CgroupDirectory) throws(CgroupError) -> CgroupStats {
        _ = try dir.read("cgroup.procs")  // the cgroup must exist
        var stats = CgroupStats()
        v2CPU(dir, into: &stats)
        v2Memory(dir, into: &stats)
        pids(dir, into: &stats)
        v2Hugetlb(dir, into: &stats)
        if let io = try? dir.read("io.stat") { stats.blkio = CgroupStatsParsing.ioStat(io) }
        return stats
    }

    static func v2CPU(_ dir: CgroupDirectory, into stats: inout CgroupStats) {
        let cpu = keyValues(dir, "cpu.stat")
        stats.cpu.usage.total = (cpu["usage_usec"] ?? 0) &* 1000
        stats.cpu.usage.user = (cpu["user_usec"] ?? 0) &* 1000
        stats.cpu.usage.kernel = (cpu["system_usec"] ?? 0) &* 1000
        stats.cpu.throttling.periods = cpu["nr_periods"] ?? 0
        stats.cpu.throttling.throttledPeriods = cpu["nr_throttled"] ?? 0
        stats.cpu.throttling.throttledTime = (cpu["throttled_usec"] ?? 0) &* 1000
    }

    static func v2Memory(_ dir: CgroupDirectory, into stats: inout CgroupStats) {
        let usage = number(dir, "memory.current") ?? 0
        let limit = number(dir, "memory.max") ?? UInt64.max
        let events = keyValues(dir, "memory.events")
        stats.memory.usage.usage = usage
        stats.memory.usage.limit = limit
        stats.memory.usage.max = number(dir, "memory.peak") ?? 0
        stats.memory.usage.failcnt = events["max"] ?? 0
        // runc reports v2 swap as memory+swap, the v1 memsw meaning the spec uses.
        if let swapUsage = number(dir, "memory.swap.current") {
            let swapLimit = number(dir, "memory.swap.max") ?? UInt64.max
            stats.memory.swap.usage = swapUsage &+ usage
            stats.memory.swap.limit = swapLimit == UInt64.max || limit == UInt64.max ? UInt64.max : swapLimit &+ limit
            stats.memory.swap.max = number(dir, "memory.swap.peak") ?? 0
        }
        stats.memory.raw = keyValues(dir, "memory.stat")
        stats.memory.cache = stats.memory.raw["file"] ?? 0
        stats.memory.eventCount.low = events["low"] ?? 0
        stats.memory.eventCount.high = events["high"] ?? 0
        stats.memory.eventCount.max = events["max"] ?? 0
        stats.memory.eventCount.oom = events["oom"] ?? 0
        stats.memory.eventCount.oomKill = events["oom_kill"] ?? 0
    }

    static func v2Hugetlb(_ dir: CgroupDirectory, into stats: inout CgroupStats) {
        for size in hugepageSizes() {
            guard let usage = number(dir, "hugetlb.\(size).current") else { continue }
            var entry = CgroupStats.Hugetlb()
            entry.usage = usage
            entry.failcnt = keyValues(dir, "hugetlb.\(size).events")["max"] ?? 0
            stats.hugetlb[size] = entry
        }
    }

    static func pids(_ dir: CgroupDirectory, into stats: inout CgroupStats) {
        stats.pids.current = number(dir, "pids.current") ?? 0
        let limit = number(dir, "pids.max") ?? UInt64.max
        stats.pids.limit = limit == UInt64.max ? 0 : limit
    }

    // MARK: v1

    /// `directory(controller)` gives the v1 hierarchy holding a controller; `unified` is the
    /// hybrid host's cgroup2 side, read for controllers v1 does not bind (hugetlb).
    static func v1(directory: (String) -> CgroupDirectory?, unified: CgroupDirectory?) throws(CgroupError) -> CgroupStats {
        var stats = CgroupStats()
        if let cpuacct = directory("cpuacct") {
            stats.cpu.usage.total = number(cpuacct, "cpuacct.usage") ?? 0
            stats.cpu.usage.percpu = (try? cpuacct.read("cpuacct.usage_percpu")).map(CgroupStatsParsing.numbers) ?? []
            let ticks = keyValues(cpuacct, "cpuacct.stat")
            stats.cpu.usage.user = (ticks["user"] ?? 0) &* nanosPerTick
            stats.cpu.usage.kernel = (ticks["system"] ?? 0) &* nanosPerTick
        }
        if let cpu = directory("cpu") {
            let throttling = keyValues(cpu, "cpu.stat")
            stats.cpu.throttling.periods = throttling["nr_periods"] ?? 0
            stats.cpu.throttling.throttledPeriods = throttling["nr_throttled"] ?? 0
            stats.cpu.throttling.throttledTime = throttling["throttled_time"] ?? 0
        }
        if let memory = directory("memory") {
            stats.memory.usage = v1MemoryEntry(memory, "memory")
            stats.memory.swap = v1MemoryEntry(memory, "memory.memsw")
            stats.memory.kernel = v1MemoryEntry(memory, "memory.kmem")
            stats.memory.kernelTCP = v1MemoryEntry(memory, "memory.kmem.tcp")
            stats.memory.raw = keyValues(memory, "memory.stat")
            stats.memory.cache = stats.memory.raw["total_cache"] ?? stats.memory.raw["cache"] ?? 0
            let oom = keyValues(memory, "memory.oom_control")
            stats.memory.eventCount.max = stats.memory.usage.failcnt
            stats.memory.eventCount.oomKill = oom["oom_kill"] ?? 0
        }
        if let cpuset = directory("cpuset") { v1CPUSet(cpuset, into: &stats) }
        if let pidsDir = directory("pids") { pids(pidsDir, into: &stats) }
        if let blkio = directory("blkio") { v1Blkio(blkio, into: &stats) }
        if let hugetlb = directory("hugetlb") {
            for size in hugepageSizes() {
                guard let usage = number(hugetlb, "hugetlb.\(size).usage_in_bytes") else { continue }
                var entry = CgroupStats.Hugetlb()
                entry.usage = usage
                entry.max = number(hugetlb, "hugetlb.\(size).max_usage_in_bytes") ?? 0
                entry.failcnt = number(hugetlb, "hugetlb.\(size).failcnt") ?? 0
                stats.hugetlb[size] = entry
            }
        } else if let unified {
            v2Hugetlb(unified, into: &stats)
        }
        return stats
    }

    /// The CFQ/BFQ counters when the scheduler keeps them, else the throttling layer's, which
    /// count every I/O (runc reads them in the same order).
    static func v1Blkio(_ dir: CgroupDirectory, into stats: inout CgroupStats) {
        for prefix in ["blkio.", "blkio.bfq.", "blkio.throttle."] {
            let bytes = (try? dir.read(prefix + "io_service_bytes_recursive")).map(CgroupStatsParsing.blkioV1) ?? []
            let ios = (try? dir.read(prefix + "io_serviced_recursive")).map(CgroupStatsParsing.blkioV1) ?? []
            if bytes.isEmpty && ios.isEmpty && prefix != "blkio.throttle." { continue }
            stats.blkio.ioServiceBytesRecursive = bytes
            stats.blkio.ioServicedRecursive = ios
            return
        }
    }

    /// runc's fs/cpuset.go GetStats: the lists and the flags.
    static func v1CPUSet(_ dir: CgroupDirectory, into stats: inout CgroupStats) {
        func list(_ file: String) -> [UInt16] {
            guard let text = try? dir.read(file), let ranges = CPUList.parse(CgroupStatsParsing.trim(text)) else { return [] }
            return ranges.flatMap { $0.map { UInt16(truncatingIfNeeded: $0) } }
        }
        stats.cpuset.cpus = list("cpuset.cpus")
        stats.cpuset.mems = list("cpuset.mems")
        stats.cpuset.cpuExclusive = number(dir, "cpuset.cpu_exclusive") ?? 0
        stats.cpuset.memHardwall = number(dir, "cpuset.mem_hardwall") ?? 0
        stats.cpuset.memExclusive = number(dir, "cpuset.mem_exclusive") ?? 0
        stats.cpuset.memoryMigrate = number(dir, "cpuset.memory_migrate") ?? 0
        stats.cpuset.memorySpreadPage = number(dir, "cpuset.memory_spread_page") ?? 0
        stats.cpuset.memorySpreadSlab = number(dir, "cpuset.memory_spread_slab") ?? 0
        stats.cpuset.memoryPressure = number(dir, "cpuset.memory_pressure") ?? 0
        stats.cpuset.schedLoadBalance = number(dir, "cpuset.sched_load_balance") ?? 0
        stats.cpuset.schedRelaxDomainLevel = (try? dir.read("cpuset.sched_relax_domain_level")).flatMap {
            Int64(CgroupStatsParsing.trim($0))
        } ?? 0
    }

    static func v1MemoryEntry(_ dir: CgroupDirectory, _ prefix: String) -> CgroupStats.MemoryEntry {
        var entry = CgroupStats.MemoryEntry()
        entry.usage = number(dir, "\(prefix).usage_in_bytes") ?? 0
        entry.limit = number(dir, "\(prefix).limit_in_bytes") ?? 0
        entry.max = number(dir, "\(prefix).max_usage_in_bytes") ?? 0
        entry.failcnt = number(dir, "\(prefix).failcnt") ?? 0
        return entry
    }
}
