import FoundationEssentials
import Testing
@testable import OCI

/// Documents and builders shared by the tests.
enum Fixtures {
    /// runtime-spec config.md "Configuration Schema Example".
    static let specExample = #"""
    {
        "ociVersion": "1.0.1",
        "process": {
            "terminal": true,
            "user": {
                "uid": 1,
                "gid": 1,
                "additionalGids": [5, 6]
            },
            "args": ["sh"],
            "env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm"
            ],
            "cwd": "/",
            "capabilities": {
                "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                "inheritable": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                "effective": ["CAP_AUDIT_WRITE", "CAP_KILL"],
                "ambient": ["CAP_NET_BIND_SERVICE"]
            },
            "rlimits": [
                {"type": "RLIMIT_CORE", "hard": 1024, "soft": 1024},
                {"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}
            ],
            "apparmorProfile": "acme_secure_profile",
            "oomScoreAdj": 100,
            "selinuxLabel": "system_u:system_r:svirt_lxc_net_t:s0:c124,c675",
            "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 4},
            "noNewPrivileges": true
        },
        "root": {"path": "rootfs", "readonly": true},
        "hostname": "slartibartfast",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
        ],
        "hooks": {
            "prestart": [
                {"path": "/usr/bin/fix-mounts", "args": ["fix-mounts", "arg1", "arg2"], "env": ["key1=value1"]},
                {"path": "/usr/bin/setup-network"}
            ],
            "poststart": [
                {"path": "/usr/bin/notify-start", "timeout": 5}
            ],
            "poststop": [
                {"path": "/usr/sbin/cleanup.sh", "args": ["cleanup.sh", "-f"]}
            ]
        },
        "linux": {
            "devices": [
                {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
                {"path": "/dev/sda", "type": "b", "major": 8, "minor": 0, "fileMode": 432, "uid": 0, "gid": 0}
            ],
            "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 32000}],
            "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 32000}],
            "sysctl": {
                "net.ipv4.ip_forward": "1",
                "net.core.somaxconn": "256"
            },
            "cgroupsPath": "/myRuntime/myContainer",
            "resources": {
                "network": {
                    "classID": 1048577,
                    "priorities": [
                        {"name": "eth0", "priority": 500},
                        {"name": "eth1", "priority": 1000}
                    ]
                },
                "pids": {"limit": 32771},
                "hugepageLimits": [
                    {"pageSize": "2MB", "limit": 9223372036854772000},
                    {"pageSize": "64KB", "limit": 1000000}
                ],
                "memory": {
                    "limit": 536870912,
                    "reservation": 536870912,
                    "swap": 536870912,
                    "kernel": -1,
                    "kernelTCP": -1,
                    "swappiness": 0,
                    "disableOOMKiller": false
                },
                "cpu": {
                    "shares": 1024,
                    "quota": 1000000,
                    "period": 500000,
                    "realtimeRuntime": 950000,
                    "realtimePeriod": 1000000,
                    "cpus": "2-3",
                    "idle": 1,
                    "mems": "0-7"
                },
                "devices": [
                    {"allow": false, "access": "rwm"},
                    {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"},
                    {"allow": true, "type": "b", "major": 8, "minor": 0, "access": "r"}
                ],
                "blockIO": {
                    "weight": 10,
                    "leafWeight": 10,
                    "weightDevice": [
                        {"major": 8, "minor": 0, "weight": 500, "leafWeight": 300},
                        {"major": 8, "minor": 16, "weight": 500}
                    ],
                    "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 600}],
                    "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 300}]
                }
            },
            "rootfsPropagation": "slave",
            "seccomp": {
                "defaultAction": "SCMP_ACT_ALLOW",
                "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                "syscalls": [
                    {"names": ["getcwd", "chmod"], "action": "SCMP_ACT_ERRNO"}
                ]
            },
            "timeOffsets": {
                "monotonic": {"secs": 172800, "nanosecs": 0},
                "boottime": {"secs": 604800, "nanosecs": 0}
            },
            "namespaces": [
                {"type": "pid"},
                {"type": "network"},
                {"type": "ipc"},
                {"type": "uts"},
                {"type": "mount"},
                {"type": "user"},
                {"type": "cgroup"},
                {"type": "time"}
            ],
            "maskedPaths": [
                "/proc/kcore",
                "/proc/latency_stats",
                "/proc/timer_stats",
                "/proc/sched_debug"
            ],
            "readonlyPaths": [
                "/proc/asound",
                "/proc/bus",
                "/proc/fs",
                "/proc/irq",
                "/proc/sys",
                "/proc/sysrq-trigger"
            ],
            "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811"
        },
        "annotations": {
            "com.example.key1": "value1",
            "com.example.key2": "value2"
        }
    }
    """#

    /// A small configuration that passes validation: the starting point of every
    /// validation case, which then breaks one thing.
    static func minimal() -> Spec {
        Spec(
            ociVersion: "1.2.0",
            process: Process(args: ["sh"], env: ["PATH=/bin"], cwd: "/", user: User(uid: 0, gid: 0)),
            root: Root(path: "rootfs"),
            hostname: "box",
            mounts: [Mount(destination: "/proc", type: "proc", source: "proc")],
            linux: Linux(namespaces: [
                LinuxNamespace(type: .pid), LinuxNamespace(type: .network), LinuxNamespace(type: .ipc),
                LinuxNamespace(type: .uts), LinuxNamespace(type: .mount), LinuxNamespace(type: .cgroup),
            ])
        )
    }

    /// A config.json document with `process` replaced by `processJSON`.
    static func config(process processJSON: String) -> Data {
        Data(#"{"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "process": \#(processJSON)}"#.utf8)
    }

    /// A config.json document with `linux` replaced by `linuxJSON`.
    static func config(linux linuxJSON: String) -> Data {
        Data(#"{"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}}, "linux": \#(linuxJSON)}"#.utf8)
    }

    /// The SpecError `body` throws, or nil; any other error is recorded as a test issue.
    static func specError(_ body: () throws -> Void) -> SpecError? {
        do {
            try body()
            return nil
        } catch let error as SpecError {
            return error
        } catch {
            Issue.record("expected a SpecError, got \(error)")
            return nil
        }
    }
}
