import OCI
import Testing
@testable import SwiftletCore

/// The pure parts of the cgroup commands: how `update` merges resources, its size and
/// duration syntax, the `ps` table filter, the event JSON. No root needed.
@Suite struct CgroupCommandTests {
    static let recorded = LinuxResources(
        devices: [LinuxDeviceCgroup(allow: false, access: "rwm")],
        memory: LinuxMemory(limit: 64 << 20, swap: 128 << 20),
        cpu: LinuxCPU(shares: 512, quota: 50000, period: 100_000),
        pids: LinuxPids(limit: 20),
        hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 4 << 20)],
        unified: ["memory.high": "max"])

    @Test func updateKeepsWhatItDoesNotName() {
        let merged = Self.recorded.merging(LinuxResources(cpu: LinuxCPU(period: 200_000)))
        #expect(merged.cpu == LinuxCPU(shares: 512, quota: 50000, period: 200_000))
        #expect(merged.memory == Self.recorded.memory)
        #expect(merged.pids == Self.recorded.pids)
        #expect(merged.devices == Self.recorded.devices)
    }

    @Test func updateReplacesWhatItNames() {
        let merged = Self.recorded.merging(LinuxResources(memory: LinuxMemory(limit: 128 << 20), pids: LinuxPids(limit: -1)))
        #expect(merged.memory == LinuxMemory(limit: 128 << 20, swap: 128 << 20))
        #expect(merged.pids == LinuxPids(limit: -1))
    }

    @Test func unlimitedMemoryUnlimitsSwap() {
        let merged = Self.recorded.merging(LinuxResources(memory: LinuxMemory(limit: -1)))
        #expect(merged.memory == LinuxMemory(limit: -1, swap: -1))
        let explicit = Self.recorded.merging(LinuxResources(memory: LinuxMemory(limit: -1, swap: 256 << 20)))
        #expect(explicit.memory == LinuxMemory(limit: -1, swap: 256 << 20))
    }

    @Test func keyedListsMergeByKey() {
        let merged = Self.recorded.merging(LinuxResources(
            hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 8 << 20), LinuxHugepageLimit(pageSize: "1GB", limit: 1 << 30)],
            unified: ["pids.max": "5"]))
        #expect(merged.hugepageLimits == [LinuxHugepageLimit(pageSize: "2MB", limit: 8 << 20), LinuxHugepageLimit(pageSize: "1GB", limit: 1 << 30)])
        #expect(merged.unified == ["memory.high": "max", "pids.max": "5"])
    }

    @Test func updateNeverChangesDevices() {
        let merged = Self.recorded.merging(LinuxResources(devices: [LinuxDeviceCgroup(allow: true, access: "rwm")]))
        #expect(merged.devices == Self.recorded.devices)
    }

    /// Only the groups the update names are written, with their merged values.
    @Test func deltaHoldsOnlyTheNamedGroups() {
        let update = LinuxResources(cpu: LinuxCPU(quota: 20000))
        let delta = Self.recorded.merging(update).updateDelta(update)
        #expect(delta == LinuxResources(cpu: LinuxCPU(shares: 512, quota: 20000, period: 100_000)))
    }

    @Test(arguments: [
        ("512", Int64(512)), ("64m", 64 << 20), ("64M", 64 << 20), ("1g", 1 << 30), ("2GiB", 2 << 30), ("1.5k", 1536),
        ("10kb", 10240), ("-1", -1),
    ])
    func byteSizes(_ text: String, _ bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "lots", "-5", "1x", "m", ".5m", "1..2"])
    func badByteSizes(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test(arguments: [("5s", Int64(5000)), ("500ms", 500), ("1m30s", 90_000), ("1.5s", 1500), ("1h", 3_600_000)])
    func durations(_ text: String, _ ms: Int64) {
        #expect(GoDuration.milliseconds(text) == ms)
    }

    @Test(arguments: ["", "5", "s", "-1s", "0s", "100us", "5x"])
    func badDurations(_ text: String) {
        #expect(GoDuration.milliseconds(text) == nil)
    }

    @Test func psTableKeepsHeaderAndContainerLines() throws {
        let output = """
            UID          PID    PPID  C STIME TTY          TIME CMD
            root           1       0  0 10:00 ?        00:00:01 /sbin/init
            root        4242       1  0 10:01 ?        00:00:00 swiftlet-init
            root        4243    4242  0 10:01 ?        00:00:00 sleep 300

            """
        let lines = try PsTable.filter(output, pids: [4242, 4243])
        #expect(lines == [
            "UID          PID    PPID  C STIME TTY          TIME CMD",
            "root        4242       1  0 10:01 ?        00:00:00 swiftlet-init",
            "root        4243    4242  0 10:01 ?        00:00:00 sleep 300",
        ])
    }

    @Test(arguments: [
        (UInt32(0), "root"), (1000, "cloudsdk"), (4, "#4"), (7, "first"), (99, "#99"),
    ])
    func userNamesFromPasswd(uid: UInt32, name: String) {
        let passwd = """
            root:x:0:0:root:/root:/bin/bash
            # not a user line
            :x:4:4::/:/bin/sh
            first:x:7:7::/:/bin/sh
            second:x:7:7::/:/bin/sh
            cloudsdk:x:1000:1000::/home/cloudsdk:/bin/bash
            broken:x:notanumber:0::/:/bin/sh
            short:x
            """
        #expect(UserNames(passwd).name(of: uid) == name)
        #expect(UserNames.name(of: uid, passwd: passwd) == name)
    }

    /// `ps ID` asks ps for the container's pids only, ascending as `-ef` lists them; with none,
    /// for the runtime's own pid, which the filter drops (the header alone).
    @Test func psQuickPidArguments() {
        #expect(PsTable.quickPidArguments([4243, 17, 4242], own: 99) == ["-f", "-q", "17,4242,4243"])
        #expect(PsTable.quickPidArguments([], own: 99) == ["-f", "-q", "99"])
    }

    @Test func psTableNeedsAPIDColumn() {
        #expect(throws: RuntimeError.self) { try PsTable.filter("USER COMMAND\nroot init\n", pids: [1]) }
    }

    /// runc's shape: type, id, then data only when there is some.
    @Test func oomEventHasNoData() {
        #expect(Runtime.Event(type: "oom", id: "c1").json() == #"{"type":"oom","id":"c1"}"#)
    }

    @Test func statsEventCarriesData() {
        var stats = CgroupStats()
        stats.pids.current = 3
        let json = Runtime.Event(type: "stats", id: "c1", data: stats).json()
        #expect(json.hasPrefix(#"{"type":"stats","id":"c1","data":{"cpu":"#))
        #expect(json.contains(#""pids":{"current":3}"#))
        #expect(json.hasSuffix(#""network_interfaces":null}}"#))
    }
}

