import FoundationEssentials
import Testing
@testable import OCI

@Suite("Decoding config.json")
struct DecodingTests {
    @Test("the runtime-spec example decodes with every field in place")
    func specExample() throws {
        let spec = try Spec.decode(Data(Fixtures.specExample.utf8))
        #expect(spec.ociVersion == "1.0.1")
        #expect(spec.process?.terminal == true)
        #expect(spec.process?.user == User(uid: 1, gid: 1, additionalGids: [5, 6]))
        #expect(spec.process?.args == ["sh"])
        #expect(spec.process?.cwd == "/")
        #expect(spec.process?.capabilities?.ambient == ["CAP_NET_BIND_SERVICE"])
        #expect(spec.process?.rlimits?.last == POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024))
        #expect(spec.process?.oomScoreAdj == 100)
        #expect(spec.process?.ioPriority == LinuxIOPriority(class: .idle, priority: 4))
        #expect(spec.process?.noNewPrivileges == true)
        #expect(spec.root == Root(path: "rootfs", readonly: true))
        #expect(spec.hostname == "slartibartfast")
        #expect(spec.mounts?.count == 7)
        #expect(spec.mounts?[1].options == ["nosuid", "strictatime", "mode=755", "size=65536k"])
        #expect(spec.hooks?.prestart?.first?.args == ["fix-mounts", "arg1", "arg2"])
        #expect(spec.hooks?.poststart?.first?.timeout == 5)
        let linux = try #require(spec.linux)
        #expect(linux.devices?.first == LinuxDevice(path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0))
        #expect(linux.uidMappings == [LinuxIDMapping(containerID: 0, hostID: 1000, size: 32000)])
        #expect(linux.sysctl?["net.core.somaxconn"] == "256")
        #expect(linux.cgroupsPath == "/myRuntime/myContainer")
        #expect(linux.resources?.memory?.limit == 536_870_912)
        #expect(linux.resources?.memory?.kernel == -1)
        #expect(linux.resources?.cpu?.quota == 1_000_000)
        #expect(linux.resources?.cpu?.idle == 1)
        #expect(linux.resources?.pids?.limit == 32771)
        #expect(linux.resources?.hugepageLimits?.first?.limit == 9_223_372_036_854_772_000)
        #expect(linux.resources?.network?.classID == 1_048_577)
        #expect(linux.resources?.devices?.first == LinuxDeviceCgroup(allow: false, access: "rwm"))
        #expect(linux.resources?.blockIO?.weightDevice?.first == LinuxWeightDevice(major: 8, minor: 0, weight: 500, leafWeight: 300))
        #expect(linux.resources?.blockIO?.throttleWriteIOPSDevice == [LinuxThrottleDevice(major: 8, minor: 16, rate: 300)])
        #expect(linux.rootfsPropagation == "slave")
        #expect(linux.seccomp?.defaultAction == .allow)
        #expect(linux.seccomp?.architectures == [.x86, .x32])
        #expect(linux.seccomp?.syscalls == [LinuxSyscall(names: ["getcwd", "chmod"], action: .errno)])
        #expect(linux.timeOffsets?["boottime"] == LinuxTimeOffset(secs: 604_800, nanosecs: 0))
        #expect(linux.namespaces?.map(\.type) == [.pid, .network, .ipc, .uts, .mount, .user, .cgroup, .time])
        #expect(linux.maskedPaths?.count == 4)
        #expect(linux.readonlyPaths?.last == "/proc/sysrq-trigger")
        #expect(linux.mountLabel == "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811")
        #expect(spec.annotations == ["com.example.key1": "value1", "com.example.key2": "value2"])
    }

    @Test("the runtime-spec example is valid")
    func specExampleValidates() throws {
        let spec = try Spec.decode(Data(Fixtures.specExample.utf8))
        #expect(spec.validationErrors() == [])
    }

    @Test("encoding round-trips and omits nil fields")
    func roundTrip() throws {
        let spec = try Spec.decode(Data(Fixtures.specExample.utf8))
        let encoded = try spec.encoded()
        #expect(try Spec.decode(encoded) == spec)
        let pretty = try spec.encoded(prettyPrinted: true)
        #expect(try Spec.decode(pretty) == spec)

        let small = try String(decoding: Spec(ociVersion: "1.2.0", root: Root(path: "r")).encoded(), as: UTF8.self)
        #expect(small == #"{"ociVersion":"1.2.0","root":{"path":"r"}}"#)
    }

