import OCI

/// pids, block I/O, huge pages, RDMA, network, devices and `unified`: runtime-spec
/// config-linux.md sections of the same names.
extension CgroupConversion {
    // MARK: pids

    /// pids.max: a positive limit, or "max" for 0 or less (config-linux.md "PIDs": 0 or less
    /// means no limit); an absent limit leaves pids.max alone.
    static func pids(_ pids: LinuxPids?, unified: Bool) throws(CgroupError) -> CgroupPlan {
        guard let limit = pids?.limit else { return CgroupPlan() }
        let f = "\(prefix).pids.limit"
        return CgroupPlan(writes: [CgroupWrite("pids", unified: unified, "pids.max", limit <= 0 ? "max" : String(limit), field: f)])
    }

    // MARK: block I/O

    static func checkWeight(_ weight: UInt16, field: String) throws(CgroupError) {
        guard (10...1000).contains(weight) else {
            throw CgroupError.invalid(field, "must be between 10 and 1000, got \(weight)")
        }
    }

    /// runc's conversion of a blkio weight (10..1000) to io.weight (1..10000).
    public static func ioWeight(fromBlkioWeight weight: UInt16) -> UInt64 {
        1 + (UInt64(weight) - 10) * 9999 / 990
    }

    /// The throttle lists in order: (spec field, v1 file, io.max key).
    static func throttles(_ b: LinuxBlockIO) -> [(field: String, v1File: String, key: String, devices: [LinuxThrottleDevice])] {
        [("throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps", b.throttleReadBpsDevice ?? []),
         ("throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps", b.throttleWriteBpsDevice ?? []),
         ("throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops", b.throttleReadIOPSDevice ?? []),
         ("throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops", b.throttleWriteIOPSDevice ?? [])]
    }

    /// v2: io.bfq.weight (BFQ) or io.weight, per-device weights, and one io.max line per device
    /// with every throttle of that device (`8:0 rbps=1048576 wiops=100`; 0 means "max").
    static func ioV2(_ blockIO: LinuxBlockIO?, host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
        guard let b = blockIO else { return CgroupPlan() }
        let f = "\(prefix).blockIO"
        var plan = CgroupPlan()
        let bfq = host.bfq ?? false
        if let weight = b.weight, weight != 0 {
            try checkWeight(weight, field: "\(f).weight")
            plan.writes.append(bfq
                ? CgroupWrite("io", unified: true, "io.bfq.weight", String(weight), field: "\(f).weight")
                : CgroupWrite("io", unified: true, "io.weight", String(ioWeight(fromBlkioWeight: weight)), field: "\(f).weight"))
        }
        if b.leafWeight != nil {
            plan.warnings.append("\(f).leafWeight: cgroup v2 has no leaf weights; ignored")
        }
        for (i, d) in (b.weightDevice ?? []).enumerated() {
            let df = "\(f).weightDevice[\(i)]"
            try checkDevice(d.major, d.minor, field: df)
            if d.leafWeight != nil { plan.warnings.append("\(df).leafWeight: cgroup v2 has no leaf weights; ignored") }
            guard let weight = d.weight else { continue }
            try checkWeight(weight, field: "\(df).weight")
            plan.writes.append(bfq
                ? CgroupWrite("io", unified: true, "io.bfq.weight", "\(d.major):\(d.minor) \(weight)", field: "\(df).weight")
                : CgroupWrite("io", unified: true, "io.weight", "\(d.major):\(d.minor) \(ioWeight(fromBlkioWeight: weight))",
                              field: "\(df).weight"))
        }
        var lines: [(device: String, field: String, settings: [String])] = []
        for throttle in throttles(b) {
            for (i, d) in throttle.devices.enumerated() {
                let df = "\(f).\(throttle.field)[\(i)]"
                try checkDevice(d.major, d.minor, field: df)
                let device = "\(d.major):\(d.minor)"
                let setting = "\(throttle.key)=\(d.rate == 0 ? "max" : String(d.rate))"
                if let index = lines.firstIndex(where: { $0.device == device }) {
                    lines[index].settings.append(setting)
                } else {
                    lines.append((device, df, [setting]))
                }
            }
        }
        for line in lines {
            plan.writes.append(CgroupWrite("io", unified: true, "io.max", ([line.device] + line.settings).joined(separator: " "),
                                           field: line.field))
        }
        return plan
    }

