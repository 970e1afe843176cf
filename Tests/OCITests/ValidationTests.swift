import FoundationEssentials
import Testing
@testable import OCI

/// One broken configuration: `mutate` breaks `Fixtures.minimal()` in one place.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let path: String
    let keyword: String
    let mutate: @Sendable (inout Spec) -> Void

    init(_ name: String, _ path: String, _ keyword: String, _ mutate: @escaping @Sendable (inout Spec) -> Void) {
        self.name = name
        self.path = path
        self.keyword = keyword
        self.mutate = mutate
    }

    var testDescription: String { name }
}

/// Mutations shared by several cases.
private func removeNamespace(_ type: LinuxNamespaceType, from spec: inout Spec) {
    spec.linux?.namespaces?.removeAll { $0.type == type }
}

private func addUserNamespace(to spec: inout Spec) {
    spec.linux?.namespaces?.append(LinuxNamespace(type: .user))
    spec.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
    spec.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]
}

private func seccomp(_ syscall: LinuxSyscall) -> LinuxSeccomp {
    LinuxSeccomp(defaultAction: .errno, syscalls: [syscall])
}

@Suite("Validation")
struct ValidationTests {
    @Test("the minimal fixture is valid")
    func minimalIsValid() throws {
        #expect(Fixtures.minimal().validationErrors() == [])
        try Fixtures.minimal().validate()
    }