    @Test("a spec built in code round-trips")
    func builtRoundTrip() throws {
        var spec = Fixtures.minimal()
        spec.linux?.seccomp = LinuxSeccomp(
            defaultAction: .errno, defaultErrnoRet: 1, architectures: [.x86_64, .aarch64], flags: [.log],
            syscalls: [LinuxSyscall(names: ["read"], action: .allow,
                                    args: [LinuxSeccompArg(index: 0, value: 1, valueTwo: 2, op: .maskedEqual)])])
        spec.linux?.personality = LinuxPersonality(domain: .linux32)
        spec.linux?.memoryPolicy = LinuxMemoryPolicy(mode: .interleave, nodes: "0-1", flags: [.staticNodes])
        spec.linux?.intelRdt = LinuxIntelRdt(closID: "guaranteed", schemata: ["L3:0=ff"], memBwSchema: "MB:0=70", enableMonitoring: true)
        spec.linux?.netDevices = ["eth1": LinuxNetDevice(name: "ctr0")]
        spec.linux?.resources = LinuxResources(rdma: ["mlx5_0": LinuxRdma(hcaHandles: 3)], unified: ["memory.high": "1G"])
        spec.process?.scheduler = Scheduler(policy: .deadline, flags: [.resetOnFork], runtime: 10, deadline: 20, period: 30)
        spec.process?.execCPUAffinity = CPUAffinity(initial: "0", final: "1-3")
        spec.process?.user.umask = 0o022
        spec.mounts?.append(Mount(destination: "/data", type: "none", source: "/srv", options: ["rbind", "idmap"],
                                  uidMappings: [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)],
                                  gidMappings: [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]))
        #expect(spec.validationErrors() == [])
        #expect(try Spec.decode(spec.encoded()) == spec)
    }

    @Test("unknown properties are ignored")
    func unknownProperties() throws {
        let json = #"{"ociVersion": "1.2.0", "future": {"x": [1, 2]}, "root": {"path": "r", "extra": true},"#
            + #" "windows": {"layerFolders": []}, "linux": {"namespaces": [{"type": "pid", "flavour": "new"}]}}"#
        let spec = try Spec.decode(Data(json.utf8))
        #expect(spec.root == Root(path: "r"))
        #expect(spec.linux?.namespaces == [LinuxNamespace(type: .pid)])
    }

    struct DecodeCase: Sendable, CustomTestStringConvertible {
        let name: String
        let json: Data
        let path: String
        let keyword: String
        var testDescription: String { name }
    }

    static let decodeCases: [DecodeCase] = [
        DecodeCase(name: "args given as a string", json: Fixtures.config(process: #"{"args": "sh"}"#),
                   path: "process.args", keyword: "expected array, found string"),
        DecodeCase(name: "non-string arg", json: Fixtures.config(process: #"{"args": ["sh", 3], "cwd": "/", "user": {"uid": 0, "gid": 0}}"#),
                   path: "process.args[1]", keyword: "expected string, found number"),
        DecodeCase(name: "process as an array", json: Fixtures.config(process: "[]"),
                   path: "process", keyword: "expected object, found array"),
        DecodeCase(name: "missing cwd", json: Fixtures.config(process: #"{"args": ["sh"], "user": {"uid": 0, "gid": 0}}"#),
                   path: "process.cwd", keyword: "required"),
        DecodeCase(name: "missing uid", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": "/", "user": {"gid": 0}}"#),
                   path: "process.user.uid", keyword: "required"),
        DecodeCase(name: "username instead of uid/gid", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": "/", "user": {"username": "root"}}"#),
                   path: "process.user", keyword: "username is not supported; give uid and gid"),
        DecodeCase(name: "negative uid", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": "/", "user": {"uid": -1, "gid": 0}}"#),
                   path: "process.user.uid", keyword: "between 0 and 4294967295, found -1"),
        DecodeCase(name: "fractional oomScoreAdj", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "oomScoreAdj": 1.5}"#),
                   path: "process.oomScoreAdj", keyword: "expected integer, found 1.5"),
        DecodeCase(name: "null cwd", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": null, "user": {"uid": 0, "gid": 0}}"#),
                   path: "process.cwd", keyword: "expected string, found null"),
        DecodeCase(name: "boolean given as number", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "terminal": 1}"#),
                   path: "process.terminal", keyword: "expected boolean"),
        DecodeCase(name: "unknown namespace type", json: Fixtures.config(linux: #"{"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "foo"}]}"#),
                   path: "linux.namespaces[2].type", keyword: #"unknown namespace type "foo""#),
        DecodeCase(name: "unknown seccomp action", json: Fixtures.config(linux: #"{"seccomp": {"defaultAction": "SCMP_ACT_NOPE"}}"#),
                   path: "linux.seccomp.defaultAction", keyword: #"unknown seccomp action "SCMP_ACT_NOPE""#),
        DecodeCase(name: "unknown seccomp architecture", json: Fixtures.config(linux: #"{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]}}"#),
                   path: "linux.seccomp.architectures[1]", keyword: #"unknown seccomp architecture "SCMP_ARCH_VAX""#),
        DecodeCase(name: "unknown seccomp flag", json: Fixtures.config(linux: #"{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}}"#),
                   path: "linux.seccomp.flags[0]", keyword: "unknown seccomp flag"),
        DecodeCase(name: "unknown seccomp operator", json: Fixtures.config(linux: #"{"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}]}}"#),
                   path: "linux.seccomp.syscalls[0].args[0].op", keyword: "unknown seccomp operator"),
        DecodeCase(name: "unknown personality domain", json: Fixtures.config(linux: #"{"personality": {"domain": "BSD"}}"#),
                   path: "linux.personality.domain", keyword: #"unknown personality domain "BSD""#),
        DecodeCase(name: "personality flags are not defined", json: Fixtures.config(linux: #"{"personality": {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}}"#),
                   path: "linux.personality.flags[0]", keyword: "unknown personality flag"),
        DecodeCase(name: "unknown memory policy mode", json: Fixtures.config(linux: #"{"memoryPolicy": {"mode": "MPOL_X"}}"#),
                   path: "linux.memoryPolicy.mode", keyword: "unknown memory policy mode"),
        DecodeCase(name: "unknown I/O priority class", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "ioPriority": {"class": "IOPRIO_CLASS_NONE", "priority": 0}}"#),
                   path: "process.ioPriority.class", keyword: "unknown I/O priority class"),
        DecodeCase(name: "unknown scheduler policy", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "scheduler": {"policy": "SCHED_X"}}"#),
                   path: "process.scheduler.policy", keyword: "unknown scheduler policy"),
        DecodeCase(name: "unknown scheduler flag", json: Fixtures.config(process: #"{"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}, "scheduler": {"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_X"]}}"#),
                   path: "process.scheduler.flags[0]", keyword: "unknown scheduler flag"),
        DecodeCase(name: "sysctl value of the wrong type", json: Fixtures.config(linux: #"{"sysctl": {"net.ipv4.ip_forward": 1}}"#),
                   path: #"linux.sysctl["net.ipv4.ip_forward"]"#, keyword: "expected string, found number"),
        DecodeCase(name: "time offset of the wrong type", json: Fixtures.config(linux: #"{"timeOffsets": {"monotonic": {"secs": "1"}}}"#),
                   path: "linux.timeOffsets.monotonic.secs", keyword: "expected integer, found string"),
        DecodeCase(name: "memory limit out of range", json: Fixtures.config(linux: #"{"resources": {"memory": {"limit": 99999999999999999999}}}"#),
                   path: "linux.resources.memory.limit", keyword: "between"),
        DecodeCase(name: "missing namespace type", json: Fixtures.config(linux: #"{"namespaces": [{"path": "/proc/1/ns/net"}]}"#),
                   path: "linux.namespaces[0].type", keyword: "required"),
        DecodeCase(name: "missing ociVersion", json: Data(#"{"root": {"path": "r"}}"#.utf8),
                   path: "ociVersion", keyword: "required"),
        DecodeCase(name: "top level array", json: Data("[]".utf8),
                   path: "config.json", keyword: "expected object, found array"),
    ]

    @Test("decoding errors name the JSON path", arguments: decodeCases)
    func decodeErrors(_ testCase: DecodeCase) throws {
        let error = try #require(Fixtures.specError { _ = try Spec.decode(testCase.json) })
        #expect(error.path == testCase.path)
        #expect(error.message.contains(testCase.keyword), "\(error)")
        #expect(error.description == "\(error.path): \(error.message)")
    }

    struct SyntaxCase: Sendable, CustomTestStringConvertible {
        let json: String
        let position: String
        let keyword: String
        var testDescription: String { json.debugDescription }
    }

    static let syntaxCases: [SyntaxCase] = [
        SyntaxCase(json: #"{"ociVersion": "1.2.0",,}"#, position: "line 1, column 24 (byte offset 23)", keyword: "unexpected character ','"),
        SyntaxCase(json: "{\n  \"ociVersion\": \"1.2.0\",\n  \"process\": {\"args\": [}\n}", position: "line 3, column 24", keyword: "unexpected character '}'"),
        SyntaxCase(json: "", position: "line 1, column 1", keyword: "unexpected end of input"),
        SyntaxCase(json: #"{"a": 1} x"#, position: "column 10", keyword: "unexpected data after the JSON value"),
        SyntaxCase(json: #"{"a": tru}"#, position: "column 7", keyword: "invalid literal"),
        SyntaxCase(json: #"{"a": 01}"#, position: "column 8", keyword: "leading zeros"),
        SyntaxCase(json: "{\"a\": \"x\ny\"}", position: "line 1", keyword: "unescaped control character"),
        SyntaxCase(json: #"{"a": "\q"}"#, position: "column 8", keyword: "invalid escape"),
        SyntaxCase(json: #"{"a": "abc"#, position: "line 1", keyword: "unterminated string"),
        SyntaxCase(json: #"{"a" 1}"#, position: "column 6", keyword: "expected ':'"),
        SyntaxCase(json: String(repeating: "[", count: 600), position: "line 1", keyword: "nesting deeper than 512"),
    ]

    @Test("JSON syntax errors name config.json with line and column", arguments: syntaxCases)
    func syntaxErrors(_ testCase: SyntaxCase) throws {
        let error = try #require(Fixtures.specError { _ = try Spec.decode(Data(testCase.json.utf8)) })
        #expect(error.path == "config.json")
        #expect(error.message.contains("invalid JSON at \(testCase.position)") || error.message.contains(testCase.position), "\(error)")
        #expect(error.message.contains(testCase.keyword), "\(error)")
    }

    @Test("string escapes decode, including surrogate pairs")
    func stringEscapes() throws {
        let json = #"{"ociVersion": "1.2.0", "hostname": "a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x", "root": {"path": "r"}}"#
        let spec = try Spec.decode(Data(json.utf8))
        #expect(spec.hostname == "a\"b\\c/d\n\u{e9}\u{1F600}\u{FFFD}x")
    }

    @Test("a repeated key keeps its last value, as Go does")
    func repeatedKey() throws {
        let spec = try Spec.decode(Data(#"{"ociVersion": "1.0.0", "ociVersion": "1.2.0"}"#.utf8))
        #expect(spec.ociVersion == "1.2.0")
    }

    @Test("load(bundle:) reads <bundle>/config.json")
    func loadBundle() throws {
        let bundle = "/tmp/swiftlet-oci-tests-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        defer { _ = Self.remove(bundle) }
        try Data(Fixtures.specExample.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        let spec = try Spec.load(bundle: bundle)
        #expect(spec.hostname == "slartibartfast")
        #expect(try Spec.load(bundle: bundle + "/") == spec)
    }

    @Test("load(bundle:) of a missing file names config.json and the reason")
    func loadMissing() throws {
        let error = try #require(Fixtures.specError { _ = try Spec.load(bundle: "/nonexistent-swiftlet-bundle") })
        #expect(error.path == "config.json")
        #expect(error.message == "cannot read /nonexistent-swiftlet-bundle/config.json: No such file or directory")
        #expect(error.description == "config.json: cannot read /nonexistent-swiftlet-bundle/config.json: No such file or directory")
    }

    @Test("load(bundle:) of a directory says so")
    func loadDirectory() throws {
        let bundle = "/tmp/swiftlet-oci-tests-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: bundle + "/config.json", withIntermediateDirectories: true)
        defer { _ = Self.remove(bundle) }
        let error = try #require(Fixtures.specError { _ = try Spec.load(bundle: bundle) })
        #expect(error.path == "config.json")
        #expect(error.message.hasPrefix("cannot read \(bundle)/config.json: "))
    }

    /// Removes a test directory; reports failure to the caller instead of hiding it.
    private static func remove(_ path: String) -> Bool {
        do {
            try FileManager.default.removeItem(atPath: path)
            return true
        } catch {
            Issue.record("cannot remove \(path): \(error)")
            return false
        }
    }
}
