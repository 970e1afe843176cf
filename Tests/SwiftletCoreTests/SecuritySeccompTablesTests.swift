import CLibseccomp
import OCI
import Testing
@testable import SwiftletCore

/// The name → number tables of linux.seccomp, checked against libseccomp's own header and
/// resolver, so a table typo cannot hide.
@Suite struct SecuritySeccompTablesTests {
    @Test(arguments: LinuxSeccompAction.allCases)
    func actionsMatchLibseccomp(action: LinuxSeccompAction) {
        let expected: UInt32
        switch action {
        case .kill: expected = SCMP_ACT_KILL
        case .killThread: expected = SCMP_ACT_KILL_THREAD
        case .killProcess: expected = SCMP_ACT_KILL_PROCESS
        case .trap: expected = SCMP_ACT_TRAP
        case .errno: expected = 0x0005_0000 | 1  // SCMP_ACT_ERRNO(EPERM)
        case .trace: expected = 0x7ff0_0000 | 1  // SCMP_ACT_TRACE(EPERM)
        case .allow: expected = SCMP_ACT_ALLOW
        case .log: expected = SCMP_ACT_LOG
        case .notify: expected = SCMP_ACT_NOTIFY
        }
        #expect(SeccompTables.action(action) == expected)
    }

    @Test func errnoAndTraceCarryTheirData() {
        #expect(SeccompTables.action(.errno, data: 38) == 0x0005_0026)
        #expect(SeccompTables.action(.errno, data: 4095) == 0x0005_0fff)
        #expect(SeccompTables.action(.trace, data: 0xbeef) == 0x7ff0_beef)
        #expect(SeccompTables.action(.allow, data: 38) == SCMP_ACT_ALLOW)
    }

    @Test(arguments: LinuxSeccompOperator.allCases)
    func operatorsMatchLibseccomp(op: LinuxSeccompOperator) {
        let expected: scmp_compare
        switch op {
        case .notEqual: expected = SCMP_CMP_NE
        case .lessThan: expected = SCMP_CMP_LT
        case .lessEqual: expected = SCMP_CMP_LE
        case .equalTo: expected = SCMP_CMP_EQ
        case .greaterEqual: expected = SCMP_CMP_GE
        case .greaterThan: expected = SCMP_CMP_GT
        case .maskedEqual: expected = SCMP_CMP_MASKED_EQ
        }
        #expect(SeccompTables.compareOperator(op) == expected.rawValue)
    }

    @Test func filterFlagsAreTheKernels() {
        // linux/seccomp.h SECCOMP_FILTER_FLAG_*.
        #expect(SeccompTables.filterFlag(.tsync) == 1)
        #expect(SeccompTables.filterFlag(.log) == 2)
        #expect(SeccompTables.filterFlag(.specAllow) == 4)
        #expect(SeccompTables.flagNewListener == 8)
        #expect(SeccompTables.flagTsyncESRCH == 16)
        #expect(SeccompTables.filterFlag(.waitKillableRecv) == 32)
    }

    /// Every architecture name resolves in libseccomp, except the ones newer than the
    /// installed version (2.6 added LoongArch, M68K and SuperH).
    @Test(arguments: Arch.allCases)
    func architectureNamesResolve(arch: Arch) {
        let name = SeccompTables.libseccompArchName(arch)
        let token = seccomp_arch_resolve_name(name)
        let newerThan25: Set<Arch> = [.loongarch64, .m68k, .sh, .sheb]
        if let v = seccomp_version()?.pointee, v.major == 2 && v.minor < 6 && newerThan25.contains(arch) {
            #expect(token == 0, "\(name) should be unknown to libseccomp 2.\(v.minor)")
        } else {
            #expect(token != 0, "libseccomp does not know \(name)")
        }
    }

    @Test func nativeArchitectureIsInTheTable() {
        let native = seccomp_arch_native()
        #expect(Arch.allCases.contains { seccomp_arch_resolve_name(SeccompTables.libseccompArchName($0)) == native })
    }
}
