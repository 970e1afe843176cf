import ArgumentParser
import FoundationEssentials
import OCI
import SwiftletCore

/// `update`: runc's flags, or `-r FILE|-` with a runtime-spec LinuxResources JSON object (the
/// flags given with it override its fields). What is not given keeps its value.
struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change the resource limits of a running container.",
        discussion: "Memory values take units (64m, 1g) or -1 for unlimited.")
    @ParentCommand var top: Swiftlet

    @Option(name: [.short, .long], help: "Path to a LinuxResources JSON file, - for stdin.") var resources: String?
    @Option(name: .customLong("blkio-weight"), parsing: .unconditional, help: "Block IO weight (10-1000).") var blkioWeight: UInt16?
    @Option(name: .customLong("cpu-period"), parsing: .unconditional, help: "CPU CFS period (microseconds).") var cpuPeriod: UInt64?
    @Option(name: .customLong("cpu-quota"), parsing: .unconditional, help: "CPU CFS quota (microseconds, -1 unlimited).") var cpuQuota: Int64?
    @Option(name: [.customLong("cpu-share"), .customLong("cpu-shares")], parsing: .unconditional, help: "CPU shares (relative weight).") var cpuShares: UInt64?
    @Option(name: .customLong("cpu-rt-period"), parsing: .unconditional, help: "CPU realtime period (microseconds).") var cpuRtPeriod: UInt64?
    @Option(name: .customLong("cpu-rt-runtime"), parsing: .unconditional, help: "CPU realtime runtime (microseconds).") var cpuRtRuntime: Int64?
    @Option(name: .customLong("cpuset-cpus"), parsing: .unconditional, help: "CPUs to use (0-3,7).") var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems"), parsing: .unconditional, help: "Memory nodes to use (0-1).") var cpusetMems: String?
    @Option(name: .customLong("memory"), parsing: .unconditional, help: "Memory limit.") var memory: String?
    @Option(name: .customLong("memory-reservation"), parsing: .unconditional, help: "Memory soft limit.") var memoryReservation: String?
    @Option(name: .customLong("memory-swap"), parsing: .unconditional, help: "Memory plus swap limit.") var memorySwap: String?
    @Option(name: .customLong("kernel-memory"), parsing: .unconditional, help: "Kernel memory limit (ignored, deprecated).") var kernelMemory: String?
    @Option(name: .customLong("kernel-memory-tcp"), parsing: .unconditional, help: "Kernel TCP memory limit (ignored, deprecated).") var kernelMemoryTCP: String?
    @Option(name: .customLong("pids-limit"), parsing: .unconditional, help: "Maximum number of processes (-1 unlimited).") var pidsLimit: Int64?
    @Option(name: .customLong("l3-cache-schema"), parsing: .unconditional, help: "Intel RDT L3 cache schema (not supported).") var l3CacheSchema: String?
    @Option(name: .customLong("mem-bw-schema"), parsing: .unconditional, help: "Intel RDT memory bandwidth schema (not supported).") var memBwSchema: String?
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws {
        if l3CacheSchema != nil || memBwSchema != nil {
            throw RuntimeError("--l3-cache-schema, --mem-bw-schema: Intel RDT is not supported")
        }
        var r = try resourcesFile() ?? LinuxResources()
        var mem = r.memory ?? LinuxMemory()
        var memoryChanged = r.memory != nil
        for (flag, value, target) in [("memory", memory, \LinuxMemory.limit), ("memory-reservation", memoryReservation, \.reservation),
                                      ("memory-swap", memorySwap, \.swap), ("kernel-memory", kernelMemory, \.kernel),
                                      ("kernel-memory-tcp", kernelMemoryTCP, \.kernelTCP)] {
            guard let value else { continue }
            guard let bytes = ByteSize.parse(value), bytes >= -1 else {
                throw RuntimeError("--\(flag): invalid size \"\(value)\" (expected bytes, e.g. 67108864, 64m, 1g, or -1)")
            }
            mem[keyPath: target] = bytes
            memoryChanged = true
        }
        if memoryChanged { r.memory = mem }
        var cpu = r.cpu ?? LinuxCPU()
        let cpuChanged = r.cpu != nil || cpuPeriod != nil || cpuQuota != nil || cpuShares != nil || cpuRtPeriod != nil
            || cpuRtRuntime != nil || cpusetCpus != nil || cpusetMems != nil
        if let cpuPeriod { cpu.period = cpuPeriod }
        if let cpuQuota { cpu.quota = cpuQuota }
        if let cpuShares { cpu.shares = cpuShares }
        if let cpuRtPeriod { cpu.realtimePeriod = cpuRtPeriod }
        if let cpuRtRuntime { cpu.realtimeRuntime = cpuRtRuntime }
        if let cpusetCpus { cpu.cpus = cpusetCpus }
        if let cpusetMems { cpu.mems = cpusetMems }
        if cpuChanged { r.cpu = cpu }
        if let pidsLimit { r.pids = LinuxPids(limit: pidsLimit) }
        if let blkioWeight {
            var b = r.blockIO ?? LinuxBlockIO()
            b.weight = blkioWeight
            r.blockIO = b
        }
        let runtime = try top.globals.runtime()
        if r.devices != nil {
            // As runc's update: the device rules stay as create set them. Engines send their
            // whole resources object, devices included, so this is no warning.
            runtime.debug("update: linux.resources.devices cannot be changed by update; ignored")
            r.devices = nil
        }
        try runtime.update(id: id, resources: r)
    }

    /// `-r FILE` or `-r -` (stdin), decoded as a runtime-spec LinuxResources object.
    func resourcesFile() throws -> LinuxResources? {
        guard let resources else { return nil }
        let path = resources == "-" ? "/dev/stdin" : resources
        let bytes: [UInt8]
        do { bytes = try Sys.readFile(path) } catch { throw RuntimeError("--resources", error) }
        do {
            return try OCIJSON.decode(LinuxResources.self, from: Data(bytes), document: "--resources \(resources)")
        } catch {
            throw RuntimeError(error)
        }
    }
}
