import OCI
import Testing
@testable import SwiftletCore

/// What `events`, `state` and `list` print, in runc 1.1's shape (types/events.go, its
/// containerState): member order, what is left out when zero, what runc has that swiftlet does
/// not read (intel_rdt, network_interfaces).
@Suite struct OutputFormatTests {
    static func keys(_ value: JSONValue?) -> [String] { value?.objectValue?.keys ?? [] }

    @Test func statsMembersInRuncsOrder() {
        var stats = CgroupStats()
        stats.memory.raw = ["b": 2, "a": 1]
        stats.memory.eventCount.oomKill = 3
        stats.hugetlb = ["2MB": CgroupStats.Hugetlb(), "1GB": CgroupStats.Hugetlb()]
        let data = stats.jsonValue()
        #expect(Self.keys(data) == ["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"])
        #expect(Self.keys(data["cpu"]) == ["usage", "throttling"])
        #expect(Self.keys(data["cpu"]?["usage"]) == ["kernel", "user"])
        #expect(Self.keys(data["memory"]) == ["usage", "swap", "kernel", "kernelTCP", "raw"])
        #expect(Self.keys(data["memory"]?["raw"]) == ["a", "b"])
        #expect(Self.keys(data["memory"]?["usage"]) == ["limit", "failcnt"])
        #expect(Self.keys(data["hugetlb"]) == ["1GB", "2MB"])
        #expect(Self.keys(data["cpuset"]).first == "cpu_exclusive")
        #expect(data["network_interfaces"] == .null)
        #expect(Self.keys(data["intel_rdt"]).isEmpty)
    }

    @Test func eventLines() {
        #expect(Runtime.Event(type: "oom", id: "c1").json() == #"{"type":"oom","id":"c1"}"#)
        let stats = Runtime.Event(type: "stats", id: "c1", data: CgroupStats()).json()
        #expect(stats.hasPrefix(#"{"type":"stats","id":"c1","data":{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},"#))
    }

    @Test(arguments: [(0 as UInt32, "root"), (1000, "user"), (4242, "#4242")])
    func ownerNames(uid: UInt32, name: String) {
        let passwd = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
        #expect(UserNames.name(of: uid, passwd: passwd) == name)
    }
}
