import OCI

/// Applies a `CgroupPlan`: each write goes to the directory `directory(for:)` picks.
enum CgroupWriter {
    /// Consecutive writes to the same file of the same directory go through one descriptor:
    /// a cgroup interface file parses each write(2) on its own (one device rule per write to
    /// devices.allow), so reopening it for each value only repeats the lookup and the open.
    static func execute(_ writes: [CgroupWrite],
                        directory: (CgroupWrite) throws(CgroupError) -> CgroupDirectory) throws(CgroupError) {
        var retries: [CgroupWrite] = []
        var start = 0
        while start < writes.count {
            let dir = try directory(writes[start])
            var end = start + 1
            while end < writes.count, writes[end].file == writes[start].file, try directory(writes[end]) === dir {
                end += 1
            }
            retries += try perform(writes[start..<end], in: dir)
            start = end
        }
        for write in retries {
            _ = try perform([write][...], in: try directory(write), retrying: false)
        }
    }

    /// Writes `run` (writes to one file of `dir`) in order through one descriptor. Returns the
    /// writes that failed with EINVAL and may be retried after the rest of the plan
    /// (`retryAfterRest`); with `retrying` false those fail too.
    private static func perform(_ run: ArraySlice<CgroupWrite>, in dir: CgroupDirectory,
                                retrying: Bool = true) throws(CgroupError) -> [CgroupWrite] {
        guard let first = run.first else { return [] }
        let file: FileDescriptor
        do {
            file = try dir.openForWriting(first.file, field: first.field)
        } catch where error.errno == Errno.ENOENT && error.path == dir.path + "/" + first.file {
            throw CgroupError(errno: error.errno, operation: error.operation, path: error.path, field: first.field,
                              message: "the \(first.controller) controller is not enabled for this cgroup or the kernel lacks this file")
        }
        var retries: [CgroupWrite] = []
        for write in run {
            do {
                try dir.write(write.value, through: file, file: write.file, field: write.field)
            } catch where retrying && write.retryAfterRest && error.errno == Errno.EINVAL {
                retries.append(write)
            }
        }
        return retries
    }
}

/// Which host facts a conversion of some resources consults: `CgroupHostProbe` reads only
/// those. Each fact is a sysfs or cgroupfs lookup, and with many containers starting at once
/// such lookups wait for the kernfs lock that network-namespace and cgroup creation take, so
/// a config without cpuset, memory, blockIO, hugetlb or unified entries reads none.
struct CgroupHostNeeds: Equatable, Sendable {
    var cpus = false
    var mems = false
    var memory = false
    var blockIO = false
    var hugepages = false
    var unifiedKeys = false

    init(_ resources: LinuxResources) {
        cpus = !(resources.cpu?.cpus ?? "").isEmpty
        mems = !(resources.cpu?.mems ?? "").isEmpty
        memory = resources.memory != nil
        blockIO = resources.blockIO != nil
        hugepages = !(resources.hugepageLimits ?? []).isEmpty
        unifiedKeys = !(resources.unified ?? [:]).isEmpty
    }
}

/// Reads what `CgroupConversion` needs to know about the host and the container's cgroup.
enum CgroupHostProbe {
    static func host(unified: CgroupDirectory?, legacy: [CgroupDirectory], for resources: LinuxResources) -> CgroupHostInfo {
        let needs = CgroupHostNeeds(resources)
        var host = CgroupHostInfo()
        if needs.cpus { host.onlineCPUs = try? Sys.readText("/sys/devices/system/cpu/online") }
        if needs.mems { host.onlineMems = try? Sys.readText("/sys/devices/system/node/online") }
        if needs.hugepages, let names = try? Sys.listDirectory("/sys/kernel/mm/hugepages") {
            host.hugepageSizes = names.compactMap(pageSize(fromDirectory:)).sorted()
        }
        let memory = needs.memory ? legacy.first { $0.location.controllers.contains("memory") } : nil
        let blkio = needs.blockIO ? legacy.first { $0.location.controllers.contains("blkio") } : nil
        let hugetlb = needs.hugepages ? legacy.first { $0.location.controllers.contains("hugetlb") } : nil
        let unifiedMemory = needs.memory && memory == nil
        let unifiedIO = needs.blockIO && blkio == nil
        let unifiedHugetlb = needs.hugepages && hugetlb == nil
        if let unified, needs.unifiedKeys || unifiedMemory || unifiedIO || unifiedHugetlb, unified.exists("cgroup.procs") {
            if let files = try? Sys.listDirectory(unified.path) { host.unifiedFiles = Set(files) }
            let files = host.unifiedFiles ?? []
            if unifiedMemory {
                host.swapAccounting = files.contains("memory.max") ? files.contains("memory.swap.max") : nil
                host.currentMemoryUsage = (try? unified.read("memory.current")).flatMap { UInt64($0) }
            }
            if unifiedIO, files.contains("io.weight") || files.contains("io.bfq.weight") {
                host.bfq = files.contains("io.bfq.weight")
            }
            if unifiedHugetlb, files.contains(where: { $0.hasPrefix("hugetlb.") }) {
                host.hugetlbReservations = files.contains { $0.hasPrefix("hugetlb.") && $0.hasSuffix(".rsvd.max") }
            }
        }
        if let memory, memory.exists("cgroup.procs") {
            host.swapAccounting = memory.exists("memory.memsw.limit_in_bytes")
            host.currentMemoryLimit = (try? memory.read("memory.limit_in_bytes")).flatMap { UInt64($0) }
            host.currentMemoryUsage = (try? memory.read("memory.usage_in_bytes")).flatMap { UInt64($0) }
        }
        if let blkio, blkio.exists("cgroup.procs") {
            host.bfq = blkio.exists("blkio.bfq.weight")
        }
        if let hugetlb, hugetlb.exists("cgroup.procs"), let files = try? Sys.listDirectory(hugetlb.path) {
            host.hugetlbReservations = files.contains { $0.hasSuffix(".rsvd.limit_in_bytes") }
        }
        return host
    }

    /// `hugepages-2048kB` → `2MB`, `hugepages-1048576kB` → `1GB` (the spec's spelling).
    static func pageSize(fromDirectory name: String) -> String? {
        guard name.hasPrefix("hugepages-"), name.hasSuffix("kB"),
              let kb = UInt64(name.dropFirst("hugepages-".count).dropLast(2)), kb > 0 else { return nil }
        if kb % (1024 * 1024) == 0 { return "\(kb / (1024 * 1024))GB" }
        if kb % 1024 == 0 { return "\(kb / 1024)MB" }
        return "\(kb)KB"
    }
}