    /// v1: blkio.weight (or blkio.bfq.weight), blkio.weight_device, blkio.throttle.*.
    static func blkioV1(_ blockIO: LinuxBlockIO?, host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
        guard let b = blockIO else { return CgroupPlan() }
        let f = "\(prefix).blockIO"
        var plan = CgroupPlan()
        let bfq = host.bfq ?? false
        if let weight = b.weight, weight != 0 {
            try checkWeight(weight, field: "\(f).weight")
            plan.writes.append(CgroupWrite("blkio", unified: false, bfq ? "blkio.bfq.weight" : "blkio.weight", String(weight),
                                           field: "\(f).weight"))
        }
        if b.leafWeight != nil {
            plan.warnings.append("\(f).leafWeight: leaf weights went with the CFQ scheduler (Linux 5.0); ignored")
        }
        for (i, d) in (b.weightDevice ?? []).enumerated() {
            let df = "\(f).weightDevice[\(i)]"
            try checkDevice(d.major, d.minor, field: df)
            if d.leafWeight != nil {
                plan.warnings.append("\(df).leafWeight: leaf weights went with the CFQ scheduler (Linux 5.0); ignored")
            }
            guard let weight = d.weight else { continue }
            try checkWeight(weight, field: "\(df).weight")
            plan.writes.append(CgroupWrite("blkio", unified: false, bfq ? "blkio.bfq.weight_device" : "blkio.weight_device",
                                           "\(d.major):\(d.minor) \(weight)", field: "\(df).weight"))
        }
        for throttle in throttles(b) {
            for (i, d) in throttle.devices.enumerated() {
                let df = "\(f).\(throttle.field)[\(i)]"
                try checkDevice(d.major, d.minor, field: df)
                plan.writes.append(CgroupWrite("blkio", unified: false, throttle.v1File, "\(d.major):\(d.minor) \(d.rate)", field: df))
            }
        }
        return plan
    }

    // MARK: hugetlb

