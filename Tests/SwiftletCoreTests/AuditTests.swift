import FoundationEssentials
import OCI
import Testing
@testable import SwiftletCore

/// `swiftlet audit`: one crafted config per rule, starting from the hardened spec (which has
/// no findings), changed in one place; the rule must report it with its severity and path.
@Suite struct AuditTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let severity: AuditSeverity
        let path: String
        let appArmor: Bool
        let change: @Sendable (inout Spec) -> Void

        init(_ rule: String, _ severity: AuditSeverity, _ path: String, appArmor: Bool = false,
             _ change: @escaping @Sendable (inout Spec) -> Void) {
            self.rule = rule
            self.severity = severity
            self.path = path
            self.appArmor = appArmor
            self.change = change
        }

        var testDescription: String { "\(rule) at \(path)" }
    }

    static func bind(_ source: String, _ options: [String] = ["rbind"]) -> Mount {
        Mount(destination: "/mnt", type: "bind", source: source, options: options)
    }

    static let cases: [Case] = [
        Case("privileged", .high, "process.capabilities.bounding") {
            $0.process?.capabilities?.bounding = Capability.allCases.map(\.name)
        },
        Case("dangerous-capability", .high, "process.capabilities.effective[0]") {
            $0.process?.capabilities?.effective = ["CAP_SYS_ADMIN"]
        },
        Case("dangerous-capability", .high, "process.capabilities.bounding[1]") {
            $0.process?.capabilities?.bounding = ["CAP_CHOWN", "CAP_SYS_PTRACE"]
        },
        Case("dangerous-capability", .high, "process.capabilities.permitted[0]") { $0.process?.capabilities?.permitted = ["CAP_SYS_MODULE"] },
        Case("dangerous-capability", .high, "process.capabilities.ambient[0]") { $0.process?.capabilities?.ambient = ["CAP_NET_ADMIN"] },
        Case("dangerous-capability", .high, "process.capabilities.bounding[0]") { $0.process?.capabilities?.bounding = ["CAP_DAC_READ_SEARCH"] },
        Case("dangerous-capability", .high, "process.capabilities.bounding[0]") { $0.process?.capabilities?.bounding = ["CAP_SYS_RAWIO"] },
        Case("dangerous-capability", .high, "process.capabilities.bounding[0]") { $0.process?.capabilities?.bounding = ["CAP_BPF"] },
        Case("dangerous-capability", .medium, "process.capabilities.bounding[0]") { $0.process?.capabilities?.bounding = ["CAP_NET_RAW"] },
        Case("seccomp-missing", .high, "linux.seccomp") { $0.linux?.seccomp = nil },
        Case("seccomp-allow-default", .high, "linux.seccomp.defaultAction") {
            $0.linux?.seccomp = LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: ["mount"], action: .errno)])
        },
        Case("seccomp-allow-default", .high, "linux.seccomp.defaultAction") { $0.linux?.seccomp?.defaultAction = .log },
        Case("apparmor-unconfined", .medium, "process.apparmorProfile", appArmor: true) { $0.process?.apparmorProfile = "unconfined" },
        Case("apparmor-unconfined", .medium, "process.apparmorProfile", appArmor: true) { _ in },
        Case("no-new-privileges", .medium, "process.noNewPrivileges") { $0.process?.noNewPrivileges = false },
        Case("no-new-privileges", .medium, "process.noNewPrivileges") { $0.process?.noNewPrivileges = nil },
        Case("root-without-userns", .high, "process.user.uid") {
            $0.process?.user = User(uid: 0, gid: 0)
            $0.linux?.namespaces?.removeAll { $0.type == .user }
            $0.linux?.uidMappings = nil
            $0.linux?.gidMappings = nil
        },
        Case("host-namespace", .high, "linux.namespaces") { $0.linux?.namespaces?.removeAll { $0.type == .pid } },
        Case("host-namespace", .high, "linux.namespaces") { $0.linux?.namespaces?.removeAll { $0.type == .network } },
        Case("host-namespace", .high, "linux.namespaces") { $0.linux?.namespaces?.removeAll { $0.type == .mount } },
        Case("host-namespace", .medium, "linux.namespaces") { $0.linux?.namespaces?.removeAll { $0.type == .ipc } },
        Case("host-namespace", .low, "linux.namespaces") { $0.linux?.namespaces?.removeAll { $0.type == .uts } },
        Case("writable-rootfs", .medium, "root.readonly") { $0.root?.readonly = false },
        Case("writable-rootfs", .medium, "root.readonly") { $0.root?.readonly = nil },
        Case("sensitive-mount", .high, "mounts[7].source") { $0.mounts?.append(bind("/", ["rbind", "ro"])) },
        Case("sensitive-mount", .high, "mounts[7].source") { $0.mounts?.append(bind("/proc")) },
        Case("sensitive-mount", .high, "mounts[7].source") { $0.mounts?.append(bind("/sys")) },
        Case("sensitive-mount", .medium, "mounts[7].source") { $0.mounts?.append(bind("/sys", ["rbind", "ro"])) },
        Case("sensitive-mount", .high, "mounts[7].source") { $0.mounts?.append(bind("/var/run/docker.sock", ["bind"])) },
        Case("sensitive-mount", .high, "mounts[7].source") { $0.mounts?.append(bind("/run/containerd/containerd.sock")) },
        Case("sensitive-mount", .high, "mounts[7].source") { $0.mounts?.append(bind("/dev", ["rbind", "rw"])) },
        Case("sensitive-mount", .high, "mounts[7].source") { $0.mounts?.append(bind("//var//run/docker.sock/", ["bind"])) },
        Case("masked-paths", .medium, "linux.maskedPaths") { $0.linux?.maskedPaths = nil },
        Case("masked-paths", .medium, "linux.maskedPaths") { $0.linux?.maskedPaths?.removeAll { $0 == "/proc/kcore" } },
        Case("readonly-paths", .medium, "linux.readonlyPaths") { $0.linux?.readonlyPaths = [] },
        Case("memory-limit", .medium, "linux.resources.memory.limit") { $0.linux?.resources?.memory = nil },
        Case("memory-limit", .medium, "linux.resources.memory.limit") { $0.linux?.resources?.memory?.limit = -1 },
        Case("pids-limit", .medium, "linux.resources.pids.limit") { $0.linux?.resources?.pids = nil },
        Case("dangerous-sysctl", .high, "linux.sysctl[\"kernel.core_pattern\"]") { $0.linux?.sysctl = ["kernel.core_pattern": "|/x"] },
        Case("dangerous-sysctl", .high, "linux.sysctl[\"vm.overcommit_memory\"]") { $0.linux?.sysctl = ["vm.overcommit_memory": "1"] },
        Case("dangerous-sysctl", .high, "linux.sysctl[\"net.ipv4.ip_forward\"]") {
            $0.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
            $0.linux?.namespaces?.removeAll { $0.type == .network }
        },
        Case("dangerous-device", .high, "linux.devices[0]") {
            $0.linux?.devices = [LinuxDevice(path: "/dev/mem", type: "c", major: 1, minor: 1)]
        },
        Case("dangerous-device", .high, "linux.devices[1]") {
            $0.linux?.devices = [LinuxDevice(path: "/dev/fuse2", type: "c", major: 10, minor: 229),
                                 LinuxDevice(path: "/dev/sda", type: "b", major: 8, minor: 0)]
        },
        Case("dangerous-device", .high, "linux.devices[0]") {
            $0.linux?.devices = [LinuxDevice(path: "/dev/kmem", type: "c", major: 1, minor: 2)]
        },
        Case("device-cgroup-allow-all", .high, "linux.resources.devices[1]") {
            $0.linux?.resources?.devices?.append(LinuxDeviceCgroup(allow: true, access: "rwm"))
        },
        Case("device-cgroup-allow-all", .high, "linux.resources.devices[1]") {
            $0.linux?.resources?.devices?.append(LinuxDeviceCgroup(allow: true, type: "a", access: "rwm"))
        },
    ]

    @Test(arguments: cases)
    func ruleReports(_ c: Case) throws {
        var spec = Runtime.hardenedSpec()
        c.change(&spec)
        let findings = Audit.run(spec, host: AuditHost(appArmor: c.appArmor))
        let hit = findings.first { $0.rule == c.rule && $0.path == c.path }
        let finding = try #require(hit, "\(findings.map { "\($0.rule) \($0.path)" })")
        #expect(finding.severity == c.severity)
        #expect(!finding.message.isEmpty && !finding.why.isEmpty && !finding.fix.isEmpty)
        #expect(Audit.ruleIDs.contains(finding.rule))
    }

    /// Every rule has at least one case above.
    @Test func everyRuleIsCovered() {
        #expect(Set(Self.cases.map(\.rule)) == Set(Audit.ruleIDs))
    }

    /// Clean configs: the hardened one, and safe variants the rules must not flag.
    @Test(arguments: [
        "hardened", "ipc sysctl", "net sysctl in netns", "read-only ordinary bind", "allowed char device rule",
        "plain char device", "root in user namespace", "seccomp errno",
    ])
    func cleanConfigsPass(_ name: String) {
        var spec = Runtime.hardenedSpec()
        switch name {
        case "ipc sysctl": spec.linux?.sysctl = ["kernel.shmmax": "1000000", "fs.mqueue.msg_max": "20"]
        case "net sysctl in netns": spec.linux?.sysctl = ["net.ipv4.ip_unprivileged_port_start": "0"]
        case "read-only ordinary bind": spec.mounts?.append(Self.bind("/srv/data", ["rbind", "ro"]))
        case "allowed char device rule":
            spec.linux?.resources?.devices?.append(LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm"))
        case "plain char device": spec.linux?.devices = [LinuxDevice(path: "/dev/null2", type: "c", major: 1, minor: 3)]
        case "root in user namespace": spec.process?.user = User(uid: 0, gid: 0)
        case "seccomp errno": spec.linux?.seccomp = LinuxSeccomp(defaultAction: .errno, syscalls: [LinuxSyscall(names: ["read"], action: .allow)])
        default: break
        }
        #expect(Audit.run(spec, host: AuditHost(appArmor: false)).isEmpty)
    }

    /// runc's default spec is flagged (root without user namespace, no seccomp) with high findings.
    @Test func runcDefaultIsFlagged() {
        let findings = Audit.run(Runtime.defaultSpec(), host: AuditHost(appArmor: false))
        #expect(Set(findings.filter { $0.severity == .high }.map(\.rule)) == ["root-without-userns", "seccomp-missing"])
        #expect(findings.first?.severity == .high)
        #expect(findings.last?.severity != .high)
    }

    @Test func reports() throws {
        let findings = Audit.run(Runtime.defaultSpec(), host: AuditHost(appArmor: false))
        let text = AuditReport.text(findings, bundle: "/b")
        #expect(text.contains("HIGH linux.seccomp: no seccomp profile [seccomp-missing]\n  why: "))
        let json = try AuditReport.json(findings, bundle: "/b")
        struct Doc: Decodable { var bundle: String; var findings: [AuditFinding]; var summary: [String: Int] }
        let doc = try JSONDecoder().decode(Doc.self, from: Data(json.utf8))
        #expect(doc.findings == findings)
        #expect(doc.summary["high"] == 2)
        #expect(AuditReport.text([], bundle: "/b") == "/b: no findings\n")
    }
}
