/// Usage counters of a container's cgroup, shaped like the `data` object of runc's
/// `events --stats` (runc types/events.go): the same JSON keys, zero values left out where runc
/// marks them `omitempty`. Only what swiftlet reads is filled: cpu, memory, pids, blkio, hugetlb.
public struct CgroupStats: Codable, Equatable, Sendable {
    public var cpu = CPU()
    /// v1 cpuset files; zero on v2 (runc 1.1 reads none there either).
    public var cpuset = CPUSet()
    public var memory = Memory()
    public var pids = Pids()
    public var blkio = Blkio()
    public var hugetlb: [String: Hugetlb] = [:]

    public init() {}

    public struct CPUUsage: Codable, Equatable, Sendable {
        /// Nanoseconds.
        public var total: UInt64 = 0
        public var percpu: [UInt64] = []
        public var kernel: UInt64 = 0
        public var user: UInt64 = 0

        enum CodingKeys: String, CodingKey { case total, percpu, kernel, user }

        public init() {}

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if total != 0 { try c.encode(total, forKey: .total) }
            if !percpu.isEmpty { try c.encode(percpu, forKey: .percpu) }
            try c.encode(kernel, forKey: .kernel)
            try c.encode(user, forKey: .user)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            total = try c.decodeIfPresent(UInt64.self, forKey: .total) ?? 0
            percpu = try c.decodeIfPresent([UInt64].self, forKey: .percpu) ?? []
            kernel = try c.decodeIfPresent(UInt64.self, forKey: .kernel) ?? 0
            user = try c.decodeIfPresent(UInt64.self, forKey: .user) ?? 0
        }
    }

    public struct Throttling: Codable, Equatable, Sendable {
        public var periods: UInt64 = 0
        public var throttledPeriods: UInt64 = 0
        /// Nanoseconds.
        public var throttledTime: UInt64 = 0

        enum CodingKeys: String, CodingKey { case periods, throttledPeriods, throttledTime }

        public init() {}

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if periods != 0 { try c.encode(periods, forKey: .periods) }
            if throttledPeriods != 0 { try c.encode(throttledPeriods, forKey: .throttledPeriods) }
            if throttledTime != 0 { try c.encode(throttledTime, forKey: .throttledTime) }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            periods = try c.decodeIfPresent(UInt64.self, forKey: .periods) ?? 0
            throttledPeriods = try c.decodeIfPresent(UInt64.self, forKey: .throttledPeriods) ?? 0
            throttledTime = try c.decodeIfPresent(UInt64.self, forKey: .throttledTime) ?? 0
        }
    }

    public struct CPU: Codable, Equatable, Sendable {
        public var usage = CPUUsage()
        public var throttling = Throttling()
        public init() {}
    }

    /// runc's CPUSet stats: the CPU and node lists and the v1 cpuset flags.
    public struct CPUSet: Codable, Equatable, Sendable {
        public var cpus: [UInt16] = []
        public var cpuExclusive: UInt64 = 0
        public var mems: [UInt16] = []
        public var memHardwall: UInt64 = 0
        public var memExclusive: UInt64 = 0
        public var memoryMigrate: UInt64 = 0
        public var memorySpreadPage: UInt64 = 0
        public var memorySpreadSlab: UInt64 = 0
        public var memoryPressure: UInt64 = 0
        public var schedLoadBalance: UInt64 = 0
        public var schedRelaxDomainLevel: Int64 = 0
        public init() {}
    }

    public struct MemoryEntry: Codable, Equatable, Sendable {
        /// Bytes; UInt64.max when unlimited (runc's convention).
        public var limit: UInt64 = 0
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0

        enum CodingKeys: String, CodingKey { case limit, usage, max, failcnt }

        public init() {}

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(limit, forKey: .limit)
            if usage != 0 { try c.encode(usage, forKey: .usage) }
            if max != 0 { try c.encode(max, forKey: .max) }
            try c.encode(failcnt, forKey: .failcnt)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            limit = try c.decodeIfPresent(UInt64.self, forKey: .limit) ?? 0
            usage = try c.decodeIfPresent(UInt64.self, forKey: .usage) ?? 0
            max = try c.decodeIfPresent(UInt64.self, forKey: .max) ?? 0
            failcnt = try c.decodeIfPresent(UInt64.self, forKey: .failcnt) ?? 0
        }
    }

    /// Counters of memory.events (v2) or memory.oom_control / failcnt (v1).
    public struct MemoryEvents: Codable, Equatable, Sendable {
        public var low: UInt64 = 0
        public var high: UInt64 = 0
        public var max: UInt64 = 0
        public var oom: UInt64 = 0
        public var oomKill: UInt64 = 0

        enum CodingKeys: String, CodingKey {
            case low, high, max, oom
            case oomKill = "oom_kill"
        }

        public init() {}
    }

    public struct Memory: Codable, Equatable, Sendable {
        public var cache: UInt64 = 0
        public var usage = MemoryEntry()
        public var swap = MemoryEntry()
        public var kernel = MemoryEntry()
        public var kernelTCP = MemoryEntry()
        /// memory.stat as read.
        public var raw: [String: UInt64] = [:]
        public var eventCount = MemoryEvents()

        enum CodingKeys: String, CodingKey {
            case cache, usage, swap, kernel, kernelTCP, raw
            case eventCount = "event_count"
        }

        public init() {}

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if cache != 0 { try c.encode(cache, forKey: .cache) }
            try c.encode(usage, forKey: .usage)
            try c.encode(swap, forKey: .swap)
            try c.encode(kernel, forKey: .kernel)
            try c.encode(kernelTCP, forKey: .kernelTCP)
            if !raw.isEmpty { try c.encode(raw, forKey: .raw) }
            try c.encode(eventCount, forKey: .eventCount)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cache = try c.decodeIfPresent(UInt64.self, forKey: .cache) ?? 0
            usage = try c.decodeIfPresent(MemoryEntry.self, forKey: .usage) ?? MemoryEntry()
            swap = try c.decodeIfPresent(MemoryEntry.self, forKey: .swap) ?? MemoryEntry()
            kernel = try c.decodeIfPresent(MemoryEntry.self, forKey: .kernel) ?? MemoryEntry()
            kernelTCP = try c.decodeIfPresent(MemoryEntry.self, forKey: .kernelTCP) ?? MemoryEntry()
            raw = try c.decodeIfPresent([String: UInt64].self, forKey: .raw) ?? [:]
            eventCount = try c.decodeIfPresent(MemoryEvents.self, forKey: .eventCount) ?? MemoryEvents()
        }
    }

    public struct Pids: Codable, Equatable, Sendable {
        public var current: UInt64 = 0
        /// 0 when unlimited (runc's convention).
        public var limit: UInt64 = 0

        enum CodingKeys: String, CodingKey { case current, limit }

        public init() {}

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if current != 0 { try c.encode(current, forKey: .current) }
            if limit != 0 { try c.encode(limit, forKey: .limit) }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            current = try c.decodeIfPresent(UInt64.self, forKey: .current) ?? 0
            limit = try c.decodeIfPresent(UInt64.self, forKey: .limit) ?? 0
        }
    }

    /// Bytes and operations per device (v1 blkio.*io_service_bytes_recursive and
    /// *io_serviced_recursive, v2 io.stat), runc's keys; empty lists are left out.
    public struct Blkio: Codable, Equatable, Sendable {
        public var ioServiceBytesRecursive: [BlkioEntry] = []
        public var ioServicedRecursive: [BlkioEntry] = []

        enum CodingKeys: String, CodingKey { case ioServiceBytesRecursive, ioServicedRecursive }

        public init() {}

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if !ioServiceBytesRecursive.isEmpty { try c.encode(ioServiceBytesRecursive, forKey: .ioServiceBytesRecursive) }
            if !ioServicedRecursive.isEmpty { try c.encode(ioServicedRecursive, forKey: .ioServicedRecursive) }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            ioServiceBytesRecursive = try c.decodeIfPresent([BlkioEntry].self, forKey: .ioServiceBytesRecursive) ?? []
            ioServicedRecursive = try c.decodeIfPresent([BlkioEntry].self, forKey: .ioServicedRecursive) ?? []
        }
    }

    /// One device counter; zero fields are left out as runc's `omitempty` does.
    public struct BlkioEntry: Codable, Equatable, Sendable {
        public var major: UInt64 = 0
        public var minor: UInt64 = 0
        public var op: String = ""
        public var value: UInt64 = 0

        enum CodingKeys: String, CodingKey { case major, minor, op, value }

        public init(major: UInt64, minor: UInt64, op: String, value: UInt64) {
            self.major = major
            self.minor = minor
            self.op = op
            self.value = value
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if major != 0 { try c.encode(major, forKey: .major) }
            if minor != 0 { try c.encode(minor, forKey: .minor) }
            if !op.isEmpty { try c.encode(op, forKey: .op) }
            if value != 0 { try c.encode(value, forKey: .value) }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            major = try c.decodeIfPresent(UInt64.self, forKey: .major) ?? 0
            minor = try c.decodeIfPresent(UInt64.self, forKey: .minor) ?? 0
            op = try c.decodeIfPresent(String.self, forKey: .op) ?? ""
            value = try c.decodeIfPresent(UInt64.self, forKey: .value) ?? 0
        }
    }

    public struct Hugetlb: Codable, Equatable, Sendable {
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0

        enum CodingKeys: String, CodingKey { case usage, max, failcnt }

        public init() {}

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if usage != 0 { try c.encode(usage, forKey: .usage) }
            if max != 0 { try c.encode(max, forKey: .max) }
            try c.encode(failcnt, forKey: .failcnt)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            usage = try c.decodeIfPresent(UInt64.self, forKey: .usage) ?? 0
            max = try c.decodeIfPresent(UInt64.self, forKey: .max) ?? 0
            failcnt = try c.decodeIfPresent(UInt64.self, forKey: .failcnt) ?? 0
        }
    }
}

