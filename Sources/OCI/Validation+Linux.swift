import FoundationEssentials

extension Spec {
    /// The values of config-linux.md "Rootfs Mount Propagation" (and the recursive forms runc
    /// also accepts).
    public static let rootfsPropagationModes: Set<String> = [
        "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable",
    ]

    /// config-linux.md, field by field.
    func validateLinux(_ problems: inout Problems) {
        let linux = linux ?? Linux()
        validateNamespaces(linux, &problems)
        validateDevices(linux.devices ?? [], &problems)
        for name in (linux.sysctl ?? [:]).keys.sorted() {
            if let message = Sysctl.problem(with: name, namespaces: linux.namespaces ?? []) {
                problems.add(JSONPath.member("linux.sysctl", name), message)
            }
        }
        if let resources = linux.resources {
            validateResources(resources, &problems)
        }
        if let cgroupsPath = linux.cgroupsPath, Check.hasDotDot(cgroupsPath) {
            problems.add("linux.cgroupsPath", "must not contain \"..\" components, got \(Check.quote(cgroupsPath))")
        }
        validateNetDevices(linux, &problems)
        if let seccomp = linux.seccomp {
            validateSeccomp(seccomp, &problems)
        }
        if let propagation = linux.rootfsPropagation, !Spec.rootfsPropagationModes.contains(propagation) {
            problems.add("linux.rootfsPropagation",
                         "unknown propagation \(Check.quote(propagation)) (expected one of shared, slave, private, unbindable, rshared, rslave, rprivate, runbindable)")
        }
        for (field, paths) in [("maskedPaths", linux.maskedPaths), ("readonlyPaths", linux.readonlyPaths)] {
            for (index, path) in (paths ?? []).enumerated() {
                Check.absolute(path, at: JSONPath.index("linux.\(field)", index), &problems)
            }
        }
        if let intelRdt = linux.intelRdt {
            validateIntelRdt(intelRdt, &problems)
        }
        if let memoryPolicy = linux.memoryPolicy {
            validateMemoryPolicy(memoryPolicy, &problems)
        }
    }

    /// config-linux.md "Devices": absolute path, type c/b/u/p, numbers unless a FIFO.
    private func validateDevices(_ devices: [LinuxDevice], _ problems: inout Problems) {
        for (index, device) in devices.enumerated() {
            let base = JSONPath.index("linux.devices", index)
            Check.absolute(device.path, at: "\(base).path", &problems)
            switch device.type {
            case "c", "b", "u":
                if device.major == nil {
                    problems.add("\(base).major", "required for device type \(Check.quote(device.type))")
                }
                if device.minor == nil {
                    problems.add("\(base).minor", "required for device type \(Check.quote(device.type))")
                }
                // makedev(3) takes 32-bit halves; anything else would wrap silently.
                for (name, value) in [("major", device.major), ("minor", device.minor)] {
                    if let value, value < 0 || value > Int64(UInt32.max) {
                        problems.add("\(base).\(name)", "must be between 0 and 4294967295, got \(value)")
                    }
                }
            case "p":
                break
            default:
                problems.add("\(base).type", "unknown device type \(Check.quote(device.type)) (expected c, b, u or p)")
            }
        }
    }

    /// config-linux.md "Network Devices": interface names the kernel accepts, moved into a
    /// network namespace of the container.
    private func validateNetDevices(_ linux: Linux, _ problems: inout Problems) {
        guard let netDevices = linux.netDevices, !netDevices.isEmpty else { return }
        if linux.namespace(.network) == nil {
            problems.add("linux.netDevices", "requires a network namespace")
        }
        for hostName in netDevices.keys.sorted() {
            let base = JSONPath.member("linux.netDevices", hostName)
            if !Spec.isInterfaceName(hostName) {
                problems.add(base, "invalid network interface name \(Check.quote(hostName))")
            }
            if let name = netDevices[hostName]?.name, !Spec.isInterfaceName(name) {
                problems.add("\(base).name", "invalid network interface name \(Check.quote(name))")
            }
        }
    }

    /// dev_valid_name(): 1...15 bytes (IFNAMSIZ - 1), not `.` or `..`, no `/`, `:` or whitespace.
    static func isInterfaceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count < 16 && name != "." && name != ".."
            && !name.utf8.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7F }
    }

    /// config-linux.md "IntelRdt": the class of service names a resctrl directory; schemata
    /// are written line by line.
    private func validateIntelRdt(_ rdt: LinuxIntelRdt, _ problems: inout Problems) {
        let base = "linux.intelRdt"
        if let closID = rdt.closID, closID != "/", !Check.isFileName(closID) {
            problems.add("\(base).closID", "must be \"/\" or a single directory name, got \(Check.quote(closID))")
        }
        if let schema = rdt.l3CacheSchema, schema.contains("\n") {
            problems.add("\(base).l3CacheSchema", "must not contain newlines")
        }
        if let schema = rdt.memBwSchema {
            if !schema.hasPrefix("MB:") {
                problems.add("\(base).memBwSchema", "must start with \"MB:\", got \(Check.quote(schema))")
            } else if schema.contains("\n") {
                problems.add("\(base).memBwSchema", "must not contain newlines")
            }
        }
        for (index, line) in (rdt.schemata ?? []).enumerated() where line.contains("\n") {
            problems.add(JSONPath.index("\(base).schemata", index), "must not contain newlines")
        }
    }

    /// config-linux.md "Memory policy": node list syntax; MPOL_DEFAULT and MPOL_LOCAL take no
    /// nodes, the binding modes need some (set_mempolicy(2)).
    private func validateMemoryPolicy(_ policy: LinuxMemoryPolicy, _ problems: inout Problems) {
        let base = "linux.memoryPolicy"
        let nodes = policy.nodes ?? ""
        if !nodes.isEmpty {
            guard let ranges = CPUList.parse(nodes) else {
                problems.add("\(base).nodes", "invalid node list \(Check.quote(nodes))")
                return
            }
            if let last = ranges.map(\.upperBound).max(), last >= CPUList.maxNodes {
                problems.add("\(base).nodes", "node \(last) is beyond the kernel's limit of \(CPUList.maxNodes) nodes")
            }
        }
        let flags = Set(policy.flags ?? [])
        if flags.contains(.staticNodes) && flags.contains(.relativeNodes) {
            problems.add("\(base).flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other")
        }
        if flags.contains(.numaBalancing) && policy.mode != .bind && policy.mode != .preferredMany {
            problems.add("\(base).flags", "MPOL_F_NUMA_BALANCING needs mode MPOL_BIND or MPOL_PREFERRED_MANY, got \(policy.mode.rawValue)")
        }
        if !flags.isEmpty && (policy.mode == .default || policy.mode == .local) {
            problems.add("\(base).flags", "\(policy.mode.rawValue) takes no flags")
        }
        switch policy.mode {
        case .default, .local:
            if !nodes.isEmpty {
                problems.add("\(base).nodes", "must be empty for \(policy.mode.rawValue)")
            }
        case .bind, .interleave, .weightedInterleave, .preferredMany:
            if nodes.isEmpty {
                problems.add("\(base).nodes", "required for \(policy.mode.rawValue)")
            }
        case .preferred:
            break
        }
    }
}
