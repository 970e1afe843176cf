import OCI

/// One value to write to one cgroup interface file.
public struct CgroupWrite: Equatable, Sendable, CustomStringConvertible {
    /// The controller owning the file, as the file's hierarchy names it (`memory`, `io`, `blkio`,
    /// `cgroup` for core files). Routes the write to a v1 hierarchy.
    public var controller: String
    /// True when the file lives in the unified (v2) hierarchy.
    public var unified: Bool
    public var file: String
    public var value: String
    /// The config field the value comes from (`linux.resources.cpu.quota`).
    public var field: String
    /// On EINVAL, try again once after the rest of the plan was written: some pairs of values
    /// (cfs period and quota, cpu.max.burst and cpu.max) are only valid in one order depending on
    /// the values already set, as runc handles it.
    public var retryAfterRest: Bool

    public init(_ controller: String, unified: Bool, _ file: String, _ value: String, field: String, retryAfterRest: Bool = false) {
        self.controller = controller
        self.unified = unified
        self.file = file
        self.value = value
        self.field = field
        self.retryAfterRest = retryAfterRest
    }

    public var description: String { "\(file)=\(value)" }
}

/// The writes for a `linux.resources`, in order, and warnings for values that are ignored.
public struct CgroupPlan: Equatable, Sendable {
    public var writes: [CgroupWrite] = []
    public var warnings: [String] = []

    public init(writes: [CgroupWrite] = [], warnings: [String] = []) {
        self.writes = writes
        self.warnings = warnings
    }

    mutating func append(_ other: CgroupPlan) {
        writes += other.writes
        warnings += other.warnings
    }
}

/// What the conversion needs to know about the host and the cgroup. Everything optional is
/// "unknown": the check it feeds is skipped, or the common default is assumed.
public struct CgroupHostInfo: Equatable, Sendable {
    /// /sys/devices/system/cpu/online (`0-7`): cpuset.cpus must be a subset.
    public var onlineCPUs: String?
    /// /sys/devices/system/node/online: cpuset.mems must be a subset.
    public var onlineMems: String?
    /// Huge page sizes the kernel supports, spelled as the spec does (`2MB`, `1GB`).
    public var hugepageSizes: [String]?
    /// The BFQ scheduler's weight files exist (io.bfq.weight / blkio.bfq.weight).
    public var bfq: Bool?
    /// Swap accounting exists (memory.swap.max / memory.memsw.limit_in_bytes); nil assumes yes.
    public var swapAccounting: Bool?
    /// hugetlb reservation files exist (hugetlb.<size>.rsvd.max / .rsvd.limit_in_bytes).
    public var hugetlbReservations: Bool?
    /// memory.limit_in_bytes now (v1: decides the order of the limit and memsw writes).
    public var currentMemoryLimit: UInt64?
    /// memory.current / memory.usage_in_bytes now (for memory.checkBeforeUpdate).
    public var currentMemoryUsage: UInt64?
    /// The files of the cgroup in the unified hierarchy, to check `unified` keys.
    public var unifiedFiles: Set<String>?

    public init(onlineCPUs: String? = nil, onlineMems: String? = nil, hugepageSizes: [String]? = nil, bfq: Bool? = nil,
                swapAccounting: Bool? = nil, hugetlbReservations: Bool? = nil, currentMemoryLimit: UInt64? = nil,
                currentMemoryUsage: UInt64? = nil, unifiedFiles: Set<String>? = nil) {
        self.onlineCPUs = onlineCPUs
        self.onlineMems = onlineMems
        self.hugepageSizes = hugepageSizes
        self.bfq = bfq
        self.swapAccounting = swapAccounting
        self.hugetlbReservations = hugetlbReservations
        self.currentMemoryLimit = currentMemoryLimit
        self.currentMemoryUsage = currentMemoryUsage
        self.unifiedFiles = unifiedFiles
    }
}

/// `linux.resources` → cgroup file writes, per cgroup version. Pure: no file is read or written
/// here, so every rule is unit-tested (CgroupConversionTests). Invalid values are errors naming
/// the field; values a version cannot express are warnings, never silent.
public enum CgroupConversion {
    static let prefix = "linux.resources"

    /// The writes for a unified (v2) host.
    public static func v2(_ r: LinuxResources, host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
        var plan = CgroupPlan()
        for group in Group.allCases {
            plan.append(try group.v2(r, host))
        }
        return plan
    }

    /// The writes for a legacy (v1 only) host.
    public static func v1(_ r: LinuxResources, host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
        var plan = CgroupPlan()
        for group in Group.allCases {
            plan.append(try group.v1(r, host))
        }
        return plan
    }

