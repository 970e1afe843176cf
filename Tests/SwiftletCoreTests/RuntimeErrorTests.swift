import OCI
import Testing

@testable import SwiftletCore

/// RuntimeError keeps what `--log-format json` reports besides the line: the field and errno.
struct RuntimeErrorTests {
    @Test(arguments: [
        ("mounts[3] (/data): mount /data: No such file or directory", "mounts[3]"),
        ("linux.sysctl[\"net.ipv4.ip_forward\"]: write: Permission denied", "linux.sysctl[\"net.ipv4.ip_forward\"]"),
        ("process.terminal is true: --console-socket is required", "process.terminal"),
        ("linux.namespaces (net /x): setns: Invalid argument", "linux.namespaces"),
        ("--pid-file: open /x: Permission denied", "--pid-file"),
        ("root.path: /x is not a directory", "root.path"),
    ])
    func fieldOfALine(line: String, field: String) {
        #expect(RuntimeError(line).field == field)
    }

    @Test(arguments: ["cannot exec in a stopped container", "exec: clone3: Operation not permitted", "cgroup", "--", ""])
    func noFieldInALine(line: String) {
        #expect(RuntimeError(line).field == nil)
    }

    @Test func keepsTheTypedCause() {
        let system = SystemError(errno: Errno.ENOENT, operation: "open", path: "/x")
        let error = RuntimeError("process.cwd (/x)", system)
        #expect(error.errno == Errno.ENOENT)
        #expect(error.field == "process.cwd")
        #expect((error.cause as? SystemError) == system)

        let cgroup = CgroupError(errno: Errno.EINVAL.rawValue, operation: "write", path: "/sys/fs/cgroup/c/pids.max",
                                 field: "linux.resources.pids.limit")
        let wrapped = RuntimeError("cgroup", cause: cgroup)
        #expect(wrapped.description == "cgroup: \(cgroup)")
        #expect(wrapped.field == "linux.resources.pids.limit")
        #expect(wrapped.errno == Errno.EINVAL)

        let spec = RuntimeError(SpecError(path: "linux.namespaces[2].type", message: "unknown namespace type \"foo\""))
        #expect(spec.field == "linux.namespaces[2].type")
        #expect(spec.errno == 0)
    }

    @Test func errnoNames() {
        #expect(Errno.ENOENT.rawValue == 2)
        #expect(Errno.EDQUOT.name == "EDQUOT")
        #expect(Errno(rawValue: 9999).name == nil)
        #expect(Errno.ENOENT.description == "No such file or directory")
        switch Int32(13) {
        case Errno.EACCES: break
        default: Issue.record("13 is not EACCES")
        }
    }
}
