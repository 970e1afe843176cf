import Foundation
import Glibc
import Testing

/// What the host offers beyond `Harness.ready` (kernel build, cgroup controllers, tools), probed
/// once per test process: each probe is nil when the host has the thing, else the reason it
/// lacks it, worded for the skip line. A test that needs one says so with
/// `@Test(HostProbe.requires(HostProbe.userNamespaces))`; it then reports `skipped: "<reason>"` on a
/// host without it, and still checks exactly what it did where the host has it. A test that
/// can check part of what it covers on such a host does so and ends with `Test.cancel(reason)`.
enum HostProbe {
    /// A trait enabling the test only when every probe passed (nil); the reasons otherwise.
    static func requires(_ probes: String?...) -> ConditionTrait {
        let missing = probes.compactMap { $0 }
        return .enabled(if: missing.isEmpty, Comment(rawValue: missing.joined(separator: "; ")))
    }

    // MARK: namespaces

    /// nil when the kernel has the namespace type (its /proc/self/ns name).
    static func namespace(_ name: String) -> String? {
        access("/proc/self/ns/\(name)", F_OK) == 0 ? nil : "host kernel has no \(name) namespace (/proc/self/ns/\(name) missing)"
    }

    static let userNamespaces: String? = {
        if let missing = namespace("user") { return missing }
        if readText("/proc/sys/user/max_user_namespaces")?.trimmingCharacters(in: .whitespacesAndNewlines) == "0" {
            return "user namespaces are switched off on this host (user.max_user_namespaces = 0)"
        }
        return nil
    }()

    static let timeNamespace: String? = namespace("time")
    static let cgroupNamespace: String? = namespace("cgroup")

    // MARK: seccomp

    /// nil when the kernel filters syscalls with seccomp and offers each action of
    /// /proc/sys/kernel/seccomp/actions_avail named.
    static func seccomp(_ actions: String...) -> String? {
        guard readText("/proc/self/status")?.contains("\nSeccomp:") == true else {
            return "host kernel has no seccomp (no Seccomp: in /proc/self/status)"
        }
        let avail = (readText("/proc/sys/kernel/seccomp/actions_avail") ?? "kill_thread trap errno trace allow")
            .split(whereSeparator: \.isWhitespace).map(String.init)
        for action in actions where !avail.contains(action) {
            return "host kernel has no seccomp action \(action) (actions_avail: \(avail.joined(separator: " ")))"
        }
        return nil
    }

    static let seccompFilter: String? = seccomp("errno")
    /// The seccomp recorder is a user-notification filter answered with FLAG_CONTINUE (5.5+).
    static let seccompUserNotif: String? = seccomp("user_notif")

    // MARK: cgroups

    /// nil when each cgroup controller is usable: in the unified hierarchy's
    /// cgroup.controllers on v2; on v1/hybrid a hierarchy of that name, or the unified one at
    /// /sys/fs/cgroup/unified. The v2 freezer is cgroup.freeze (Linux 5.2).
    static func controllers(_ names: String...) -> String? {
        // The unified hierarchy mounted at /sys/fs/cgroup itself (v2 only) has cgroup.controllers there.
        let v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0
        let words = { (path: String) in Set((readText(path) ?? "").split(whereSeparator: \.isWhitespace).map(String.init)) }
        for name in names {
            if v2 {
                if name == "freezer" {
                    let children = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
                    let sample = children.first { access("/sys/fs/cgroup/\($0)/cgroup.procs", F_OK) == 0 }
                    if let sample, access("/sys/fs/cgroup/\(sample)/cgroup.freeze", F_OK) != 0 {
                        return "host kernel has no cgroup v2 freezer (no cgroup.freeze: Linux < 5.2)"
                    }
                } else if !words("/sys/fs/cgroup/cgroup.controllers").contains(name) {
                    return "host has no \(name) cgroup controller (not in /sys/fs/cgroup/cgroup.controllers)"
                }
            } else if access("/sys/fs/cgroup/\(name)", F_OK) != 0 && !words("/sys/fs/cgroup/unified/cgroup.controllers").contains(name) {
                return "host has no \(name) cgroup controller (no /sys/fs/cgroup/\(name) hierarchy, not in the unified one)"
            }
        }
        return nil
    }

    static let freezer: String? = controllers("freezer")

    // MARK: files and tools

    /// The kernel has POSIX message queues (CONFIG_POSIX_MQUEUE): without them the sandbox's
    /// runc-like config leaves its /dev/mqueue mount out (no test checks that mount).
    static let mqueue: Bool = (readText("/proc/filesystems") ?? "").split(separator: "\n")
        .contains { $0.split(whereSeparator: \.isWhitespace).last == "mqueue" }

    /// A /proc file the kernel has that runc's default maskedPaths list (and the test can mask
    /// and read back as empty); nil when the kernel has none of them. (/proc/kcore is left out:
    /// if masking failed, reading it would not end.)
    static let maskableProcFile: String? = ["/proc/timer_list", "/proc/keys", "/proc/sched_debug", "/proc/latency_stats"]
        .first { access($0, R_OK) == 0 }

    /// The C compiler the thread-recording test builds with, and whether it can link statically
    /// (glibc's libc.a, from libc6-dev).
    static let staticCCompiler: String? = {
        let compilers = ["/opt/swift/usr/bin/clang", "/usr/bin/cc"]
        guard compilers.contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return "no C compiler (\(compilers.joined(separator: " or ")))"
        }
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let candidates = ["/usr/lib/\(machine)-linux-gnu/libc.a", "/usr/lib64/libc.a", "/usr/lib/libc.a"]
        guard candidates.contains(where: { access($0, R_OK) == 0 }) else {
            return "no static libc to link a test program with -static (\(candidates[0]): apt-get install libc6-dev)"
        }
        return nil
    }()
}
