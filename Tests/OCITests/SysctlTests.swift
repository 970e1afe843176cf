import FoundationEssentials
import Testing
@testable import OCI

@Suite("Sysctl")
struct SysctlTests {
    @Test("namespace of a sysctl", arguments: [
        ("net.ipv4.ip_forward", LinuxNamespaceType.network), ("net.core.somaxconn", .network),
        ("kernel.hostname", .uts), ("kernel.domainname", .uts),
        ("kernel.msgmax", .ipc), ("kernel.msgmnb", .ipc), ("kernel.msgmni", .ipc), ("kernel.sem", .ipc),
        ("kernel.shmall", .ipc), ("kernel.shmmax", .ipc), ("kernel.shmmni", .ipc), ("kernel.shm_rmid_forced", .ipc),
        ("fs.mqueue.msg_max", .ipc),
    ] as [(String, LinuxNamespaceType)])
    func namespaced(_ name: String, _ namespace: LinuxNamespaceType) {
        #expect(Sysctl.namespace(of: name) == namespace)
    }

    @Test("host-wide sysctls", arguments: ["vm.swappiness", "kernel.pid_max", "fs.file-max", "kernel.panic", "netfilter.x", "kernel.core_pattern"])
    func notNamespaced(_ name: String) {
        #expect(Sysctl.namespace(of: name) == nil)
        #expect(Sysctl.problem(with: name, namespaces: LinuxNamespaceType.allCases.map { LinuxNamespace(type: $0) })?
            .contains("not namespaced, refusing to set it for the host") == true)
    }

    @Test("names", arguments: [
        ("net.ipv4.ip_forward", true), ("kernel.sem", true), ("", false), (".net", false), ("net.", false),
        ("net..x", false), ("net/ipv4", false), ("net.ipv4 x", false), ("a", true),
    ])
    func names(_ name: String, _ valid: Bool) {
        #expect(Sysctl.isValidName(name) == valid)
    }
}
