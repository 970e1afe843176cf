import OCI
import Testing
@testable import SwiftletCore

/// Device cgroup rules added after linux.resources.devices (config-linux.md "Default Devices",
/// "Allowed Device list") and the root's propagation (config-linux.md "Mount Propagation").
@Suite struct DeviceRulesTests {
    static func rule(_ type: String, _ major: Int64?, _ minor: Int64?, _ access: String) -> LinuxDeviceCgroup {
        LinuxDeviceCgroup(allow: true, type: type, major: major, minor: minor, access: access)
    }

    /// mknod everywhere, then each default device, /dev/ptmx and every pty (runc's
    /// AllowedDevices without /dev/net/tun; no /dev/console 5:1).
    static let base: [LinuxDeviceCgroup] = [
        rule("c", nil, nil, "m"), rule("b", nil, nil, "m"),
        rule("c", 1, 3, "rwm"), rule("c", 1, 8, "rwm"), rule("c", 1, 7, "rwm"), rule("c", 5, 0, "rwm"),
        rule("c", 1, 5, "rwm"), rule("c", 1, 9, "rwm"),
        rule("c", 136, nil, "rwm"), rule("c", 5, 2, "rwm"),
    ]

    @Test(arguments: [nil, []] as [[LinuxDevice]?])
    func defaultsOnly(devices: [LinuxDevice]?) {
        #expect(DeviceCreator.cgroupRules(for: devices) == Self.base)
    }

    @Test func everyRuleAllows() {
        #expect(DeviceCreator.cgroupRules(for: nil).allSatisfy { $0.allow })
    }

    /// The default device table matches config-linux.md "Default Devices".
    @Test func defaultDeviceTable() {
        let table = DeviceCreator.defaults.map { "\($0.path) \($0.type) \($0.major ?? -1):\($0.minor ?? -1) \(String($0.fileMode ?? 0, radix: 8))" }
        #expect(table == [
            "/dev/null c 1:3 666", "/dev/zero c 1:5 666", "/dev/full c 1:7 666", "/dev/random c 1:8 666",
            "/dev/urandom c 1:9 666", "/dev/tty c 5:0 666",
        ])
        #expect(DeviceCreator.links.map(\.0) == ["/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"])
        #expect(DeviceCreator.links.map(\.1) == ["/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"])
    }

    /// linux.devices entries only make nodes: they add no rule, so the config's rules decide
    /// (a deny-all keeps them closed). FIFOs and `u` devices alike.
    @Test func configuredDevicesAddNoRule() {
        let devices = [
            LinuxDevice(path: "/dev/fuse", type: "c", major: 10, minor: 229),
            LinuxDevice(path: "/dev/sda", type: "b", major: 8, minor: 0),
            LinuxDevice(path: "/dev/fifo", type: "p"),
            LinuxDevice(path: "/dev/ub", type: "u", major: 4, minor: 64),
        ]
        #expect(DeviceCreator.cgroupRules(for: devices) == Self.base)
    }

    /// A linux.devices entry at a default device's path replaces that device, and its
    /// automatic rule goes with it (runc's createDevices).
    @Test(arguments: [("/dev/urandom", 9), ("/dev/zero", 5)] as [(String, Int64)])
    func replacedDefaultLosesItsRule(path: String, minor: Int64) {
        let rules = DeviceCreator.cgroupRules(for: [LinuxDevice(path: path, type: "c", major: 1, minor: minor)])
        #expect(rules == Self.base.filter { $0 != Self.rule("c", 1, minor, "rwm") })
    }

    /// Except the null device's rule: the runtime opens the null device after joining the
    /// container's cgroup (masked files, the stdio move), whatever node the bundle puts there.
    @Test(arguments: [3, 5] as [Int64])
    func replacedNullKeepsItsRule(minor: Int64) {
        #expect(DeviceCreator.cgroupRules(for: [LinuxDevice(path: "/dev/null", type: "c", major: 1, minor: minor)]) == Self.base)
    }
}