/// Pure parsing of cgroupfs stat files.
public enum CgroupStatsParsing {
    /// `key value` lines (memory.stat, memory.events, cpu.stat, pids.events) into a dictionary;
    /// lines whose value is not a number are skipped.
    public static func keyValues(_ text: String) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, let value = UInt64(parts[1]) { result[String(parts[0])] = value }
        }
        return result
    }

    /// A limit file: a number, or `max` (v2) / a huge value (v1, PAGE_COUNTER_MAX rounded) for
    /// unlimited, returned as UInt64.max. `-1` (v1 cpu quota style) is also unlimited.
    public static func limit(_ text: String) -> UInt64? {
        let value = trim(text)
        if value == "max" || value == "-1" { return UInt64.max }
        return UInt64(value)
    }

    /// `text` without leading and trailing blanks and newlines.
    public static func trim(_ text: String) -> String {
        var s = Substring(text)
        while let first = s.first, first == " " || first == "\n" || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\n" || last == "\t" { s.removeLast() }
        return String(s)
    }

    /// v1 blkio `MAJ:MIN Op value` lines (the `Total` line is skipped).
    public static func blkioV1(_ text: String) -> [CgroupStats.BlkioEntry] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 3, let device = device(parts[0]), let value = UInt64(parts[2]) else { return nil }
            return CgroupStats.BlkioEntry(major: device.major, minor: device.minor, op: String(parts[1]), value: value)
        }
    }

    /// v2 io.stat (`MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..`) as runc
    /// reports it: bytes and operations per device, ops Read, Write and Discard.
    public static func ioStat(_ text: String) -> CgroupStats.Blkio {
        var blkio = CgroupStats.Blkio()
        let names = ["rbytes": ("Read", true), "wbytes": ("Write", true), "dbytes": ("Discard", true),
                     "rios": ("Read", false), "wios": ("Write", false), "dios": ("Discard", false)]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = parts.first, let dev = device(first) else { continue }
            for field in parts.dropFirst() {
                let kv = field.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, let (op, bytes) = names[String(kv[0])], let value = UInt64(kv[1]) else { continue }
                let entry = CgroupStats.BlkioEntry(major: dev.major, minor: dev.minor, op: op, value: value)
                if bytes { blkio.ioServiceBytesRecursive.append(entry) } else { blkio.ioServicedRecursive.append(entry) }
            }
        }
        return blkio
    }

    static func device(_ text: Substring) -> (major: UInt64, minor: UInt64)? {
        let mm = text.split(separator: ":")
        guard mm.count == 2, let major = UInt64(mm[0]), let minor = UInt64(mm[1]) else { return nil }
        return (major, minor)
    }

    /// `1 2 3` (cpuacct.usage_percpu) into numbers.
    public static func numbers(_ text: String) -> [UInt64] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt64($0) }
    }
}
