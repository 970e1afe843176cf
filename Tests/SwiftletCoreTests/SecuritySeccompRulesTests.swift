import OCI
import Testing
@testable import SwiftletCore

/// linux.seccomp → rules, flags and default action, before libseccomp: runc's semantics where
/// the spec is silent, errors that name the field.
@Suite struct SecuritySeccompRulesTests {
    static func arg(_ index: UInt, _ op: LinuxSeccompOperator, _ value: UInt64, _ two: UInt64? = nil) -> LinuxSeccompArg {
        LinuxSeccompArg(index: index, value: value, valueTwo: two, op: op)
    }

    static func error(_ seccomp: LinuxSeccomp) -> SpecError? {
        do {
            _ = try SeccompRuleSet(translating: seccomp)
            return nil
        } catch {
            return error
        }
    }

    @Test func defaultsAndErrno() throws {
        let set = try SeccompRuleSet(translating: LinuxSeccomp(
            defaultAction: .errno, defaultErrnoRet: 38,
            syscalls: [LinuxSyscall(names: ["read", "write"], action: .allow),
                       LinuxSyscall(names: ["mkdir"], action: .errno),
                       LinuxSyscall(names: ["rmdir"], action: .errno, errnoRet: 28)]))
        #expect(set.defaultAction == 0x0005_0026)
        #expect(set.flags == 0)
        #expect(set.rules == [
            SeccompRule(syscall: "read", action: SeccompTables.retAllow, path: "linux.seccomp.syscalls[0].names[0]"),
            SeccompRule(syscall: "write", action: SeccompTables.retAllow, path: "linux.seccomp.syscalls[0].names[1]"),
            SeccompRule(syscall: "mkdir", action: 0x0005_0001, path: "linux.seccomp.syscalls[1].names[0]"),
            SeccompRule(syscall: "rmdir", action: 0x0005_001c, path: "linux.seccomp.syscalls[2].names[0]"),
        ])
    }

    /// libseccomp refuses a rule whose action is the default one; runc leaves it out, so do we.
    @Test func ruleWithTheDefaultActionIsLeftOut() throws {
        let set = try SeccompRuleSet(translating: LinuxSeccomp(
            defaultAction: .errno,
            syscalls: [LinuxSyscall(names: ["mkdir"], action: .errno, errnoRet: 1),
                       LinuxSyscall(names: ["mkdir"], action: .errno, errnoRet: 2)]))
        #expect(set.rules.map(\.syscall) == ["mkdir"])
        #expect(set.rules.first?.action == 0x0005_0002)
        #expect(set.notes == ["linux.seccomp.syscalls[0]: same action as defaultAction, rule not needed"])
    }

    @Test func argsOnDifferentIndexesAreOneRule() throws {
        let set = try SeccompRuleSet(translating: LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["keyctl", "add_key"], action: .errno,
                         args: [Self.arg(0, .equalTo, 1), Self.arg(2, .maskedEqual, 0xff, 8)])]))
        let conditions = [SeccompCondition(index: 0, op: 4, value: 1), SeccompCondition(index: 2, op: 7, value: 0xff, valueTwo: 8)]
        #expect(set.rules.map(\.syscall) == ["keyctl", "add_key"])
        #expect(set.rules.allSatisfy { $0.conditions == conditions })
    }

    /// runc: two args comparing the same argument become one rule each (ORed).
    @Test func argsOnTheSameIndexAreOneRuleEach() throws {
        let set = try SeccompRuleSet(translating: LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["personality"], action: .errno,
                         args: [Self.arg(0, .equalTo, 8), Self.arg(0, .equalTo, 0x20008), Self.arg(1, .notEqual, 0)])]))
        #expect(set.rules.count == 3)
        #expect(set.rules.map(\.conditions) == [
            [SeccompCondition(index: 0, op: 4, value: 8)],
            [SeccompCondition(index: 0, op: 4, value: 0x20008)],
            [SeccompCondition(index: 1, op: 1, value: 0)],
        ])
    }

    @Test func notifySetsTheListenerFlag() throws {
        var seccomp = LinuxSeccomp(defaultAction: .allow, flags: [.tsync, .waitKillableRecv],
                                   listenerPath: "/run/agent.sock",
                                   syscalls: [LinuxSyscall(names: ["mkdir"], action: .notify)])
        var set = try SeccompRuleSet(translating: seccomp)
        #expect(set.usesNotify)
        #expect(set.flags == SeccompTables.flagTsync | SeccompTables.flagTsyncESRCH | SeccompTables.flagNewListener
            | SeccompTables.flagWaitKillableRecv)
        #expect(set.rules.first?.action == SeccompTables.retUserNotif)

        seccomp.syscalls = [LinuxSyscall(names: ["mkdir"], action: .errno)]
        seccomp.flags = [.log, .specAllow, .waitKillableRecv]
        set = try SeccompRuleSet(translating: seccomp)
        #expect(!set.usesNotify)
        #expect(set.flags == SeccompTables.flagLog | SeccompTables.flagSpecAllow)
        #expect(set.notes == ["linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: no SCMP_ACT_NOTIFY rule"])
    }

    @Test func architecturesAreDeduplicatedInOrder() throws {
        let set = try SeccompRuleSet(translating: LinuxSeccomp(defaultAction: .allow, architectures: [.x86_64, .x86, .x32, .x86]))
        #expect(set.architectures.map(\.name) == ["x86_64", "x86", "x32"])
        #expect(set.architectures.map(\.path) == ["linux.seccomp.architectures[0]", "linux.seccomp.architectures[1]",
                                                   "linux.seccomp.architectures[2]"])
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        let name: String
        let seccomp: LinuxSeccomp
        let path: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "notify default", seccomp: LinuxSeccomp(defaultAction: .notify, listenerPath: "/x"),
                path: "linux.seccomp.defaultAction"),
        BadCase(name: "errno too large", seccomp: LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 4096),
                path: "linux.seccomp.defaultErrnoRet"),
        BadCase(name: "rule errno too large", seccomp: LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["a"], action: .errno), LinuxSyscall(names: ["b"], action: .errno, errnoRet: 70000)]),
                path: "linux.seccomp.syscalls[1].errnoRet"),
        BadCase(name: "trace data too large", seccomp: LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["a"], action: .trace, errnoRet: 65536)]),
                path: "linux.seccomp.syscalls[0].errnoRet"),
        BadCase(name: "errnoRet on allow", seccomp: LinuxSeccomp(defaultAction: .errno, syscalls: [
            LinuxSyscall(names: ["a"], action: .allow, errnoRet: 1)]),
                path: "linux.seccomp.syscalls[0].errnoRet"),
        BadCase(name: "defaultErrnoRet on kill", seccomp: LinuxSeccomp(defaultAction: .killProcess, defaultErrnoRet: 1),
                path: "linux.seccomp.defaultErrnoRet"),
        BadCase(name: "arg index 6", seccomp: LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["a"], action: .errno, args: [arg(0, .equalTo, 1), arg(6, .equalTo, 1)])]),
                path: "linux.seccomp.syscalls[0].args[1].index"),
        BadCase(name: "empty names", seccomp: LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: [], action: .errno)]),
                path: "linux.seccomp.syscalls[0].names"),
        BadCase(name: "empty name", seccomp: LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["mkdir", ""], action: .errno)]),
                path: "linux.seccomp.syscalls[0].names[1]"),
        BadCase(name: "notify without listener", seccomp: LinuxSeccomp(defaultAction: .allow, syscalls: [
            LinuxSyscall(names: ["mkdir"], action: .notify)]),
                path: "linux.seccomp.listenerPath"),
        BadCase(name: "notify on sendmsg", seccomp: LinuxSeccomp(defaultAction: .allow, listenerPath: "/x", syscalls: [
            LinuxSyscall(names: ["mkdir", "sendmsg"], action: .notify)]),
                path: "linux.seccomp.syscalls[0].names[1]"),
    ]

    @Test(arguments: badCases)
    func badConfigNamesTheField(c: BadCase) {
        let error = Self.error(c.seccomp)
        #expect(error?.path == c.path, "\(String(describing: error))")
    }
}
