import OCI

/// `events` output in runc 1.1's shape (types/events.go): its members in its struct order,
/// zero values left out where runc marks them `omitempty`, maps (hugetlb, memory.raw) with
/// sorted keys as Go writes them, `intel_rdt` empty and `network_interfaces` null (swiftlet
/// reads neither). `memory.eventCount` is internal (the OOM counter `events` watches): runc
/// 1.1 has no such member, so it is not written.
extension CgroupStats {
    public func jsonValue() -> JSONValue {
        .object([
            ("cpu", cpuJSON), ("cpuset", cpusetJSON), ("memory", memoryJSON), ("pids", pidsJSON),
            ("blkio", blkioJSON), ("hugetlb", hugetlbJSON), ("intel_rdt", .object(JSONObject())),
            ("network_interfaces", .null),
        ])
    }

    static func omitZero(_ value: UInt64) -> JSONValue? { value == 0 ? nil : .integer(value) }

    var cpuJSON: JSONValue {
        let u = cpu.usage, t = cpu.throttling
        return .object([
            ("usage", .object([
                ("total", Self.omitZero(u.total)),
                ("percpu", u.percpu.isEmpty ? nil : .array(u.percpu.map { .integer($0) })),
                ("kernel", .integer(u.kernel)), ("user", .integer(u.user)),
            ])),
            ("throttling", .object([
                ("periods", Self.omitZero(t.periods)), ("throttledPeriods", Self.omitZero(t.throttledPeriods)),
                ("throttledTime", Self.omitZero(t.throttledTime)),
            ])),
        ])
    }

    var cpusetJSON: JSONValue {
        let c = cpuset
        return .object([
            ("cpus", c.cpus.isEmpty ? nil : .array(c.cpus.map { .integer($0) })),
            ("cpu_exclusive", .integer(c.cpuExclusive)),
            ("mems", c.mems.isEmpty ? nil : .array(c.mems.map { .integer($0) })),
            ("mem_hardwall", .integer(c.memHardwall)), ("mem_exclusive", .integer(c.memExclusive)),
            ("memory_migrate", .integer(c.memoryMigrate)), ("memory_spread_page", .integer(c.memorySpreadPage)),
            ("memory_spread_slab", .integer(c.memorySpreadSlab)), ("memory_pressure", .integer(c.memoryPressure)),
            ("sched_load_balance", .integer(c.schedLoadBalance)),
            ("sched_relax_domain_level", .integer(c.schedRelaxDomainLevel)),
        ])
    }

    static func entryJSON(_ e: MemoryEntry) -> JSONValue {
        .object([("limit", .integer(e.limit)), ("usage", omitZero(e.usage)), ("max", omitZero(e.max)),
                 ("failcnt", .integer(e.failcnt))])
    }

    var memoryJSON: JSONValue {
        let m = memory
        let raw: JSONValue? = m.raw.isEmpty ? nil : .object(m.raw.keys.sorted().map { ($0, .integer(m.raw[$0] ?? 0)) })
        return .object([
            ("cache", Self.omitZero(m.cache)), ("usage", Self.entryJSON(m.usage)), ("swap", Self.entryJSON(m.swap)),
            ("kernel", Self.entryJSON(m.kernel)), ("kernelTCP", Self.entryJSON(m.kernelTCP)), ("raw", raw),
        ])
    }

    var pidsJSON: JSONValue {
        .object([("current", Self.omitZero(pids.current)), ("limit", Self.omitZero(pids.limit))])
    }

    static func blkioEntries(_ entries: [BlkioEntry]) -> JSONValue? {
        entries.isEmpty ? nil : .array(entries.map { e in
            .object([("major", omitZero(e.major)), ("minor", omitZero(e.minor)), ("op", e.op.isEmpty ? nil : .string(e.op)),
                     ("value", omitZero(e.value))])
        })
    }

    var blkioJSON: JSONValue {
        .object([("ioServiceBytesRecursive", Self.blkioEntries(blkio.ioServiceBytesRecursive)),
                 ("ioServicedRecursive", Self.blkioEntries(blkio.ioServicedRecursive))])
    }

    var hugetlbJSON: JSONValue {
        .object(hugetlb.keys.sorted().map { size in
            let h = hugetlb[size] ?? Hugetlb()
            return (size, .object([("usage", Self.omitZero(h.usage)), ("max", Self.omitZero(h.max)), ("failcnt", .integer(h.failcnt))]))
        })
    }
}