@Suite struct CgroupBlkioStatsTests {
    @Test func v1LinesPerDeviceWithoutTotal() {
        let entries = CgroupStatsParsing.blkioV1("8:0 Read 4096\n8:0 Write 512\n8:0 Sync 0\nTotal 4608\n")
        #expect(entries == [
            CgroupStats.BlkioEntry(major: 8, minor: 0, op: "Read", value: 4096),
            CgroupStats.BlkioEntry(major: 8, minor: 0, op: "Write", value: 512),
            CgroupStats.BlkioEntry(major: 8, minor: 0, op: "Sync", value: 0),
        ])
    }

    @Test func v2IoStat() {
        let blkio = CgroupStatsParsing.ioStat("259:0 rbytes=1024 wbytes=2048 rios=1 wios=2 dbytes=0 dios=0\n")
        #expect(blkio.ioServiceBytesRecursive == [
            CgroupStats.BlkioEntry(major: 259, minor: 0, op: "Read", value: 1024),
            CgroupStats.BlkioEntry(major: 259, minor: 0, op: "Write", value: 2048),
            CgroupStats.BlkioEntry(major: 259, minor: 0, op: "Discard", value: 0),
        ])
        #expect(blkio.ioServicedRecursive.map(\.value) == [1, 2, 0])
    }
}
