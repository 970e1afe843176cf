import OCI
import Testing
@testable import SwiftletCore

/// `linux.resources` → cgroup file writes, per cgroup version: the pure half of the cgroup
/// layer (CgroupConversion), no root needed.
@Suite struct CgroupConversionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let resources: LinuxResources
        let writes: [String]
        var testDescription: String { name }
    }

    /// A host with two CPUs, one memory node, 2MB and 1GB huge pages and swap accounting.
    static let host = CgroupHostInfo(onlineCPUs: "0-1", onlineMems: "0", hugepageSizes: ["1GB", "2MB"], bfq: false,
                                     swapAccounting: true, hugetlbReservations: false)

    static func rendered(_ plan: CgroupPlan) -> [String] { plan.writes.map(\.description) }

    // MARK: v2

    static let v2Cases: [Case] = [
        Case(name: "memory limit", resources: LinuxResources(memory: LinuxMemory(limit: 64 << 20)),
             writes: ["memory.max=67108864"]),
        Case(name: "memory unlimited also unlimits swap", resources: LinuxResources(memory: LinuxMemory(limit: -1)),
             writes: ["memory.swap.max=max", "memory.max=max"]),
        Case(name: "memory+swap becomes swap only", resources: LinuxResources(memory: LinuxMemory(limit: 100, reservation: 50, swap: 300)),
             writes: ["memory.swap.max=200", "memory.max=100", "memory.low=50"]),
        Case(name: "swap unlimited", resources: LinuxResources(memory: LinuxMemory(limit: 100, swap: -1)),
             writes: ["memory.swap.max=max", "memory.max=100"]),
        Case(name: "zero means unset (runc)", resources: LinuxResources(memory: LinuxMemory(limit: 0), cpu: LinuxCPU(shares: 0, quota: 0)),
             writes: []),
        Case(name: "shares to weight", resources: LinuxResources(cpu: LinuxCPU(shares: 1024)),
             writes: ["cpu.weight=39"]),
        Case(name: "shares minimum and maximum", resources: LinuxResources(cpu: LinuxCPU(shares: 2)),
             writes: ["cpu.weight=1"]),
        Case(name: "quota and period", resources: LinuxResources(cpu: LinuxCPU(quota: 50000, period: 100_000)),
             writes: ["cpu.max=50000 100000"]),
        Case(name: "unlimited quota with period", resources: LinuxResources(cpu: LinuxCPU(quota: -1, period: 20000)),
             writes: ["cpu.max=max 20000"]),
        Case(name: "period alone", resources: LinuxResources(cpu: LinuxCPU(period: 20000)),
             writes: ["cpu.max=max 20000"]),
        Case(name: "unlimited quota alone", resources: LinuxResources(cpu: LinuxCPU(quota: -1)),
             writes: ["cpu.max=max"]),
        Case(name: "quota alone keeps the period (runc)", resources: LinuxResources(cpu: LinuxCPU(quota: 50000)),
             writes: ["cpu.max=50000"]),
        Case(name: "burst before cpu.max", resources: LinuxResources(cpu: LinuxCPU(quota: 50000, burst: 10000, period: 100_000)),
             writes: ["cpu.max.burst=10000", "cpu.max=50000 100000"]),
        Case(name: "idle", resources: LinuxResources(cpu: LinuxCPU(idle: 1)), writes: ["cpu.idle=1"]),
        Case(name: "cpuset", resources: LinuxResources(cpu: LinuxCPU(cpus: "0-1", mems: "0")),
             writes: ["cpuset.cpus=0-1", "cpuset.mems=0"]),
        Case(name: "pids", resources: LinuxResources(pids: LinuxPids(limit: 32)), writes: ["pids.max=32"]),
        Case(name: "pids unlimited", resources: LinuxResources(pids: LinuxPids(limit: -1)), writes: ["pids.max=max"]),
        Case(name: "pids zero is unlimited", resources: LinuxResources(pids: LinuxPids(limit: 0)), writes: ["pids.max=max"]),
        Case(name: "io weight converted", resources: LinuxResources(blockIO: LinuxBlockIO(weight: 500)),
             writes: ["io.weight=4950"]),
        Case(name: "io.max merges a device's throttles",
             resources: LinuxResources(blockIO: LinuxBlockIO(
                 throttleReadBpsDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 1_048_576)],
                 throttleWriteBpsDevice: [LinuxThrottleDevice(major: 8, minor: 16, rate: 0)],
                 throttleReadIOPSDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 100)],
                 throttleWriteIOPSDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 50)])),
             writes: ["io.max=8:0 rbps=1048576 riops=100 wiops=50", "io.max=8:16 wbps=max"]),
        Case(name: "hugetlb", resources: LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 4 << 20)]),
             writes: ["hugetlb.2MB.max=4194304"]),
        Case(name: "rdma", resources: LinuxResources(rdma: ["mlx5_1": LinuxRdma(hcaHandles: 3), "mlx4_0": LinuxRdma(hcaHandles: 2, hcaObjects: 100)]),
             writes: ["rdma.max=mlx4_0 hca_handle=2 hca_object=100", "rdma.max=mlx5_1 hca_handle=3"]),
        Case(name: "unified keys last, sorted", resources: LinuxResources(pids: LinuxPids(limit: 5),
                                                                          unified: ["memory.high": "1000000", "cgroup.max.depth": "3"]),
             writes: ["pids.max=5", "cgroup.max.depth=3", "memory.high=1000000"]),
        Case(name: "devices are not file writes on v2",
             resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]), writes: []),
    ]

    @Test(arguments: v2Cases)
    func v2(_ c: Case) throws {
        #expect(Self.rendered(try CgroupConversion.v2(c.resources, host: Self.host)) == c.writes)
    }

    @Test func v2WritesAreAllUnified() throws {
        let plan = try CgroupConversion.v2(LinuxResources(memory: LinuxMemory(limit: 100), cpu: LinuxCPU(shares: 512),
                                                          pids: LinuxPids(limit: 2)), host: Self.host)
        #expect(plan.writes.allSatisfy { $0.unified })
        #expect(plan.writes.map(\.controller) == ["memory", "cpu", "pids"])
        #expect(plan.writes.map(\.field) == ["linux.resources.memory.limit", "linux.resources.cpu.shares", "linux.resources.pids.limit"])
    }

    @Test func v2BurstIsRetriedAfterCpuMax() throws {
        let plan = try CgroupConversion.v2(LinuxResources(cpu: LinuxCPU(quota: 50000, burst: 1000, period: 100_000)), host: Self.host)
        #expect(plan.writes.first?.retryAfterRest == true)
    }

    @Test func v2BfqAndReservations() throws {
        var host = Self.host
        host.bfq = true
        host.hugetlbReservations = true
        let plan = try CgroupConversion.v2(LinuxResources(
            blockIO: LinuxBlockIO(weight: 300, weightDevice: [LinuxWeightDevice(major: 8, minor: 0, weight: 200)]),
            hugepageLimits: [LinuxHugepageLimit(pageSize: "1GB", limit: 1 << 30)]), host: host)
        #expect(Self.rendered(plan) == ["io.bfq.weight=300", "io.bfq.weight=8:0 200",
                                        "hugetlb.1GB.max=1073741824", "hugetlb.1GB.rsvd.max=1073741824"])
    }

    @Test(arguments: [
        (LinuxMemory(swappiness: 10), "swappiness"),
        (LinuxMemory(kernel: 1000), "kernel"),
        (LinuxMemory(kernelTCP: 1000), "kernelTCP"),
        (LinuxMemory(disableOOMKiller: true), "disableOOMKiller"),
    ])
    func v2WarnsAboutWhatItCannotExpress(memory: LinuxMemory, field: String) throws {
        let plan = try CgroupConversion.v2(LinuxResources(memory: memory), host: Self.host)
        #expect(plan.writes.isEmpty)
        #expect(plan.warnings.count == 1)
        #expect(plan.warnings.first?.hasPrefix("linux.resources.memory.\(field):") == true)
    }

    @Test func v2WarnsAboutNetwork() throws {
        let plan = try CgroupConversion.v2(LinuxResources(network: LinuxNetwork(classID: 7)), host: Self.host)
        #expect(plan.writes.isEmpty && plan.warnings.count == 1)
    }

    // MARK: v1

    static let v1Cases: [Case] = [
        Case(name: "memory limit then memsw (lowering)", resources: LinuxResources(memory: LinuxMemory(limit: 100, swap: 300)),
             writes: ["memory.limit_in_bytes=100", "memory.memsw.limit_in_bytes=300"]),
        Case(name: "memory unlimited: memsw first", resources: LinuxResources(memory: LinuxMemory(limit: -1)),
             writes: ["memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1"]),
        Case(name: "memory extras",
             resources: LinuxResources(memory: LinuxMemory(reservation: 50, swappiness: 60, disableOOMKiller: true)),
             writes: ["memory.soft_limit_in_bytes=50", "memory.swappiness=60", "memory.oom_control=1"]),
        Case(name: "cpu", resources: LinuxResources(cpu: LinuxCPU(shares: 512, quota: 20000, burst: 1000, period: 100_000,
                                                                  realtimeRuntime: 950, realtimePeriod: 1000, idle: 0)),
             writes: ["cpu.shares=512", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=20000", "cpu.cfs_burst_us=1000",
                      "cpu.rt_period_us=1000", "cpu.rt_runtime_us=950", "cpu.idle=0"]),
        Case(name: "cpu quota unlimited", resources: LinuxResources(cpu: LinuxCPU(quota: -1)), writes: ["cpu.cfs_quota_us=-1"]),
        Case(name: "cpu quota alone keeps the period (runc)", resources: LinuxResources(cpu: LinuxCPU(quota: 50000)),
             writes: ["cpu.cfs_quota_us=50000"]),
        Case(name: "cpuset", resources: LinuxResources(cpu: LinuxCPU(cpus: "1", mems: "0")),
             writes: ["cpuset.cpus=1", "cpuset.mems=0"]),
        Case(name: "pids", resources: LinuxResources(pids: LinuxPids(limit: 100)), writes: ["pids.max=100"]),
        Case(name: "blkio",
             resources: LinuxResources(blockIO: LinuxBlockIO(
                 weight: 500, weightDevice: [LinuxWeightDevice(major: 8, minor: 0, weight: 100)],
                 throttleReadBpsDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 1000)],
                 throttleWriteIOPSDevice: [LinuxThrottleDevice(major: 8, minor: 0, rate: 10)])),
             writes: ["blkio.weight=500", "blkio.weight_device=8:0 100", "blkio.throttle.read_bps_device=8:0 1000",
                      "blkio.throttle.write_iops_device=8:0 10"]),
        Case(name: "hugetlb", resources: LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 2 << 20)]),
             writes: ["hugetlb.2MB.limit_in_bytes=2097152"]),
        Case(name: "network",
             resources: LinuxResources(network: LinuxNetwork(classID: 0x10001, priorities: [LinuxInterfacePriority(name: "eth0", priority: 5)])),
             writes: ["net_cls.classid=65537", "net_prio.ifpriomap=eth0 5"]),
        Case(name: "devices in order",
             resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm"),
                                                 LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "mwr"),
                                                 LinuxDeviceCgroup(allow: true, type: "c", major: 136, access: "rw")]),
             writes: ["devices.deny=a *:* rwm", "devices.allow=c 1:3 rwm", "devices.allow=c 136:* rw"]),
    ]

    @Test(arguments: v1Cases)
    func v1(_ c: Case) throws {
        let plan = try CgroupConversion.v1(c.resources, host: Self.host)
        #expect(Self.rendered(plan) == c.writes)
        #expect(plan.writes.allSatisfy { !$0.unified })
    }

    /// runc's reading of an access string: the r, w and m it holds, in any order and repeated;
    /// anything else (the `a` of `rwa`) is ignored, with a warning naming the field.
    @Test(arguments: [("rwa", "rw", "a"), ("wwa", "w", "a"), ("mwr", "rwm", ""), ("rx", "r", "x"), ("r w", "rw", " ")])
    func v1DeviceAccessAsRuncReadsIt(access: String, letters: String, ignored: String) throws {
        let plan = try CgroupConversion.v1(LinuxResources(devices: [LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 11,
                                                                                      access: access)]), host: Self.host)
        #expect(Self.rendered(plan) == ["devices.allow=c 1:11 \(letters)"])
        #expect(plan.warnings == (ignored.isEmpty ? [] : [
            "linux.resources.devices[0].access: \"\(ignored)\" in \"\(access)\" ignored (only r, w and m mean anything, as in runc)",
        ]))
    }

    @Test func v1RaisingMemoryWritesMemswFirst() throws {
        var host = Self.host
        host.currentMemoryLimit = 100
        let plan = try CgroupConversion.v1(LinuxResources(memory: LinuxMemory(limit: 200, swap: 400)), host: host)
        #expect(Self.rendered(plan) == ["memory.memsw.limit_in_bytes=400", "memory.limit_in_bytes=200"])
    }

    @Test func v1PeriodIsRetriedAfterQuota() throws {
        let plan = try CgroupConversion.v1(LinuxResources(cpu: LinuxCPU(quota: 20000, period: 50000)), host: Self.host)
        #expect(plan.writes.map(\.retryAfterRest) == [true, false])
    }

    @Test func v1RefusesUnifiedKeys() {
        #expect(throws: CgroupError.self) {
            try CgroupConversion.v1(LinuxResources(unified: ["memory.high": "1"]), host: Self.host)
        }
    }

    // MARK: hybrid

    @Test func hybridRoutesEachControllerToWhereItIsMounted() throws {
        // This host: every v1 controller but hugetlb; hugetlb only in the unified hierarchy.
        let plan = try CgroupConversion.hybrid(
            LinuxResources(memory: LinuxMemory(limit: 100), pids: LinuxPids(limit: 10),
                           hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 2 << 20)], unified: ["hugetlb.2MB.max": "0"]),
            host: Self.host, legacyControllers: ["memory", "pids", "cpu", "cpuacct"], unifiedControllers: ["hugetlb"])
        #expect(plan.writes.map { "\($0.unified ? "v2" : "v1") \($0)" } == [
            "v1 memory.limit_in_bytes=100", "v1 pids.max=10", "v2 hugetlb.2MB.max=2097152", "v2 hugetlb.2MB.max=0",
        ])
    }

    @Test func hybridMissingControllerIsAnError() {
        do {
            _ = try CgroupConversion.hybrid(LinuxResources(network: LinuxNetwork(classID: 1)), host: Self.host,
                                            legacyControllers: ["memory"], unifiedControllers: ["hugetlb"])
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "linux.resources.network.classID")
            #expect(error.description.contains("net_cls controller is not available"))
        }
    }

    // MARK: invalid values

    struct Invalid: Sendable, CustomTestStringConvertible {
        let name: String
        let resources: LinuxResources
        let field: String
        var testDescription: String { name }
    }

    static let invalidCases: [Invalid] = [
        Invalid(name: "negative memory", resources: LinuxResources(memory: LinuxMemory(limit: -2)), field: "linux.resources.memory.limit"),
        Invalid(name: "negative reservation", resources: LinuxResources(memory: LinuxMemory(reservation: -5)),
                field: "linux.resources.memory.reservation"),
        Invalid(name: "swappiness over 100", resources: LinuxResources(memory: LinuxMemory(swappiness: 101)),
                field: "linux.resources.memory.swappiness"),
        Invalid(name: "period under 1000", resources: LinuxResources(cpu: LinuxCPU(quota: 50000, period: 500)),
                field: "linux.resources.cpu.period"),
        Invalid(name: "period over 1000000", resources: LinuxResources(cpu: LinuxCPU(period: 1_000_001)), field: "linux.resources.cpu.period"),
        Invalid(name: "quota under 1000", resources: LinuxResources(cpu: LinuxCPU(quota: 999, period: 100_000)),
                field: "linux.resources.cpu.quota"),
        Invalid(name: "negative quota", resources: LinuxResources(cpu: LinuxCPU(quota: -2, period: 100_000)),
                field: "linux.resources.cpu.quota"),
        Invalid(name: "burst over quota", resources: LinuxResources(cpu: LinuxCPU(quota: 10000, burst: 20000, period: 100_000)),
                field: "linux.resources.cpu.burst"),
        Invalid(name: "shares too small", resources: LinuxResources(cpu: LinuxCPU(shares: 1)), field: "linux.resources.cpu.shares"),
        Invalid(name: "shares too large", resources: LinuxResources(cpu: LinuxCPU(shares: 262_145)), field: "linux.resources.cpu.shares"),
        Invalid(name: "idle 2", resources: LinuxResources(cpu: LinuxCPU(idle: 2)), field: "linux.resources.cpu.idle"),
        Invalid(name: "cpuset out of range", resources: LinuxResources(cpu: LinuxCPU(cpus: "0-9999")), field: "linux.resources.cpu.cpus"),
        Invalid(name: "cpuset syntax", resources: LinuxResources(cpu: LinuxCPU(cpus: "0-")), field: "linux.resources.cpu.cpus"),
        Invalid(name: "cpuset reversed", resources: LinuxResources(cpu: LinuxCPU(cpus: "3-1")), field: "linux.resources.cpu.cpus"),
        Invalid(name: "mems out of range", resources: LinuxResources(cpu: LinuxCPU(mems: "1")), field: "linux.resources.cpu.mems"),
        Invalid(name: "blkio weight", resources: LinuxResources(blockIO: LinuxBlockIO(weight: 5)), field: "linux.resources.blockIO.weight"),
        Invalid(name: "negative device", resources: LinuxResources(blockIO: LinuxBlockIO(
            throttleReadBpsDevice: [LinuxThrottleDevice(major: -1, minor: 0, rate: 1)])),
                field: "linux.resources.blockIO.throttleReadBpsDevice[0]"),
        Invalid(name: "page size syntax", resources: LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2M", limit: 1)]),
                field: "linux.resources.hugepageLimits[0].pageSize"),
        Invalid(name: "page size not on host", resources: LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "64KB", limit: 1)]),
                field: "linux.resources.hugepageLimits[0].pageSize"),
        Invalid(name: "rdma device name", resources: LinuxResources(rdma: ["a b": LinuxRdma(hcaHandles: 1)]),
                field: "linux.resources.rdma[\"a b\"]"),
        Invalid(name: "device type", resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: true, type: "x")]),
                field: "linux.resources.devices[0].type"),
        Invalid(name: "device access without r, w or m", resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: true, access: "x")]),
                field: "linux.resources.devices[0].access"),
        Invalid(name: "empty device access", resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: true, access: "")]),
                field: "linux.resources.devices[0].access"),
        Invalid(name: "unified key without controller", resources: LinuxResources(unified: ["max": "1"]),
                field: "linux.resources.unified[\"max\"]"),
        Invalid(name: "unified key with a slash", resources: LinuxResources(unified: ["../memory.max": "1"]),
                field: "linux.resources.unified[\"../memory.max\"]"),
        Invalid(name: "unified cgroup.procs", resources: LinuxResources(unified: ["cgroup.procs": "1"]),
                field: "linux.resources.unified[\"cgroup.procs\"]"),
        Invalid(name: "unified subtree_control", resources: LinuxResources(unified: ["cgroup.subtree_control": "+memory"]),
                field: "linux.resources.unified[\"cgroup.subtree_control\"]"),
        Invalid(name: "unified multi-line value", resources: LinuxResources(unified: ["memory.high": "1\n2"]),
                field: "linux.resources.unified[\"memory.high\"]"),
    ]

    @Test(arguments: invalidCases)
    func invalidValuesNameTheirFieldOnV2(_ c: Invalid) {
        Self.expectInvalid(c) { r throws(CgroupError) in try CgroupConversion.v2(r, host: Self.host) }
    }

    @Test(arguments: invalidCases.filter { $0.resources.unified == nil })
    func invalidValuesNameTheirFieldOnV1(_ c: Invalid) {
        Self.expectInvalid(c) { r throws(CgroupError) in try CgroupConversion.v1(r, host: Self.host) }
    }

    static func expectInvalid(_ c: Invalid, _ convert: (LinuxResources) throws(CgroupError) -> CgroupPlan) {
        do {
            let plan = try convert(c.resources)
            Issue.record("expected an error, got \(plan.writes)")
        } catch {
            #expect(error.field == c.field, "\(error)")
            #expect(error.errno == nil)
            #expect(error.description.hasPrefix(c.field + ": "), "\(error)")
        }
    }

    @Test func unknownUnifiedKeyWhenTheFilesAreKnown() {
        var host = Self.host
        host.unifiedFiles = ["memory.max", "memory.high", "cgroup.procs"]
        #expect(throws: CgroupError.self) {
            try CgroupConversion.v2(LinuxResources(unified: ["memory.bogus": "1"]), host: host)
        }
        #expect(throws: Never.self) {
            try CgroupConversion.v2(LinuxResources(unified: ["memory.high": "1"]), host: host)
        }
    }

    @Test func swapNeedsALimitOnV2() {
        #expect(throws: CgroupError.self) {
            try CgroupConversion.v2(LinuxResources(memory: LinuxMemory(swap: 1000)), host: Self.host)
        }
    }

    @Test func swapWithoutAccountingIsAnError() {
        var host = Self.host
        host.swapAccounting = false
        #expect(throws: CgroupError.self) {
            try CgroupConversion.v2(LinuxResources(memory: LinuxMemory(limit: 100, swap: 200)), host: host)
        }
        #expect(throws: CgroupError.self) {
            try CgroupConversion.v1(LinuxResources(memory: LinuxMemory(limit: 100, swap: 200)), host: host)
        }
        // Unlimited memory with no swap accounting simply leaves swap alone.
        #expect((try? CgroupConversion.v2(LinuxResources(memory: LinuxMemory(limit: -1)), host: host))?.writes.count == 1)
    }

    @Test func realtimeIsRefusedOnV2() {
        #expect(throws: CgroupError.self) {
            try CgroupConversion.v2(LinuxResources(cpu: LinuxCPU(realtimeRuntime: 100, realtimePeriod: 1000)), host: Self.host)
        }
    }

    @Test func checkBeforeUpdateRefusesALimitBelowUsage() {
        var host = Self.host
        host.currentMemoryUsage = 10_000
        let lower = LinuxResources(memory: LinuxMemory(limit: 5000, checkBeforeUpdate: true))
        #expect(throws: CgroupError.self) { try CgroupConversion.v2(lower, host: host) }
        #expect(throws: CgroupError.self) { try CgroupConversion.v1(lower, host: host) }
        let unchecked = LinuxResources(memory: LinuxMemory(limit: 5000))
        #expect(throws: Never.self) { try CgroupConversion.v2(unchecked, host: host) }
    }

    @Test func cpusetIsNotCheckedWhenOnlineIsUnknown() throws {
        let plan = try CgroupConversion.v2(LinuxResources(cpu: LinuxCPU(cpus: "0-9999")), host: CgroupHostInfo())
        #expect(Self.rendered(plan) == ["cpuset.cpus=0-9999"])
    }

    // MARK: helpers

    @Test(arguments: [(2 as UInt64, 1 as UInt64), (1024, 39), (262_144, 10000), (512, 20)])
    func sharesToWeight(shares: UInt64, weight: UInt64) {
        #expect(CgroupConversion.weight(fromShares: shares) == weight)
    }

    @Test(arguments: [(10 as UInt16, 1 as UInt64), (1000, 10000), (500, 4950)])
    func blkioWeightToIOWeight(blkio: UInt16, io: UInt64) {
        #expect(CgroupConversion.ioWeight(fromBlkioWeight: blkio) == io)
    }

    @Test func parsesCPULists() {
        #expect(CgroupConversion.parseList("0-3,5\n") == [0, 1, 2, 3, 5])
        #expect(CgroupConversion.parseList("") == [])
        #expect(CgroupConversion.parseList("7") == [7])
        for bad in ["a", "1-", "-1", "1,,2", "3-1", "1 2"] { #expect(CgroupConversion.parseList(bad) == nil, "\(bad)") }
    }

    /// The probe reads a host fact only when the conversion of these resources consults it.
    @Test func hostNeedsFollowTheResources() {
        #expect(CgroupHostNeeds(LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")],
                                               cpu: LinuxCPU(shares: 512, cpus: ""), hugepageLimits: [], unified: [:]))
                == CgroupHostNeeds(LinuxResources()))
        let none = CgroupHostNeeds(LinuxResources())
        #expect(!none.cpus && !none.mems && !none.memory && !none.blockIO && !none.hugepages && !none.unifiedKeys)
        #expect(CgroupHostNeeds(LinuxResources(cpu: LinuxCPU(cpus: "0-1"))).cpus)
        #expect(CgroupHostNeeds(LinuxResources(cpu: LinuxCPU(mems: "0"))).mems)
        #expect(CgroupHostNeeds(LinuxResources(memory: LinuxMemory(limit: 1 << 20))).memory)
        #expect(CgroupHostNeeds(LinuxResources(blockIO: LinuxBlockIO(weight: 500))).blockIO)
        #expect(CgroupHostNeeds(LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 1 << 21)])).hugepages)
        #expect(CgroupHostNeeds(LinuxResources(unified: ["memory.high": "1"])).unifiedKeys)
    }

    @Test(arguments: [("hugepages-2048kB", "2MB"), ("hugepages-1048576kB", "1GB"), ("hugepages-64kB", "64KB")])
    func hugepageDirectoryNames(directory: String, size: String) {
        #expect(CgroupHostProbe.pageSize(fromDirectory: directory) == size)
    }
}
