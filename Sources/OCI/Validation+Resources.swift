import FoundationEssentials

extension Spec {
    /// The CFS period range the kernel accepts, in microseconds (1 ms ... 1 s).
    static let cpuPeriodRange: ClosedRange<UInt64> = 1000...1_000_000

    /// config-linux.md "Control groups": the obvious errors only; what a controller accepts on
    /// this host is for the cgroup manager to find out.
    func validateResources(_ resources: LinuxResources, _ problems: inout Problems) {
        let base = "linux.resources"
        validateDeviceRules(resources.devices ?? [], "\(base).devices", &problems)
        if let memory = resources.memory {
            validateMemory(memory, "\(base).memory", &problems)
        }
        if let cpu = resources.cpu {
            validateCPU(cpu, "\(base).cpu", &problems)
        }
        // pids.limit: any value; 0 or less means unlimited (config-linux.md "PIDs").
        if let blockIO = resources.blockIO {
            for (index, device) in (blockIO.weightDevice ?? []).enumerated()
            where device.weight == nil && device.leafWeight == nil {
                problems.add(JSONPath.index("\(base).blockIO.weightDevice", index), "needs weight or leafWeight")
            }
        }
        for (index, limit) in (resources.hugepageLimits ?? []).enumerated() where !Spec.isHugepageSize(limit.pageSize) {
            problems.add("\(JSONPath.index("\(base).hugepageLimits", index)).pageSize",
                         "invalid page size \(Check.quote(limit.pageSize)) (expected a size such as 64KB, 2MB or 1GB)")
        }
        for (index, priority) in (resources.network?.priorities ?? []).enumerated() where !Spec.isInterfaceName(priority.name) {
            problems.add("\(JSONPath.index("\(base).network.priorities", index)).name",
                         "invalid network interface name \(Check.quote(priority.name))")
        }
        let rdma = resources.rdma ?? [:]
        for device in rdma.keys.sorted() {
            let path = JSONPath.member("\(base).rdma", device)
            if device.isEmpty || device.utf8.contains(where: { $0 <= 0x20 }) {
                problems.add(path, "invalid RDMA device name \(Check.quote(device))")
            }
            if rdma[device]?.hcaHandles == nil && rdma[device]?.hcaObjects == nil {
                problems.add(path, "needs hcaHandles or hcaObjects")
            }
        }
        // A unified key names a file in the container's cgroup directory.
        for key in (resources.unified ?? [:]).keys.sorted() {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            if !Check.isFileName(key) || parts.count < 2 || parts.contains(where: \.isEmpty) {
                problems.add(JSONPath.member("\(base).unified", key),
                             "invalid cgroup file name \(Check.quote(key)) (expected <controller>.<file>)")
            }
        }
    }

    /// config-linux.md "Allowed Device list": type a/c/b; an access that names at least one of
    /// r, w, m (other letters are ignored with a warning, as runc ignores them).
    private func validateDeviceRules(_ rules: [LinuxDeviceCgroup], _ base: String, _ problems: inout Problems) {
        for (index, rule) in rules.enumerated() {
            let path = JSONPath.index(base, index)
            if let type = rule.type, !["a", "c", "b"].contains(type) {
                problems.add("\(path).type", "unknown device type \(Check.quote(type)) (expected a, c or b)")
            }
            if let access = rule.access, LinuxDeviceCgroup.accessLetters(access).letters.isEmpty {
                problems.add("\(path).access", "invalid access \(Check.quote(access)) (expected letters from r, w and m)")
            }
        }
    }

    /// config-linux.md "Memory": -1 means unlimited, other negatives are errors; memory+swap
    /// cannot be below memory (checked here only).
    private func validateMemory(_ memory: LinuxMemory, _ base: String, _ problems: inout Problems) {
        let limits: [(String, Int64?)] = [
            ("limit", memory.limit), ("reservation", memory.reservation), ("swap", memory.swap),
            ("kernel", memory.kernel), ("kernelTCP", memory.kernelTCP),
        ]
        for (name, value) in limits {
            if let value, value < -1 {
                problems.add("\(base).\(name)", "must be -1 (unlimited) or a number of bytes, got \(value)")
            }
        }
        // The one check of this rule: the cgroup conversions (CgroupConversion.memoryV1/V2)
        // and `update` rely on it, since every resources they get were validated here first.
        // 0 is below any limit too: memory.memsw.limit_in_bytes and memory.swap.max refuse it.
        if let limit = memory.limit, let swap = memory.swap, limit > 0, swap != -1, swap < limit {
            problems.add("\(base).swap", "must be >= memory.limit (\(limit)), got \(swap)")
        }
    }

    /// config-linux.md "CPU": period within the kernel's range, quota -1 or positive, burst
    /// not above quota, cpuset lists well formed.
    private func validateCPU(_ cpu: LinuxCPU, _ base: String, _ problems: inout Problems) {
        if let period = cpu.period, period != 0, !Spec.cpuPeriodRange.contains(period) {
            problems.add("\(base).period",
                         "must be between \(Spec.cpuPeriodRange.lowerBound) and \(Spec.cpuPeriodRange.upperBound) microseconds, got \(period)")
        }
        if let quota = cpu.quota, quota < -1 {
            problems.add("\(base).quota", "must be -1 (unlimited) or a number of microseconds, got \(quota)")
        }
        if let quota = cpu.quota, quota > 0, let burst = cpu.burst, burst > UInt64(quota) {
            problems.add("\(base).burst", "must not exceed quota (\(quota)), got \(burst)")
        }
        for (name, list) in [("cpus", cpu.cpus), ("mems", cpu.mems)] {
            if let list, !list.isEmpty, CPUList.parse(list) == nil {
                problems.add("\(base).\(name)", "invalid list \(Check.quote(list)) (expected e.g. 0-3,7)")
            }
        }
    }

    /// `<digits><K|M|G|T|P>B`: the form of a hugetlb controller file name's size part.
    static func isHugepageSize(_ size: String) -> Bool {
        let bytes = Array(size.utf8)
        guard bytes.count >= 3, bytes.last == UInt8(ascii: "B") else { return false }
        let unit = bytes[bytes.count - 2]
        let digits = bytes[..<(bytes.count - 2)]
        return "KMGTP".utf8.contains(unit) && !digits.isEmpty
            && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

extension LinuxResources {
    /// The checks `Spec.validate()` makes of `linux.resources` (config-linux.md "Control
    /// groups"), for resources that arrive without a config (`update`). Throws the first problem,
    /// its path under `linux.resources`.
    public func validate() throws(SpecError) {
        var problems = Problems()
        Spec().validateResources(self, &problems)
        if let first = problems.errors.first { throw first }
    }
}