    /// The writes for a hybrid host: each group of resources goes to its v1 controller when that
    /// is mounted, else to the unified hierarchy when the controller is enabled there (hugetlb on
    /// hosts like ours), else it is an error naming the field. `unified` keys go to the unified
    /// hierarchy.
    public static func hybrid(_ r: LinuxResources, host: CgroupHostInfo, legacyControllers: Set<String>,
                              unifiedControllers: Set<String>) throws(CgroupError) -> CgroupPlan {
        var plan = CgroupPlan()
        for group in Group.allCases {
            if group == .unified {
                plan.append(try group.v2(r, host))
                continue
            }
            if group == .devices && !legacyControllers.contains("devices") {
                // No v1 devices controller: the manager attaches an eBPF program to the
                // unified cgroup instead (validated here, no file writes).
                plan.append(try group.v2(r, host))
                continue
            }
            let legacy = try group.v1(r, host)
            if legacy.writes.isEmpty {
                plan.warnings += legacy.warnings
                continue
            }
            if legacy.writes.allSatisfy({ legacyControllers.contains($0.controller) }) {
                plan.append(legacy)
                continue
            }
            let modern = try group.v2(r, host)
            if !modern.writes.isEmpty, modern.writes.allSatisfy({ unifiedControllers.contains($0.controller) }) {
                plan.append(modern)
                continue
            }
            let missing = legacy.writes.first { !legacyControllers.contains($0.controller) } ?? legacy.writes[0]
            throw CgroupError.invalid(missing.field, "the \(missing.controller) controller is not available on this host")
        }
        return plan
    }

    /// Resources grouped by the controller that applies them; the order is the write order.
    enum Group: CaseIterable {
        case cpuset, memory, cpu, pids, blockIO, hugetlb, rdma, network, devices, unified

        func v2(_ r: LinuxResources, _ host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
            switch self {
            case .cpuset: return try CgroupConversion.cpuset(r.cpu, host: host, unified: true)
            case .memory: return try CgroupConversion.memoryV2(r.memory, host: host)
            case .cpu: return try CgroupConversion.cpuV2(r.cpu)
            case .pids: return try CgroupConversion.pids(r.pids, unified: true)
            case .blockIO: return try CgroupConversion.ioV2(r.blockIO, host: host)
            case .hugetlb: return try CgroupConversion.hugetlb(r.hugepageLimits, host: host, unified: true)
            case .rdma: return try CgroupConversion.rdma(r.rdma, unified: true)
            case .network: return CgroupConversion.networkV2(r.network)
            case .devices: return try CgroupConversion.devicesV2(r.devices)
            case .unified: return try CgroupConversion.unifiedKeys(r.unified, host: host)
            }
        }

        func v1(_ r: LinuxResources, _ host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
            switch self {
            case .cpuset: return try CgroupConversion.cpuset(r.cpu, host: host, unified: false)
            case .memory: return try CgroupConversion.memoryV1(r.memory, host: host)
            case .cpu: return try CgroupConversion.cpuV1(r.cpu)
            case .pids: return try CgroupConversion.pids(r.pids, unified: false)
            case .blockIO: return try CgroupConversion.blkioV1(r.blockIO, host: host)
            case .hugetlb: return try CgroupConversion.hugetlb(r.hugepageLimits, host: host, unified: false)
            case .rdma: return try CgroupConversion.rdma(r.rdma, unified: false)
            case .network: return CgroupConversion.networkV1(r.network)
            case .devices: return try CgroupConversion.devicesV1(r.devices)
            case .unified:
                if let keys = r.unified, !keys.isEmpty {
                    throw CgroupError.invalid("\(prefix).unified", "cgroup v2 keys cannot be applied on a cgroup v1 host")
                }
                return CgroupPlan()
            }
        }
    }

    // MARK: shared checks

    /// A memory value: nil or 0 is unset (runc), -1 is unlimited, other negatives are errors.
    static func memoryValue(_ value: Int64?, field: String) throws(CgroupError) -> Int64? {
        guard let value, value != 0 else { return nil }
        if value < -1 { throw CgroupError.invalid(field, "must be a positive number of bytes or -1 (unlimited), got \(value)") }
        return value
    }

    /// Parses a cpu/node list (`0-3,5`) into its members; nil when the syntax is wrong.
    public static func parseList(_ text: String) -> Set<Int>? {
        let trimmed = CgroupStatsParsing.trim(text)
        if trimmed.isEmpty { return [] }
        var result = Set<Int>()
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                  bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                  let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]), low <= high, high < 1 << 20
            else { return nil }
            for n in low...high { result.insert(n) }
        }
        return result
    }

    static func checkList(_ value: String, online: String?, what: String, field: String) throws(CgroupError) {
        guard let members = parseList(value) else {
            throw CgroupError.invalid(field, "invalid \(what) list \"\(value)\" (expected e.g. \"0-3,5\")")
        }
        guard let online, let available = parseList(online) else { return }
        let outside = members.subtracting(available).sorted()
        if let first = outside.first {
            throw CgroupError.invalid(field, "\(what) \(first) in \"\(value)\" is not online (online: \(CgroupStatsParsing.trim(online)))")
        }
    }

    static func checkDevice(_ major: Int64, _ minor: Int64, field: String) throws(CgroupError) {
        if major < 0 || minor < 0 || major > Int64(UInt32.max) || minor > Int64(UInt32.max) {
            throw CgroupError.invalid(field, "invalid device number \(major):\(minor)")
        }
    }
}