    static let versionAndProcess: [ValidationCase] = [
        ValidationCase("ociVersion 2.0.0", "ociVersion", #"unsupported ociVersion "2.0.0" (supported: 1.0.0 to 1.3.x)"#) { $0.ociVersion = "2.0.0" },
        ValidationCase("ociVersion 1.4.0", "ociVersion", "unsupported ociVersion") { $0.ociVersion = "1.4.0" },
        ValidationCase("ociVersion not semver", "ociVersion", "unsupported ociVersion") { $0.ociVersion = "1.0" },
        ValidationCase("ociVersion 0.9.0", "ociVersion", "unsupported ociVersion") { $0.ociVersion = "0.9.0" },
        ValidationCase("no root", "root", "required") { $0.root = nil },
        ValidationCase("empty root path", "root.path", "required") { $0.root?.path = "" },
        ValidationCase("no process", "process", "required") { $0.process = nil },
        ValidationCase("empty args", "process.args", "must not be empty") { $0.process?.args = [] },
        ValidationCase("missing args", "process.args", "must not be empty") { $0.process?.args = nil },
        ValidationCase("NUL in an arg", "process.args[1]", "NUL") { $0.process?.args = ["sh", "a\u{0}b"] },
        ValidationCase("relative cwd", "process.cwd", "absolute") { $0.process?.cwd = "tmp" },
        ValidationCase("env without =", "process.env[1]", "KEY=VALUE") { $0.process?.env = ["A=1", "FOO"] },
        ValidationCase("env with empty name", "process.env[0]", "name must not be empty") { $0.process?.env = ["=x"] },
        ValidationCase("unknown bounding capability", "process.capabilities.bounding[0]", #"unknown capability "CAP_FOO""#) {
            $0.process?.capabilities = LinuxCapabilities(bounding: ["CAP_FOO"])
        },
        ValidationCase("lower-case capability", "process.capabilities.ambient[1]", #"unknown capability "cap_kill""#) {
            $0.process?.capabilities = LinuxCapabilities(ambient: ["CAP_KILL", "cap_kill"])
        },
        ValidationCase("capability above the table", "process.capabilities.effective[0]", "unknown capability") {
            $0.process?.capabilities = LinuxCapabilities(effective: ["CAP_41"])
        },
        ValidationCase("unknown rlimit", "process.rlimits[0].type", #"unknown rlimit "RLIMIT_FOO""#) {
            $0.process?.rlimits = [POSIXRlimit(type: "RLIMIT_FOO", hard: 1, soft: 1)]
        },
        ValidationCase("rlimit soft above hard", "process.rlimits[0].soft", "exceeds hard limit") {
            $0.process?.rlimits = [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 4096)]
        },
        ValidationCase("duplicate rlimit", "process.rlimits[1].type", #"duplicate rlimit "RLIMIT_NOFILE""#) {
            $0.process?.rlimits = [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 8, soft: 8), POSIXRlimit(type: "RLIMIT_NOFILE", hard: 9, soft: 9)]
        },
        ValidationCase("oomScoreAdj above 1000", "process.oomScoreAdj", "between -1000 and 1000") { $0.process?.oomScoreAdj = 1001 },
        ValidationCase("oomScoreAdj below -1000", "process.oomScoreAdj", "between -1000 and 1000") { $0.process?.oomScoreAdj = -1001 },
        ValidationCase("ioPriority level 8", "process.ioPriority.priority", "between 0 and 7") {
            $0.process?.ioPriority = LinuxIOPriority(class: .be, priority: 8)
        },
        ValidationCase("scheduler nice 20", "process.scheduler.nice", "between -20 and 19") {
            $0.process?.scheduler = Scheduler(policy: .other, nice: 20)
        },
        ValidationCase("SCHED_FIFO without priority", "process.scheduler.priority", "between 1 and 99") {
            $0.process?.scheduler = Scheduler(policy: .fifo)
        },
        ValidationCase("priority with SCHED_OTHER", "process.scheduler.priority", "must be 0") {
            $0.process?.scheduler = Scheduler(policy: .other, priority: 5)
        },
        ValidationCase("deadline runtime with SCHED_BATCH", "process.scheduler.runtime", "SCHED_DEADLINE") {
            $0.process?.scheduler = Scheduler(policy: .batch, runtime: 5)
        },
        ValidationCase("deadline runtime above deadline", "process.scheduler.runtime", "must not exceed deadline") {
            $0.process?.scheduler = Scheduler(policy: .deadline, runtime: 50, deadline: 10, period: 100)
        },
        ValidationCase("execCPUAffinity past NR_CPUS", "process.execCPUAffinity.final", "beyond the kernel's limit of 8192 CPUs") {
            $0.process?.execCPUAffinity = CPUAffinity(final: "0-9000")
        },
        ValidationCase("bad execCPUAffinity", "process.execCPUAffinity.initial", "invalid CPU list") {
            $0.process?.execCPUAffinity = CPUAffinity(initial: "a-b")
        },
        ValidationCase("umask above 0777", "process.user.umask", "at most 0777") { $0.process?.user.umask = 0o1000 },
    ]

    static let hostnameMountsHooks: [ValidationCase] = [
        ValidationCase("hostname without uts namespace", "hostname", "requires a new uts namespace") { removeNamespace(.uts, from: &$0) },
        ValidationCase("domainname without uts namespace", "domainname", "uts namespace") {
            $0.hostname = nil
            $0.domainname = "example.com"
            removeNamespace(.uts, from: &$0)
        },
        ValidationCase("hostname too long", "hostname", "at most 64 bytes") { $0.hostname = String(repeating: "h", count: 65) },
        ValidationCase("empty mount destination", "mounts[1].destination", "must not be empty") {
            $0.mounts?.append(Mount(destination: "", type: "tmpfs", source: "tmpfs"))
        },
        ValidationCase("empty mount type", "mounts[1].type", "must not be empty") {
            $0.mounts?.append(Mount(destination: "/tmp", type: "", source: "tmpfs"))
        },
        ValidationCase("bind mount without source", "mounts[1].source", "required for a bind mount") {
            $0.mounts?.append(Mount(destination: "/data", type: "bind", options: ["ro"]))
        },
        ValidationCase("rbind option without source", "mounts[1].source", "bind mount") {
            $0.mounts?.append(Mount(destination: "/data", type: "none", source: "", options: ["rbind"]))
        },
        ValidationCase("mount uidMappings without gidMappings", "mounts[1].uidMappings", "together with gidMappings") {
            $0.mounts?.append(Mount(destination: "/data", type: "none", source: "/srv", options: ["rbind", "idmap"],
                                    uidMappings: [LinuxIDMapping(containerID: 0, hostID: 1, size: 1)]))
        },
        ValidationCase("mount mapping of size 0", "mounts[1].gidMappings[0].size", "greater than 0") {
            $0.mounts?.append(Mount(destination: "/data", type: "none", source: "/srv", options: ["rbind", "idmap"],
                                    uidMappings: [LinuxIDMapping(containerID: 0, hostID: 1, size: 1)],
                                    gidMappings: [LinuxIDMapping(containerID: 0, hostID: 1, size: 0)]))
        },
        ValidationCase("id-mapped tmpfs", "mounts[1].type", "need a bind mount") {
            $0.mounts?.append(Mount(destination: "/data", type: "tmpfs", source: "tmpfs", options: ["ridmap"],
                                    uidMappings: [LinuxIDMapping(containerID: 0, hostID: 1, size: 1)],
                                    gidMappings: [LinuxIDMapping(containerID: 0, hostID: 1, size: 1)]))
        },
        ValidationCase("idmap without mappings or user namespace", "mounts[1].options", #""idmap" needs uidMappings"#) {
            $0.mounts?.append(Mount(destination: "/data", type: "none", source: "/srv", options: ["bind", "idmap"]))
        },
        ValidationCase("relative hook path", "hooks.prestart[0].path", "absolute") {
            $0.hooks = Hooks(prestart: [Hook(path: "fix-mounts")])
        },
        ValidationCase("hook timeout 0", "hooks.poststop[1].timeout", "greater than 0") {
            $0.hooks = Hooks(poststop: [Hook(path: "/a"), Hook(path: "/b", timeout: 0)])
        },
        ValidationCase("negative hook timeout", "hooks.createRuntime[0].timeout", "greater than 0") {
            $0.hooks = Hooks(createRuntime: [Hook(path: "/a", timeout: -1)])
        },
        ValidationCase("relative startContainer hook", "hooks.startContainer[0].path", "absolute") {
            $0.hooks = Hooks(startContainer: [Hook(path: "./hook")])
        },
    ]

    static let namespaces: [ValidationCase] = [
        ValidationCase("duplicate namespace", "linux.namespaces[6].type", #"duplicate namespace type "pid""#) {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .pid, path: "/proc/1/ns/pid"))
        },
        ValidationCase("relative namespace path", "linux.namespaces[1].path", "absolute") {
            $0.linux?.namespaces?[1].path = "proc/1/ns/net"
        },
        ValidationCase("uidMappings without user namespace", "linux.uidMappings", "requires a user namespace") {
            $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
        },
        ValidationCase("gidMappings without user namespace", "linux.gidMappings", "requires a user namespace") {
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
        },
        ValidationCase("new user namespace without mappings", "linux.uidMappings", "user namespace requires uidMappings and gidMappings") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .user))
        },
        ValidationCase("new user namespace without gidMappings", "linux.gidMappings", "user namespace requires uidMappings and gidMappings") {
            addUserNamespace(to: &$0)
            $0.linux?.gidMappings = []
        },
        ValidationCase("user mapping of size 0", "linux.uidMappings[0].size", "greater than 0") {
            addUserNamespace(to: &$0)
            $0.linux?.uidMappings?.append(LinuxIDMapping(containerID: 1, hostID: 1, size: 0))
            $0.linux?.uidMappings?.removeFirst()
        },
        ValidationCase("user mapping past 32 bits", "linux.gidMappings[0].size", "32-bit") {
            addUserNamespace(to: &$0)
            $0.linux?.gidMappings = [LinuxIDMapping(containerID: 0, hostID: UInt32.max, size: 2)]
        },
        ValidationCase("timeOffsets without time namespace", "linux.timeOffsets", "requires a new time namespace") {
            $0.linux?.timeOffsets = ["monotonic": LinuxTimeOffset(secs: 1)]
        },
        ValidationCase("timeOffsets with a joined time namespace", "linux.timeOffsets", "requires a new time namespace") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .time, path: "/proc/1/ns/time"))
            $0.linux?.timeOffsets = ["boottime": LinuxTimeOffset(secs: 1)]
        },
        ValidationCase("unknown clock", "linux.timeOffsets.realtime", #"unknown clock "realtime""#) {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .time))
            $0.linux?.timeOffsets = ["realtime": LinuxTimeOffset(secs: 1)]
        },
        ValidationCase("nanosecs of a second or more", "linux.timeOffsets.monotonic.nanosecs", "less than 1000000000") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .time))
            $0.linux?.timeOffsets = ["monotonic": LinuxTimeOffset(secs: 1, nanosecs: 1_000_000_000)]
        },
    ]

    static let devicesAndSysctls: [ValidationCase] = [
        ValidationCase("relative device path", "linux.devices[0].path", "absolute") {
            $0.linux?.devices = [LinuxDevice(path: "dev/fuse", type: "c", major: 10, minor: 229)]
        },
        ValidationCase("unknown device type", "linux.devices[0].type", #"unknown device type "x""#) {
            $0.linux?.devices = [LinuxDevice(path: "/dev/x", type: "x", major: 1, minor: 1)]
        },
        ValidationCase("char device without major", "linux.devices[0].major", "required") {
            $0.linux?.devices = [LinuxDevice(path: "/dev/x", type: "c", minor: 1)]
        },
        ValidationCase("block device without minor", "linux.devices[1].minor", "required") {
            $0.linux?.devices = [LinuxDevice(path: "/dev/fifo", type: "p"), LinuxDevice(path: "/dev/sda", type: "b", major: 8)]
        },
        ValidationCase("unknown device rule type", "linux.resources.devices[0].type", #"unknown device type "p""#) {
            $0.linux?.resources = LinuxResources(devices: [LinuxDeviceCgroup(allow: true, type: "p", access: "rwm")])
        },
        ValidationCase("device rule access without r, w or m", "linux.resources.devices[1].access", #"invalid access "RWX""#) {
            $0.linux?.resources = LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm"),
                                                           LinuxDeviceCgroup(allow: true, type: "c", access: "RWX")])
        },
        ValidationCase("host sysctl", #"linux.sysctl["vm.overcommit_memory"]"#, "not namespaced, refusing to set it for the host") {
            $0.linux?.sysctl = ["vm.overcommit_memory": "1"]
        },
        ValidationCase("net sysctl without network namespace", #"linux.sysctl["net.ipv4.ip_forward"]"#, "requires a network namespace") {
            $0.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
            removeNamespace(.network, from: &$0)
        },
        ValidationCase("ipc sysctl without ipc namespace", #"linux.sysctl["kernel.shmmax"]"#, "requires an ipc namespace") {
            $0.linux?.sysctl = ["kernel.shmmax": "1"]
            removeNamespace(.ipc, from: &$0)
        },
        ValidationCase("mqueue sysctl without ipc namespace", #"linux.sysctl["fs.mqueue.msg_max"]"#, "ipc namespace") {
            $0.linux?.sysctl = ["fs.mqueue.msg_max": "1"]
            removeNamespace(.ipc, from: &$0)
        },
        ValidationCase("kernel.hostname without uts namespace", #"linux.sysctl["kernel.hostname"]"#, "requires a uts namespace") {
            $0.hostname = nil
            $0.linux?.sysctl = ["kernel.hostname": "x"]
            removeNamespace(.uts, from: &$0)
        },
        ValidationCase("sysctl with slashes", #"linux.sysctl["net/ipv4/ip_forward"]"#, "invalid sysctl name") {
            $0.linux?.sysctl = ["net/ipv4/ip_forward": "1"]
        },
        ValidationCase("sysctl with ..", #"linux.sysctl["net..ipv4"]"#, "invalid sysctl name") {
            $0.linux?.sysctl = ["net..ipv4": "1"]
        },
        ValidationCase("empty sysctl name", #"linux.sysctl[""]"#, "invalid sysctl name") { $0.linux?.sysctl = ["": "1"] },
        ValidationCase("relative masked path", "linux.maskedPaths[1]", "absolute") {
            $0.linux?.maskedPaths = ["/proc/kcore", "proc/keys"]
        },
        ValidationCase("relative readonly path", "linux.readonlyPaths[0]", "absolute") { $0.linux?.readonlyPaths = ["proc/sys"] },
        ValidationCase("cgroupsPath with ..", "linux.cgroupsPath", #"must not contain ".." components"#) {
            $0.linux?.cgroupsPath = "/a/../../b"
        },
        ValidationCase("relative cgroupsPath escaping", "linux.cgroupsPath", "..") { $0.linux?.cgroupsPath = "../x" },
        ValidationCase("unknown rootfsPropagation", "linux.rootfsPropagation", #"unknown propagation "sideways""#) {
            $0.linux?.rootfsPropagation = "sideways"
        },
        ValidationCase("netDevices without network namespace", "linux.netDevices", "requires a network namespace") {
            removeNamespace(.network, from: &$0)
            $0.linux?.netDevices = ["eth1": LinuxNetDevice()]
        },
        ValidationCase("netDevices key with a slash", #"linux.netDevices["a/b"]"#, "invalid network interface name") {
            $0.linux?.netDevices = ["a/b": LinuxNetDevice()]
        },
        ValidationCase("netDevices name too long", "linux.netDevices.eth1.name", "invalid network interface name") {
            $0.linux?.netDevices = ["eth1": LinuxNetDevice(name: "a-very-long-interface")]
        },
        ValidationCase("intelRdt closID escaping", "linux.intelRdt.closID", "single directory name") {
            $0.linux?.intelRdt = LinuxIntelRdt(closID: "../x")
        },
        ValidationCase("memBwSchema without MB:", "linux.intelRdt.memBwSchema", #"must start with "MB:""#) {
            $0.linux?.intelRdt = LinuxIntelRdt(memBwSchema: "L3:0=ff")
        },
        ValidationCase("schemata line with a newline", "linux.intelRdt.schemata[0]", "newlines") {
            $0.linux?.intelRdt = LinuxIntelRdt(schemata: ["L3:0=ff\nMB:0=1"])
        },
        ValidationCase("MPOL_BIND without nodes", "linux.memoryPolicy.nodes", "required for MPOL_BIND") {
            $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .bind)
        },
        ValidationCase("MPOL_DEFAULT with nodes", "linux.memoryPolicy.nodes", "must be empty") {
            $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .default, nodes: "0")
        },
        ValidationCase("bad node list", "linux.memoryPolicy.nodes", "invalid node list") {
            $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .interleave, nodes: "0-")
        },
        ValidationCase("node past MAX_NUMNODES", "linux.memoryPolicy.nodes", "beyond the kernel's limit of 1024 nodes") {
            $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .bind, nodes: "0,4000000000")
        },
        ValidationCase("static and relative nodes", "linux.memoryPolicy.flags", "exclude each other") {
            $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .bind, nodes: "0", flags: [.staticNodes, .relativeNodes])
        },
        ValidationCase("NUMA balancing with interleave", "linux.memoryPolicy.flags", "needs mode MPOL_BIND or MPOL_PREFERRED_MANY") {
            $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .interleave, nodes: "0", flags: [.numaBalancing])
        },
        ValidationCase("flags with MPOL_LOCAL", "linux.memoryPolicy.flags", "MPOL_LOCAL takes no flags") {
            $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .local, flags: [.staticNodes])
        },
    ]

    static let seccompAndResources: [ValidationCase] = [
        ValidationCase("syscall rule without names", "linux.seccomp.syscalls[0].names", "must not be empty") {
            $0.linux?.seccomp = seccomp(LinuxSyscall(names: [], action: .allow))
        },
        ValidationCase("empty syscall name", "linux.seccomp.syscalls[0].names[1]", "must not be empty") {
            $0.linux?.seccomp = seccomp(LinuxSyscall(names: ["read", ""], action: .allow))
        },
        ValidationCase("SCMP_ACT_NOTIFY without listenerPath", "linux.seccomp.listenerPath", "required when SCMP_ACT_NOTIFY") {
            $0.linux?.seccomp = seccomp(LinuxSyscall(names: ["mount"], action: .notify))
        },
        ValidationCase("SCMP_ACT_NOTIFY on write", "linux.seccomp.syscalls[0].names[1]", "cannot be used for write") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .allow, listenerPath: "/run/agent.sock",
                                             syscalls: [LinuxSyscall(names: ["mkdir", "write"], action: .notify)])
        },
        ValidationCase("SCMP_ACT_NOTIFY as default", "linux.seccomp.defaultAction", "cannot be the default action") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .notify, listenerPath: "/run/agent.sock")
        },
        ValidationCase("errnoRet with SCMP_ACT_ALLOW", "linux.seccomp.syscalls[0].errnoRet", "only valid with SCMP_ACT_ERRNO") {
            $0.linux?.seccomp = seccomp(LinuxSyscall(names: ["read"], action: .allow, errnoRet: 1))
        },
        ValidationCase("defaultErrnoRet with SCMP_ACT_KILL", "linux.seccomp.defaultErrnoRet", "only valid with") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .kill, defaultErrnoRet: 1)
        },
        ValidationCase("syscall argument index 6", "linux.seccomp.syscalls[0].args[1].index", "less than 6") {
            $0.linux?.seccomp = seccomp(LinuxSyscall(names: ["ioctl"], action: .allow, args: [
                LinuxSeccompArg(index: 1, value: 2, op: .equalTo), LinuxSeccompArg(index: 6, value: 2, op: .equalTo),
            ]))
        },
        ValidationCase("listenerMetadata without listenerPath", "linux.seccomp.listenerMetadata", "without listenerPath") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .allow, listenerMetadata: "x")
        },
        ValidationCase("memory limit -2", "linux.resources.memory.limit", "must be -1 (unlimited)") {
            $0.linux?.resources = LinuxResources(memory: LinuxMemory(limit: -2))
        },
        ValidationCase("negative reservation", "linux.resources.memory.reservation", "-1 (unlimited)") {
            $0.linux?.resources = LinuxResources(memory: LinuxMemory(reservation: -5))
        },
        ValidationCase("swap below limit", "linux.resources.memory.swap", "must be >= memory.limit") {
            $0.linux?.resources = LinuxResources(memory: LinuxMemory(limit: 2048, swap: 1024))
        },
        ValidationCase("swap 0 below a limit", "linux.resources.memory.swap", "must be >= memory.limit") {
            $0.linux?.resources = LinuxResources(memory: LinuxMemory(limit: 2048, swap: 0))
        },
        ValidationCase("cpu period too small", "linux.resources.cpu.period", "between 1000 and 1000000") {
            $0.linux?.resources = LinuxResources(cpu: LinuxCPU(period: 999))
        },
        ValidationCase("cpu period too large", "linux.resources.cpu.period", "between 1000 and 1000000") {
            $0.linux?.resources = LinuxResources(cpu: LinuxCPU(period: 2_000_000))
        },
        ValidationCase("cpu quota -2", "linux.resources.cpu.quota", "-1 (unlimited)") {
            $0.linux?.resources = LinuxResources(cpu: LinuxCPU(quota: -2))
        },
        ValidationCase("cpu burst above quota", "linux.resources.cpu.burst", "must not exceed quota") {
            $0.linux?.resources = LinuxResources(cpu: LinuxCPU(quota: 1000, burst: 2000, period: 100_000))
        },
        ValidationCase("bad cpus list", "linux.resources.cpu.cpus", "invalid list") {
            $0.linux?.resources = LinuxResources(cpu: LinuxCPU(cpus: "1-"))
        },
        ValidationCase("bad mems list", "linux.resources.cpu.mems", "invalid list") {
            $0.linux?.resources = LinuxResources(cpu: LinuxCPU(mems: "3-1"))
        },
        ValidationCase("weightDevice without weights", "linux.resources.blockIO.weightDevice[0]", "needs weight or leafWeight") {
            $0.linux?.resources = LinuxResources(blockIO: LinuxBlockIO(weightDevice: [LinuxWeightDevice(major: 8, minor: 0)]))
        },
        ValidationCase("hugepage size without B", "linux.resources.hugepageLimits[0].pageSize", "invalid page size") {
            $0.linux?.resources = LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2M", limit: 1)])
        },
        ValidationCase("hugepage size escaping", "linux.resources.hugepageLimits[1].pageSize", "invalid page size") {
            $0.linux?.resources = LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "1GB", limit: 1),
                                                                  LinuxHugepageLimit(pageSize: "../2MB", limit: 1)])
        },
        ValidationCase("net_prio interface with a space", "linux.resources.network.priorities[0].name", "invalid network interface name") {
            $0.linux?.resources = LinuxResources(network: LinuxNetwork(priorities: [LinuxInterfacePriority(name: "eth 0", priority: 1)]))
        },
        ValidationCase("rdma entry without limits", "linux.resources.rdma.mlx5_0", "needs hcaHandles or hcaObjects") {
            $0.linux?.resources = LinuxResources(rdma: ["mlx5_0": LinuxRdma()])
        },
        ValidationCase("unified key escaping the cgroup", #"linux.resources.unified["../cpu.max"]"#, "invalid cgroup file name") {
            $0.linux?.resources = LinuxResources(unified: ["../cpu.max": "max"])
        },
        ValidationCase("unified key without controller", "linux.resources.unified.memory", "<controller>.<file>") {
            $0.linux?.resources = LinuxResources(unified: ["memory": "1"])
        },
    ]

    @Test("each rule reports its JSON path", arguments: versionAndProcess + hostnameMountsHooks + namespaces + devicesAndSysctls + seccompAndResources)
    func rule(_ testCase: ValidationCase) throws {
        var spec = Fixtures.minimal()
        testCase.mutate(&spec)
        let errors = spec.validationErrors()
        #expect(errors.count == 1, "\(errors)")
        let thrown = try #require(Fixtures.specError { try spec.validate() })
        #expect(thrown == errors.first)
        #expect(thrown.path == testCase.path, "\(thrown)")
        #expect(thrown.message.contains(testCase.keyword), "\(thrown)")
    }

    static let accepted: [ValidationCase] = [
        ValidationCase("ociVersion 1.0.0", "", "") { $0.ociVersion = "1.0.0" },
        ValidationCase("ociVersion 1.0.2-dev", "", "") { $0.ociVersion = "1.0.2-dev" },
        ValidationCase("ociVersion 1.1.0-rc.2", "", "") { $0.ociVersion = "1.1.0-rc.2" },
        ValidationCase("ociVersion 1.3.0", "", "") { $0.ociVersion = "1.3.0" },
        ValidationCase("ociVersion 1.3.7+dev", "", "") { $0.ociVersion = "1.3.7+dev" },
        ValidationCase("relative mount destination (config.md v1.2.0)", "", "") {
            $0.mounts?.append(Mount(destination: "tmp", type: "tmpfs", source: "tmpfs"))
        },
        ValidationCase("unlimited memory", "", "") {
            $0.linux?.resources = LinuxResources(memory: LinuxMemory(limit: -1, reservation: -1, swap: -1), pids: LinuxPids(limit: -1))
        },
        ValidationCase("swap -1 with a limit", "", "") {
            $0.linux?.resources = LinuxResources(memory: LinuxMemory(limit: 4096, swap: -1))
        },
        ValidationCase("quota without period", "", "") { $0.linux?.resources = LinuxResources(cpu: LinuxCPU(quota: 50000)) },
        ValidationCase("FIFO device needs no numbers", "", "") { $0.linux?.devices = [LinuxDevice(path: "/dev/fifo", type: "p")] },
        ValidationCase("joined user namespace without mappings", "", "") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .user, path: "/proc/42/ns/user"))
        },
        ValidationCase("user namespace with mappings", "", "") { addUserNamespace(to: &$0) },
        ValidationCase("idmap mount in a user namespace", "", "") {
            addUserNamespace(to: &$0)
            $0.mounts?.append(Mount(destination: "/data", type: "none", source: "/srv", options: ["rbind", "ridmap"]))
        },
        ValidationCase("net sysctl in a joined network namespace", "", "") {
            $0.linux?.namespaces?[1].path = "/var/run/netns/ctr"
            $0.linux?.sysctl = ["net.core.somaxconn": "1024"]
        },
        ValidationCase("ipc sysctls", "", "") {
            $0.linux?.sysctl = ["kernel.sem": "250 32000 100 128", "kernel.msgmax": "8192", "fs.mqueue.queues_max": "256"]
        },
        ValidationCase("time offsets in a new time namespace", "", "") {
            $0.linux?.namespaces?.append(LinuxNamespace(type: .time))
            $0.linux?.timeOffsets = ["monotonic": LinuxTimeOffset(secs: -5), "boottime": LinuxTimeOffset(nanosecs: 999_999_999)]
        },
        ValidationCase("empty namespace path means new", "", "") { $0.linux?.namespaces?[0].path = "" },
        ValidationCase("no hostname and no uts namespace", "", "") {
            $0.hostname = nil
            removeNamespace(.uts, from: &$0)
        },
        ValidationCase("seccomp notify with a listener", "", "") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 38, listenerPath: "/run/agent.sock",
                                             listenerMetadata: "m", syscalls: [LinuxSyscall(names: ["mount"], action: .notify)])
        },
        ValidationCase("SCHED_RR with priority", "", "") { $0.process?.scheduler = Scheduler(policy: .rr, priority: 10) },
        ValidationCase("every capability", "", "") {
            $0.process?.capabilities = LinuxCapabilities(bounding: Capability.allCases.map(\.name))
        },
        ValidationCase("every rlimit once", "", "") {
            $0.process?.rlimits = Rlimit.allCases.map { POSIXRlimit(type: $0.name, hard: 10, soft: 5) }
        },
        ValidationCase("recursive propagation", "", "") { $0.linux?.rootfsPropagation = "rprivate" },
        ValidationCase("default intelRdt class", "", "") { $0.linux?.intelRdt = LinuxIntelRdt(closID: "/") },
        ValidationCase("MPOL_PREFERRED without nodes", "", "") { $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .preferred) },
        ValidationCase("systemd cgroupsPath", "", "") { $0.linux?.cgroupsPath = "system.slice:swiftlet:ctr1" },
        ValidationCase("interface rename template", "", "") { $0.linux?.netDevices = ["eth1": LinuxNetDevice(name: "ctr%d")] },
    ]

    @Test("valid edge cases pass", arguments: accepted)
    func acceptedCase(_ testCase: ValidationCase) {
        var spec = Fixtures.minimal()
        testCase.mutate(&spec)
        #expect(spec.validationErrors() == [])
    }

    @Test("validationErrors returns every problem in document order")
    func allProblems() {
        var spec = Fixtures.minimal()
        spec.ociVersion = "9.0.0"
        spec.process?.cwd = "rel"
        spec.linux?.maskedPaths = ["x"]
        spec.linux?.sysctl = ["vm.swappiness": "1"]
        let errors = spec.validationErrors()
        #expect(errors.map(\.path) == ["ociVersion", "process.cwd", #"linux.sysctl["vm.swappiness"]"#, "linux.maskedPaths[0]"])
        #expect(Fixtures.specError { try spec.validate() } == errors.first)
    }

    @Test("an unknown namespace type in JSON is rejected while decoding, before validation")
    func unknownNamespaceType() throws {
        let error = try #require(Fixtures.specError {
            _ = try Spec.decode(Fixtures.config(linux: #"{"namespaces": [{"type": "pid"}, {"type": "net"}]}"#))
        })
        #expect(error.description == #"linux.namespaces[1].type: unknown namespace type "net""#)
    }
}