    /// A page size as the spec spells it (`64KB`, `2MB`, `1GB`).
    static func isPageSize(_ size: String) -> Bool {
        for unit in ["KB", "MB", "GB", "TB", "PB"] where size.hasSuffix(unit) {
            let digits = size.dropLast(2)
            return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber } && digits.first != "0"
        }
        return false
    }

    /// hugetlb.<size>.max (v2) / hugetlb.<size>.limit_in_bytes (v1), and the reservation
    /// limit too when the kernel has it (runc does the same), so that reserved-but-unfaulted
    /// pages are limited as well.
    static func hugetlb(_ limits: [LinuxHugepageLimit]?, host: CgroupHostInfo, unified: Bool) throws(CgroupError) -> CgroupPlan {
        var plan = CgroupPlan()
        for (i, l) in (limits ?? []).enumerated() {
            let f = "\(prefix).hugepageLimits[\(i)].pageSize"
            guard isPageSize(l.pageSize) else {
                throw CgroupError.invalid(f, "invalid huge page size \"\(l.pageSize)\" (expected e.g. \"2MB\")")
            }
            if let sizes = host.hugepageSizes, !sizes.contains(l.pageSize) {
                throw CgroupError.invalid(f, "huge page size \(l.pageSize) is not supported here (supported: \(sizes.joined(separator: ", ")))")
            }
            let lf = "\(prefix).hugepageLimits[\(i)].limit"
            let limit = String(l.limit)
            let base = "hugetlb.\(l.pageSize)"
            plan.writes.append(CgroupWrite("hugetlb", unified: unified, unified ? "\(base).max" : "\(base).limit_in_bytes", limit, field: lf))
            if host.hugetlbReservations == true {
                plan.writes.append(CgroupWrite("hugetlb", unified: unified, unified ? "\(base).rsvd.max" : "\(base).rsvd.limit_in_bytes",
                                               limit, field: lf))
            }
        }
        return plan
    }

    // MARK: rdma

    /// rdma.max: `<device> hca_handle=<n> hca_object=<n>` per device (same on v1 and v2).
    static func rdma(_ rdma: [String: LinuxRdma]?, unified: Bool) throws(CgroupError) -> CgroupPlan {
        var plan = CgroupPlan()
        for (device, limits) in (rdma ?? [:]).sorted(by: { $0.key < $1.key }) {
            let f = "\(prefix).rdma[\"\(device)\"]"
            guard !device.isEmpty, !device.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "/") }) else {
                throw CgroupError.invalid(f, "invalid RDMA device name \"\(device)\"")
            }
            var settings: [String] = []
            if let handles = limits.hcaHandles { settings.append("hca_handle=\(handles)") }
            if let objects = limits.hcaObjects { settings.append("hca_object=\(objects)") }
            guard !settings.isEmpty else { continue }
            plan.writes.append(CgroupWrite("rdma", unified: unified, "rdma.max", ([device] + settings).joined(separator: " "), field: f))
        }
        return plan
    }

    // MARK: network

    /// v1 only: net_cls.classid and net_prio.ifpriomap (`<interface> <priority>` per write).
    static func networkV1(_ network: LinuxNetwork?) -> CgroupPlan {
        guard let n = network else { return CgroupPlan() }
        let f = "\(prefix).network"
        var plan = CgroupPlan()
        if let classID = n.classID {
            plan.writes.append(CgroupWrite("net_cls", unified: false, "net_cls.classid", String(classID), field: "\(f).classID"))
        }
        for (i, p) in (n.priorities ?? []).enumerated() {
            plan.writes.append(CgroupWrite("net_prio", unified: false, "net_prio.ifpriomap", "\(p.name) \(p.priority)",
                                           field: "\(f).priorities[\(i)]"))
        }
        return plan
    }

    static func networkV2(_ network: LinuxNetwork?) -> CgroupPlan {
        guard let n = network, n.classID != nil || !(n.priorities ?? []).isEmpty else { return CgroupPlan() }
        return CgroupPlan(warnings: ["\(prefix).network: cgroup v2 has no net_cls/net_prio controllers; ignored"])
    }

    // MARK: devices

    /// One rule as the v1 devices controller and the eBPF program read it: type (a, b, c),
    /// major and minor (nil = any), access (subset of "rwm").
    public struct DeviceRule: Equatable, Sendable {
        public var allow: Bool
        public var type: Character
        public var major: Int64?
        public var minor: Int64?
        public var access: String

        /// `c 1:3 rwm`, `a *:* rwm`.
        public var v1Line: String {
            var line = String(type)
            line.reserveCapacity(24)
            line += " "
            line += major.map { String($0) } ?? "*"
            line += ":"
            line += minor.map { String($0) } ?? "*"
            line += " "
            line += access
            return line
        }
    }

    /// Validates `linux.resources.devices` into rules (type defaults to "a", access to "rwm").
    public static func deviceRules(_ devices: [LinuxDeviceCgroup]?) throws(CgroupError) -> [DeviceRule] {
        var rules: [DeviceRule] = []
        rules.reserveCapacity(devices?.count ?? 0)
        for (i, d) in (devices ?? []).enumerated() {
            // The field is named only in errors (formatting it for every rule was most of the cost).
            func f() -> String { "\(prefix).devices[\(i)]" }
            let type = d.type ?? "a"
            guard type == "a" || type == "b" || type == "c" else {
                throw CgroupError.invalid("\(f()).type", "must be \"a\", \"b\" or \"c\", got \"\(type)\"")
            }
            let access = LinuxDeviceCgroup.accessLetters(d.access ?? "rwm").letters
            guard !access.isEmpty else {
                throw CgroupError.invalid("\(f()).access", "must name at least one of \"r\", \"w\" and \"m\", got \"\(d.access ?? "")\"")
            }
            // A negative major/minor means "any" in some generators (-1); anything else is invalid.
            if let value = d.major, value < -1 || value > Int64(UInt32.max) {
                throw CgroupError.invalid("\(f()).major", "invalid device number \(value)")
            }
            if let value = d.minor, value < -1 || value > Int64(UInt32.max) {
                throw CgroupError.invalid("\(f()).minor", "invalid device number \(value)")
            }
            rules.append(DeviceRule(allow: d.allow, type: Character(type), major: d.major == -1 ? nil : d.major,
                                    minor: d.minor == -1 ? nil : d.minor, access: access))
        }
        return rules
    }

    /// The device rules a runtime adds after the config's own (runc's AllowedDevices, without
    /// /dev/net/tun): mknod of any device, and the devices config-linux.md "Default Devices"
    /// requires plus the pty ones. The container's rules usually start with deny-all. What
    /// create applies: `DeviceCreator.cgroupRules`.
    public static let defaultAllowedDevices: [LinuxDeviceCgroup] = [
        LinuxDeviceCgroup(allow: true, type: "c", access: "m"),
        LinuxDeviceCgroup(allow: true, type: "b", access: "m"),
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),  // null
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),  // random
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),  // full
        LinuxDeviceCgroup(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),  // tty
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),  // zero
        LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),  // urandom
        LinuxDeviceCgroup(allow: true, type: "c", major: 136, access: "rwm"),          // pts/*
        LinuxDeviceCgroup(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),  // ptmx
    ]

    /// Warnings for access letters other than r, w and m, which runc ignores and so do we.
    static func deviceAccessWarnings(_ devices: [LinuxDeviceCgroup]?) -> [String] {
        (devices ?? []).enumerated().compactMap { i, d in
            guard let access = d.access else { return nil }
            let ignored = LinuxDeviceCgroup.accessLetters(access).ignored
            return ignored.isEmpty ? nil
                : "\(prefix).devices[\(i)].access: \"\(ignored)\" in \"\(access)\" ignored (only r, w and m mean anything, as in runc)"
        }
    }

    static let devicesField = prefix + ".devices"

    /// v1: each rule in order to devices.allow or devices.deny.
    static func devicesV1(_ devices: [LinuxDeviceCgroup]?) throws(CgroupError) -> CgroupPlan {
        var plan = CgroupPlan(warnings: deviceAccessWarnings(devices))
        let rules = try deviceRules(devices)
        plan.writes.reserveCapacity(rules.count)
        for (i, rule) in rules.enumerated() {
            plan.writes.append(CgroupWrite("devices", unified: false, rule.allow ? "devices.allow" : "devices.deny", rule.v1Line,
                                           field: JSONPath.index(devicesField, i)))
        }
        return plan
    }

    /// v2: rules are validated here; there is no file to write: the managers attach a
    /// BPF_PROG_TYPE_CGROUP_DEVICE program built from them (`DeviceBPF`, `DeviceBPFLoader`).
    static func devicesV2(_ devices: [LinuxDeviceCgroup]?) throws(CgroupError) -> CgroupPlan {
        _ = try deviceRules(devices)
        return CgroupPlan(warnings: deviceAccessWarnings(devices))
    }

    // MARK: unified

    /// Files a `unified` key may not name: they change membership or the tree's structure, not
    /// a resource (moving host processes in, killing, enabling controllers that would forbid the
    /// container's own processes, switching to threaded mode).
    public static let refusedUnifiedKeys: Set<String> = [
        "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.kill", "cgroup.type", "cgroup.freeze",
    ]

    /// `unified` keys, written last so they can refine anything above (runc's order). A key is
    /// a file name `<controller>.<name>`: no `/`, no `..`, not one of `refusedUnifiedKeys`, and,
    /// when the cgroup's files are known, an existing file.
    static func unifiedKeys(_ keys: [String: String]?, host: CgroupHostInfo) throws(CgroupError) -> CgroupPlan {
        var plan = CgroupPlan()
        for (key, value) in (keys ?? [:]).sorted(by: { $0.key < $1.key }) {
            let f = "\(prefix).unified[\"\(key)\"]"
            let parts = key.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !key.contains("/"), !key.contains(".."),
                  key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                throw CgroupError.invalid(f, "not a cgroup file name (expected <controller>.<file>)")
            }
            if refusedUnifiedKeys.contains(key) {
                throw CgroupError.invalid(f, "\(key) changes cgroup membership or structure and cannot be set as a resource")
            }
            if let files = host.unifiedFiles, !files.contains(key) {
                throw CgroupError.invalid(f, "unknown cgroup file \(key) (is its controller enabled?)")
            }
            if value.contains("\n") {
                throw CgroupError.invalid(f, "a value must be a single line")
            }
            plan.writes.append(CgroupWrite(String(parts[0]), unified: true, key, value, field: f))
        }
        return plan
    }
}
