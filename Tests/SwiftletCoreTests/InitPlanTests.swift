import CSwiftlet
import OCI
import Testing
@testable import SwiftletCore

/// The plan swiftlet-init reads (swiftlet_plan.h): every record is decoded back here and its
/// tag, length and payload checked, so the Swift writer and the C reader agree on the layout.
@Suite struct InitPlanTests {
    /// One decoded record.
    struct Record: Equatable, CustomStringConvertible {
        let tag: UInt32
        let payload: [UInt8]

        var description: String { "tag \(tag) (\(payload.count) bytes)" }

        func u32(_ i: Int) -> UInt32 { Self.integer(payload, at: 4 * i) }
        func i32(_ i: Int) -> Int32 { Int32(bitPattern: u32(i)) }
        func u64(_ i: Int) -> UInt64 { Self.integer(payload, at: 8 * i) }
        func u64(atByte offset: Int) -> UInt64 { Self.integer(payload, at: offset) }
        /// A NUL-terminated string filling the whole payload (nil when not well formed).
        var string: String? {
            guard payload.last == 0, !payload.dropLast().contains(0) else { return nil }
            return String(decoding: payload.dropLast(), as: UTF8.self)
        }

        static func integer<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int) -> T {
            var value: T = 0
            withUnsafeMutableBytes(of: &value) { raw in
                for i in 0..<MemoryLayout<T>.size { raw[i] = bytes[offset + i] }
            }
            return value
        }
    }

    /// Splits a plan into records; fails the test on a malformed stream.
    static func decode(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> [Record] {
        var records: [Record] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 8 else {
                Issue.record("truncated header at \(offset)", sourceLocation: sourceLocation)
                return records
            }
            let tag: UInt32 = Record.integer(bytes, at: offset)
            let length = Int(Record.integer(bytes, at: offset + 4) as UInt32)
            offset += 8
            guard bytes.count - offset >= length else {
                Issue.record("record \(tag) overruns the plan", sourceLocation: sourceLocation)
                return records
            }
            records.append(Record(tag: tag, payload: Array(bytes[offset..<offset + length])))
            offset += length
        }
        return records
    }

    static func records(_ plan: InitPlan, _ tag: swl_plan_tag) -> [Record] {
        decode(plan.bytes).filter { $0.tag == tag.rawValue }
    }

    static func the(_ plan: InitPlan, _ tag: swl_plan_tag, sourceLocation: SourceLocation = #_sourceLocation) -> Record? {
        let found = records(plan, tag)
        #expect(found.count == 1, "tag \(tag.rawValue)", sourceLocation: sourceLocation)
        return found.first
    }

    @Test(arguments: [SWL_MODE_SUPERVISE, SWL_MODE_DIRECT])
    func headerIsMagicThenMode(mode: swl_mode) {
        let plan = InitPlan(mode: mode)
        let records = Self.decode(plan.bytes)
        #expect(records.count == 2)
        #expect(records[0].tag == SWL_P_MAGIC.rawValue)
        #expect(records[0].payload.count == 8)
        #expect(records[0].u32(0) == SWL_PLAN_MAGIC && records[0].u32(1) == SWL_PLAN_VERSION)
        #expect(records[1].tag == SWL_P_MODE.rawValue)
        #expect(records[1].payload.count == 4 && records[1].u32(0) == mode.rawValue)
        // "SWLT" in memory on a little-endian machine.
        #expect(Array(plan.bytes[8..<12]) == Array("SWLT".utf8))
    }

    @Test func primitiveAppends() {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        plan.append(SWL_P_SUBREAPER)
        plan.append(SWL_P_SYNC_FD, i32: -7)
        plan.append(SWL_P_GROUPS, u32: [1, 2, 0xffff_ffff])
        plan.append(SWL_P_CAPS, u64: [1, UInt64.max])
        plan.append(SWL_P_CWD, string: "/héllo")
        plan.append(SWL_P_CWD, string: "")
        plan.append(SWL_P_CPU_AFFINITY, raw: [9, 8, 7])
        plan.appendRlimit(resource: 7, soft: 1024, hard: UInt64.max)
        let r = Array(Self.decode(plan.bytes).dropFirst(2))
        #expect(r.map(\.tag) == [SWL_P_SUBREAPER, SWL_P_SYNC_FD, SWL_P_GROUPS, SWL_P_CAPS, SWL_P_CWD, SWL_P_CWD,
                                 SWL_P_CPU_AFFINITY, SWL_P_RLIMIT].map(\.rawValue))
        #expect(r[0].payload.isEmpty)
        #expect(r[1].payload.count == 4 && r[1].i32(0) == -7)
        #expect(r[2].payload.count == 12 && (0..<3).map(r[2].u32) == [1, 2, 0xffff_ffff])
        #expect(r[3].payload.count == 16 && r[3].u64(0) == 1 && r[3].u64(1) == UInt64.max)
        #expect(r[4].payload.count == "/héllo".utf8.count + 1 && r[4].string == "/héllo")
        #expect(r[5].payload == [0] && r[5].string == "")
        #expect(r[6].payload == [9, 8, 7])
        // u32 resource, u32 pad, u64 soft, u64 hard
        #expect(r[7].payload.count == 24)
        #expect(r[7].u32(0) == 7 && r[7].u32(1) == 0)
        #expect(r[7].u64(atByte: 8) == 1024 && r[7].u64(atByte: 16) == UInt64.max)
    }

    static let fullProcess = Process(
        args: ["sh", "-c", "echo hi"], env: ["PATH=/bin", "A=b c"], cwd: "/work",
        user: User(uid: 1000, gid: 1001, umask: 0o077, additionalGids: [5, 6, 7]),
        capabilities: LinuxCapabilities(
            bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_CHECKPOINT_RESTORE"], effective: ["CAP_KILL"],
            inheritable: ["CAP_KILL", "CAP_NET_RAW"], permitted: ["CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW"],
            ambient: ["CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW"]),
        rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 4096, soft: 1024), POSIXRlimit(type: "RLIMIT_CORE", hard: 0, soft: 0)],
        noNewPrivileges: true, apparmorProfile: "docker-default", selinuxLabel: "system_u:system_r:container_t:s0")

    @Test func processRecords() throws {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        try plan.addProcess(Self.fullProcess, executable: "/bin/sh")
        #expect(Self.records(plan, SWL_P_ARG).map(\.string) == ["sh", "-c", "echo hi"])
        #expect(Self.records(plan, SWL_P_ENV).map(\.string) == ["PATH=/bin", "A=b c"])
        #expect(Self.the(plan, SWL_P_EXEC_PATH)?.string == "/bin/sh")
        #expect(Self.the(plan, SWL_P_CWD)?.string == "/work")
        #expect(Self.the(plan, SWL_P_UID)?.payload.count == 4)
        #expect(Self.the(plan, SWL_P_UID)?.u32(0) == 1000)
        #expect(Self.the(plan, SWL_P_GID)?.u32(0) == 1001)
        let groups = try #require(Self.the(plan, SWL_P_GROUPS))
        #expect(groups.payload.count == 12 && (0..<3).map(groups.u32) == [5, 6, 7])
        #expect(Self.the(plan, SWL_P_UMASK)?.u32(0) == 0o077)
        #expect(Self.the(plan, SWL_P_NO_NEW_PRIVS)?.payload.isEmpty == true)
        #expect(Self.the(plan, SWL_P_APPARMOR)?.string == "docker-default")
        #expect(Self.the(plan, SWL_P_SELINUX)?.string == "system_u:system_r:container_t:s0")

        let rlimits = Self.records(plan, SWL_P_RLIMIT)
        #expect(rlimits.count == 2)
        #expect(rlimits.allSatisfy { $0.payload.count == 24 })
        #expect(rlimits[0].u32(0) == 7 && rlimits[0].u64(atByte: 8) == 1024 && rlimits[0].u64(atByte: 16) == 4096)
        #expect(rlimits[1].u32(0) == 4 && rlimits[1].u64(atByte: 8) == 0 && rlimits[1].u64(atByte: 16) == 0)
    }

    /// bounding, effective, permitted, inheritable, ambient; ambient only keeps what is both
    /// permitted and inheritable (the kernel refuses the rest).
    @Test func capabilityMasks() throws {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        try plan.addProcess(Self.fullProcess, executable: "/bin/sh")
        let caps = try #require(Self.the(plan, SWL_P_CAPS))
        #expect(caps.payload.count == 40)
        let bit = { (n: Int) -> UInt64 in 1 << UInt64(n) }
        #expect(caps.u64(0) == bit(0) | bit(5) | bit(40))  // bounding: CHOWN, KILL, CHECKPOINT_RESTORE
        #expect(caps.u64(1) == bit(5))  // effective
        #expect(caps.u64(2) == bit(5) | bit(21) | bit(13))  // permitted
        #expect(caps.u64(3) == bit(5) | bit(13))  // inheritable
        #expect(caps.u64(4) == bit(5) | bit(13))  // ambient: SYS_ADMIN is not inheritable
    }

    @Test(arguments: Capability.allCases)
    func everyCapabilityHasItsBit(cap: Capability) throws {
        #expect(try InitPlan.capabilityMask([cap.name], field: "f") == UInt64(1) << UInt64(cap.rawValue))
    }

    @Test func capabilityMaskOfNothing() throws {
        #expect(try InitPlan.capabilityMask(nil, field: "f") == 0)
        #expect(try InitPlan.capabilityMask([], field: "f") == 0)
        #expect(try InitPlan.capabilityMask(["CAP_KILL", "CAP_KILL"], field: "f") == 1 << 5)
    }

    /// Unknown names are errors naming the set and the index, never skipped.
    @Test(arguments: [
        ("bounding", 1, "CAP_NOPE"), ("effective", 0, "cap_kill"), ("permitted", 2, "KILL"),
        ("inheritable", 1, ""), ("ambient", 0, "CAP_SYS_ADMIN "),
    ])
    func unknownCapability(set: String, index: Int, name: String) {
        var names = ["CAP_KILL", "CAP_CHOWN", "CAP_SETUID"]
        names[index] = name
        var caps = LinuxCapabilities()
        switch set {
        case "bounding": caps.bounding = names
        case "effective": caps.effective = names
        case "permitted": caps.permitted = names
        case "inheritable": caps.inheritable = names
        default: caps.ambient = names
        }
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        #expect {
            try plan.addProcess(Process(args: ["true"], capabilities: caps), executable: "/bin/true")
        } throws: { error in
            guard let e = error as? SpecError else { return false }
            return e.path == "process.capabilities.\(set)[\(index)]" && e.message == "unknown capability \"\(name)\""
        }
    }

    @Test func unknownRlimitNamesItsPath() {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        let process = Process(args: ["true"], rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1, soft: 1),
                                                        POSIXRlimit(type: "RLIMIT_BOGUS", hard: 1, soft: 1)])
        #expect {
            try plan.addProcess(process, executable: "/bin/true")
        } throws: { error in
            (error as? SpecError)?.path == "process.rlimits[1].type" && "\(error)".contains("RLIMIT_BOGUS")
        }
    }

    /// What a minimal process leaves out: groups, caps, no_new_privs, rlimits, LSM labels;
    /// the umask defaults to 0022.
    @Test func minimalProcessDefaults() throws {
        var plan = InitPlan(mode: SWL_MODE_DIRECT)
        try plan.addProcess(Process(args: ["true"], user: User(uid: 0, gid: 0, additionalGids: []),
                                    noNewPrivileges: false, apparmorProfile: "", selinuxLabel: ""),
                            executable: "/bin/true")
        for tag in [SWL_P_GROUPS, SWL_P_CAPS, SWL_P_NO_NEW_PRIVS, SWL_P_RLIMIT, SWL_P_APPARMOR, SWL_P_SELINUX, SWL_P_ENV] {
            #expect(Self.records(plan, tag).isEmpty, "tag \(tag.rawValue)")
        }
        #expect(Self.the(plan, SWL_P_UMASK)?.u32(0) == 0o022)
        #expect(Self.the(plan, SWL_P_CWD)?.string == "/")
        #expect(Self.records(plan, SWL_P_ARG).map(\.string) == ["true"])
        // Records come in a valid order: the header first, nothing unknown.
        let tags = Self.decode(plan.bytes).map(\.tag)
        #expect(tags.first == SWL_P_MAGIC.rawValue)
        #expect(tags.allSatisfy { $0 >= 1 })
        #expect(tags.filter { $0 == SWL_P_MAGIC.rawValue }.count == 1)
    }

    /// An empty capabilities object still drops everything: all five masks present and zero.
    @Test func emptyCapabilitiesDropEverything() throws {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        try plan.addProcess(Process(args: ["true"], capabilities: LinuxCapabilities()), executable: "/bin/true")
        let caps = try #require(Self.the(plan, SWL_P_CAPS))
        #expect((0..<5).map { caps.u64($0) } == [0, 0, 0, 0, 0])
    }

    @Test(arguments: [
        (LinuxCapabilities(), [String]()),
        (LinuxCapabilities(ambient: ["CAP_KILL"]), ["CAP_KILL"]),
        (LinuxCapabilities(inheritable: ["CAP_KILL"], permitted: ["CAP_KILL"], ambient: ["CAP_KILL"]), []),
        (LinuxCapabilities(inheritable: ["CAP_KILL"], permitted: ["CAP_CHOWN"], ambient: ["CAP_KILL", "CAP_CHOWN"]),
         ["CAP_KILL", "CAP_CHOWN"]),
        (LinuxCapabilities(inheritable: ["CAP_A", "CAP_KILL"], permitted: ["CAP_KILL", "CAP_NET_RAW"],
                           ambient: ["CAP_NET_RAW", "CAP_KILL", "CAP_SYS_ADMIN"]),
         ["CAP_NET_RAW", "CAP_SYS_ADMIN"]),
    ])
    func unraisableAmbient(caps: LinuxCapabilities, skipped: [String]) {
        #expect(InitPlan.unraisableAmbient(caps) == skipped)
    }

    /// SWL_P_HOOK: u32 timeout, u32 argc, u32 envc, u32 pad, then path, args, env, each NUL-ended;
    /// one record per hook, in order, then SWL_P_HOOK_STATE with the state JSON.
    @Test func startHooksLayout() throws {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        let hooks = [
            Hook(path: "/bin/hook", args: ["hook", "--flag", ""], env: ["A=1"], timeout: 5),
            Hook(path: "/bin/other"),
            Hook(path: "/bin/neg", timeout: -3),
        ]
        let state = Array(#"{"id":"c1","status":"created"}"#.utf8)
        plan.addStartHooks(hooks, state: state)
        let records = Array(Self.decode(plan.bytes).dropFirst(2))
        #expect(records.map(\.tag) == [SWL_P_HOOK, SWL_P_HOOK, SWL_P_HOOK, SWL_P_HOOK_STATE].map(\.rawValue))

        let first = records[0]
        #expect(first.u32(0) == 5 && first.u32(1) == 3 && first.u32(2) == 1 && first.u32(3) == 0)
        let strings = first.payload[16...].split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        // path, 3 args (one empty), 1 env, then the split's empty tail after the final NUL.
        #expect(strings == ["/bin/hook", "hook", "--flag", "", "A=1", ""])
        #expect(first.payload.count == 16 + "/bin/hook".utf8.count + 1 + 5 + 7 + 1 + 4)

        let second = records[1]
        #expect((0..<4).map(second.u32) == [0, 0, 0, 0])
        #expect(Array(second.payload[16...]) == Array("/bin/other".utf8) + [0])
        // A negative timeout means none (0), not a huge unsigned number.
        #expect(records[2].u32(0) == 0)
        #expect(records[3].string == #"{"id":"c1","status":"created"}"#)
    }

    @Test func noStartHooksNoRecords() {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        let before = plan.bytes
        plan.addStartHooks([], state: Array("{}".utf8))
        #expect(plan.bytes == before)
    }

    @Test func hookTimeoutClampsToU32() {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        plan.addStartHooks([Hook(path: "/h", timeout: Int.max)], state: [])
        #expect(Self.the(plan, SWL_P_HOOK)?.u32(0) == UInt32.max)
        #expect(Self.the(plan, SWL_P_HOOK_STATE)?.payload == [0])
    }

    @Test func seccompRecord() {
        var plan = InitPlan(mode: SWL_MODE_SUPERVISE)
        let instructions: [UInt8] = Array(0..<16)
        plan.addSeccomp(SeccompProgram(flags: 0x5, instructions: instructions))
        let record = Self.the(plan, SWL_P_SECCOMP)
        #expect(record?.u32(0) == 5 && record?.u32(1) == 0)
        #expect(record.map { Array($0.payload[8...]) } == instructions)
    }
}
