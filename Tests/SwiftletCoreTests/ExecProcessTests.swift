import FoundationEssentials
import OCI
import Testing
@testable import SwiftletCore

/// `exec`: the process built from the container's process and runc's flags, a --process file,
/// and --cgroup sub-cgroups. Pure, no root.
@Suite struct ExecProcessTests {
    static let base = Process(
        terminal: true, args: ["sleep", "60"], env: ["PATH=/bin", "A=1"], cwd: "/", user: User(uid: 0, gid: 0),
        capabilities: LinuxCapabilities(bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]),
        rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)], noNewPrivileges: true,
        apparmorProfile: "container-default")

    static func overrides(_ args: [String], _ change: (inout ExecProcess.Overrides) -> Void = { _ in }) -> ExecProcess.Overrides {
        var o = ExecProcess.Overrides()
        o.args = args
        change(&o)
        return o
    }

    /// Without flags: the container's process with the new args, and no terminal.
    @Test func defaultsComeFromTheContainer() throws {
        let p = try ExecProcess.build(base: Self.base, overrides: Self.overrides(["ls", "-l"]))
        #expect(p.args == ["ls", "-l"])
        #expect(p.terminal == false)
        #expect(p.env == Self.base.env && p.cwd == "/" && p.user == Self.base.user)
        #expect(p.capabilities == Self.base.capabilities && p.rlimits == Self.base.rlimits)
        #expect(p.noNewPrivileges == true && p.apparmorProfile == "container-default")
    }

    @Test func flags() throws {
        let p = try ExecProcess.build(base: Self.base, overrides: Self.overrides(["sh"]) {
            $0.cwd = "/tmp"
            $0.env = ["B=2", "A=3"]
            $0.user = "1000:1001"
            $0.additionalGids = [5, 7]
            $0.tty = true
            $0.apparmorProfile = "other"
            $0.processLabel = "system_u:system_r:container_t:s0"
        })
        #expect(p.cwd == "/tmp")
        #expect(p.env == ["PATH=/bin", "B=2", "A=3"])
        #expect(p.user == User(uid: 1000, gid: 1001, additionalGids: [5, 7]))
        #expect(p.terminal == true)
        #expect(p.apparmorProfile == "other" && p.selinuxLabel == "system_u:system_r:container_t:s0")
    }

    /// `--user uid` keeps the container's gid, as runc.
    @Test func userWithoutGid() throws {
        let p = try ExecProcess.build(base: Self.base, overrides: Self.overrides(["id"]) { $0.user = "33" })
        #expect(p.user.uid == 33 && p.user.gid == 0)
    }

    @Test(arguments: ["foo", "1000:bar", ":1", "-1", "1:2:3"])
    func badUser(user: String) {
        #expect(throws: SpecError.self) {
            try ExecProcess.build(base: Self.base, overrides: Self.overrides(["id"]) { $0.user = user })
        }
    }

    /// --cap goes into bounding, effective, permitted; ambient only with inheritable in use.
    @Test func caps() throws {
        let p = try ExecProcess.build(base: Self.base, overrides: Self.overrides(["sh"]) { $0.caps = ["CAP_SYS_ADMIN", "net_raw"] })
        #expect(p.capabilities?.bounding == ["CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW"])
        #expect(p.capabilities?.effective == ["CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW"])
        #expect(p.capabilities?.permitted == ["CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW"])
        #expect(p.capabilities?.ambient == nil)
        #expect(throws: SpecError.self) {
            try ExecProcess.build(base: Self.base, overrides: Self.overrides(["sh"]) { $0.caps = ["CAP_NOPE"] })
        }
    }

    /// --no-new-privs can only turn it on.
    @Test func noNewPrivileges() throws {
        var base = Self.base
        base.noNewPrivileges = false
        #expect(try ExecProcess.build(base: base, overrides: Self.overrides(["sh"])).noNewPrivileges == false)
        #expect(try ExecProcess.build(base: base, overrides: Self.overrides(["sh"]) { $0.noNewPrivileges = true }).noNewPrivileges == true)
    }

    @Test(arguments: ["NOEQUALS", "=value"])
    func badEnv(entry: String) {
        #expect(throws: SpecError.self) {
            try ExecProcess.build(base: Self.base, overrides: Self.overrides(["sh"]) { $0.env = [entry] })
        }
    }

    @Test func emptyCommandAndRelativeCwd() {
        #expect(throws: SpecError.self) { try ExecProcess.build(base: Self.base, overrides: Self.overrides([])) }
        #expect(throws: SpecError.self) {
            try ExecProcess.build(base: Self.base, overrides: Self.overrides(["sh"]) { $0.cwd = "tmp" })
        }
    }

    /// runc's prepareEnv: the last value of each name wins, at its last position.
    @Test(arguments: [
        (["A=1", "B=2", "A=3"], ["B=2", "A=3"]),
        (["A=1", "A=1"], ["A=1"]),
        (["PATH=/bin", "X="], ["PATH=/bin", "X="]),
        ([String](), [String]()),
    ])
    func deduplicated(input: [String], expected: [String]) {
        #expect(ExecProcess.deduplicated(input) == expected)
    }

    /// A --process file is used as it is; what it leaves out comes from the container.
    @Test func processFile() throws {
        let json = #"{"args":["sh","-c","id"],"cwd":"/tmp","user":{"uid":1000,"gid":1000},"env":["A=1","A=2"]}"#
        let p = try ExecProcess.decode(Data(json.utf8), file: "--process p.json", container: Self.base)
        #expect(p.args == ["sh", "-c", "id"] && p.cwd == "/tmp" && p.user.uid == 1000)
        #expect(p.env == ["A=2"])
        #expect(p.capabilities == Self.base.capabilities)
        #expect(p.rlimits == Self.base.rlimits)
        #expect(p.noNewPrivileges == true)
        #expect(p.apparmorProfile == "container-default")
        let explicit = #"{"args":["sh"],"cwd":"/","user":{"uid":0,"gid":0},"noNewPrivileges":false,"capabilities":{}}"#
        let q = try ExecProcess.decode(Data(explicit.utf8), file: "--process p.json", container: Self.base)
        #expect(q.noNewPrivileges == false)
        #expect(q.capabilities == LinuxCapabilities())
    }

    /// A file without `user` runs as the container's user (runc: uid 0); a `user` without
    /// `umask` keeps the container's umask (podman's exec after `podman run --umask`).
    @Test func processFileUserAndUmask() throws {
        var base = Self.base
        base.user = User(uid: 1000, gid: 1001, umask: 0o077, additionalGids: [5])
        let noUser = try ExecProcess.decode(Data(#"{"args":["id"],"cwd":"/"}"#.utf8), file: "p.json", container: base)
        #expect(noUser.user == base.user)
        let noUmask = try ExecProcess.decode(Data(#"{"args":["id"],"cwd":"/","user":{"uid":0,"gid":0}}"#.utf8),
                                             file: "p.json", container: base)
        #expect(noUmask.user == User(uid: 0, gid: 0, umask: 0o077))
        let own = try ExecProcess.decode(Data(#"{"args":["id"],"cwd":"/","user":{"uid":0,"gid":0,"umask":18}}"#.utf8),
                                         file: "p.json", container: base)
        #expect(own.user.umask == 0o022)
    }

    @Test(arguments: [#"{"args":[],"cwd":"/","user":{"uid":0,"gid":0}}"#, #"{"args":["sh"],"user":{"uid":0,"gid":0}}"#,
                      #"{"args":["sh"],"cwd":"rel","user":{"uid":0,"gid":0}}"#, "not json"])
    func badProcessFile(json: String) {
        #expect(throws: SpecError.self) { try ExecProcess.decode(Data(json.utf8), file: "p.json", container: nil) }
    }

    static let hybrid = CgroupDescription(
        mode: .hybrid, unified: CgroupLocation(controllers: [], mountPoint: "/sys/fs/cgroup/unified", path: "/c1"),
        legacy: [CgroupLocation(controllers: ["cpu", "cpuacct"], mountPoint: "/sys/fs/cgroup/cpu,cpuacct", path: "/c1"),
                 CgroupLocation(controllers: ["memory"], mountPoint: "/sys/fs/cgroup/memory", path: "/c1")])

    /// --cgroup PATH applies to every hierarchy; CONTROLLERS:PATH to the v1 hierarchy with them.
    @Test func subCgroups() throws {
        let all = try ExecProcess.subCgroups(Self.hybrid, ["sub/x"])
        #expect(all.unified?.path == "/c1/sub/x")
        #expect(all.legacy.map(\.path) == ["/c1/sub/x", "/c1/sub/x"])
        let one = try ExecProcess.subCgroups(Self.hybrid, ["cpu,cpuacct:s"])
        #expect(one.unified?.path == "/c1")
        #expect(one.legacy.map(\.path) == ["/c1/s", "/c1"])
        let root = CgroupDescription(mode: .unified, unified: CgroupLocation(controllers: [], mountPoint: "/sys/fs/cgroup", path: "/"), legacy: [])
        #expect(try ExecProcess.subCgroups(root, ["/a/"]).unified?.path == "/a")
    }

    @Test(arguments: ["../escape", "a/../../b", "", "/", "pids:sub", "./x"])
    func badSubCgroup(value: String) {
        #expect(throws: SpecError.self) { try ExecProcess.subCgroups(Self.hybrid, [value]) }
    }
}