@Suite struct RootPropagationTests {
    @Test(arguments: [
        (nil, Linux.MS_SLAVE | Linux.MS_REC), ("", Linux.MS_SLAVE | Linux.MS_REC),
        ("shared", Linux.MS_SHARED), ("rshared", Linux.MS_SHARED | Linux.MS_REC),
        ("slave", Linux.MS_SLAVE), ("rslave", Linux.MS_SLAVE | Linux.MS_REC),
        ("private", Linux.MS_PRIVATE), ("rprivate", Linux.MS_PRIVATE | Linux.MS_REC),
        ("unbindable", Linux.MS_UNBINDABLE), ("runbindable", Linux.MS_UNBINDABLE | Linux.MS_REC),
    ] as [(String?, UInt)])
    func known(value: String?, flags: UInt) throws {
        #expect(try RootPropagation.flags(value) == flags)
    }

    /// Step 1 (the namespace's /) gets the request, except unbindable, which is for the
    /// container's root only; steps 2 and 3 run unless / was made rslave or rprivate.
    @Test(arguments: [
        (nil, Linux.MS_SLAVE | Linux.MS_REC, false, false),
        ("shared", Linux.MS_SHARED, true, true), ("rshared", Linux.MS_SHARED | Linux.MS_REC, true, true),
        ("slave", Linux.MS_SLAVE, true, true), ("rslave", Linux.MS_SLAVE | Linux.MS_REC, false, false),
        ("private", Linux.MS_PRIVATE, true, true), ("rprivate", Linux.MS_PRIVATE | Linux.MS_REC, false, false),
        ("unbindable", Linux.MS_SLAVE | Linux.MS_REC, false, true),
        ("runbindable", Linux.MS_SLAVE | Linux.MS_REC, false, true),
    ] as [(String?, UInt, Bool, Bool)])
    func steps(value: String?, namespace: UInt, privateParent: Bool, rootStep: Bool) throws {
        let requested = try RootPropagation.flags(value)
        #expect(RootPropagation.namespaceFlags(requested) == namespace)
        #expect(RootPropagation.needsPrivateParent(RootPropagation.namespaceFlags(requested)) == privateParent)
        #expect(RootPropagation.needsPrivateParent(requested) == rootStep)
    }

    @Test(arguments: ["bogus", "Shared", "rslave ", "ro"])
    func unknownNamesTheField(value: String) {
        #expect {
            try RootPropagation.flags(value)
        } throws: { error in
            "\(error)" == "linux.rootfsPropagation: unknown propagation \"\(value)\""
        }
    }
}

/// Config mounts inside /proc (Rootfs/ProcDestination.swift): refused, except runc's lxcfs
/// files and binds of procfs; judged on the cleaned destination and on where it resolved.
@Suite struct ProcDestinationTests {
    @Test(arguments: [
        ("/proc/sys", false, false, true), ("/proc/sys/net/ipv4", false, false, true),
        ("/proc/self/attr/apparmor/exec", false, false, true), ("/proc/./sys/../kcore", false, false, true),
        ("/proc", false, true, false), ("/proc/", true, true, false), ("/proc", false, false, true),
        ("/procfoo", false, false, false),
        ("/data", false, false, false), ("/proc/cpuinfo", false, false, false), ("/proc/net/dev", false, false, false),
        ("/proc/sys/kernel/ns_last_pid", false, false, false), ("/proc/../proc/meminfo", false, false, false),
        ("/proc/sys/kernel/core_pattern", false, true, false),
        // A destination outside /proc that a symlink in the image carried into procfs.
        ("/data", true, false, true), ("/data", true, true, false),
    ])
    func rule(destination: String, landsOnProcfs: Bool, sourceIsProcfs: Bool, refused: Bool) {
        let why = ProcDestination.refusal(destination: destination, landsOnProcfs: landsOnProcfs, sourceIsProcfs: sourceIsProcfs)
        #expect((why != nil) == refused)
        if let why, destination != "/proc" { #expect(why.contains("inside /proc") && why.contains("/proc/cpuinfo")) }
    }

    @Test(arguments: [
        ("/proc/./sys/../kcore", "/proc/kcore"), ("/../../proc", "/proc"), ("proc//sys/", "/proc/sys"), ("/", "/"),
    ])
    func clean(path: String, expected: String) {
        #expect(ProcDestination.clean(path) == expected)
    }

    /// linux.sysctl keys name files below the private procfs's sys/.
    @Test func sysctlPath() {
        #expect(Procfs.sysctlPath("net.ipv4.ip_forward") == "sys/net/ipv4/ip_forward")
        #expect(Procfs.sysctlPath("kernel.shm_rmid_forced") == "sys/kernel/shm_rmid_forced")
    }
}
