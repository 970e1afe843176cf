import FoundationEssentials
import OCI

/// The pure half of the seccomp recorder: from the syscalls seen (per architecture) to the
/// default-deny OCI profile written on exit (runtime-spec config-linux.md "Seccomp"):
/// `defaultAction` SCMP_ACT_ERRNO (EPERM), the `architectures` seen, and one allow entry with
/// the sorted syscall names.
public struct RecordedSyscalls: Sendable, Equatable {
    /// Names by architecture, as libseccomp resolved them.
    public var names: [Arch: Set<String>] = [:]
    /// Calls whose number no table knows (kept as numbers for the debug log).
    public var unknown: [Arch: Set<Int32>] = [:]

    public init() {}

    public mutating func add(_ name: String, arch: Arch) { names[arch, default: []].insert(name) }

    public var profile: LinuxSeccomp {
        let archs = names.keys.sorted { $0.rawValue < $1.rawValue }
        let all = names.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        return LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: SeccompTables.defaultErrno, architectures: archs,
                            syscalls: all.isEmpty ? [] : [LinuxSyscall(names: all.sorted(), action: .allow)])
    }

    /// The profile as written to the file: indented, keys sorted, with a final newline.
    public func profileJSON() throws -> [UInt8] {
        do {
            return Array(try OCIJSON.encode(profile, prettyPrinted: true)) + [UInt8(ascii: "\n")]
        } catch {
            throw RuntimeError("seccomp recorder: encode profile: \(error)")
        }
    }
}

/// AUDIT_ARCH_* values (linux/audit.h) of the notifications, and the OCI architecture each
/// means. x32 shares x86_64's AUDIT_ARCH and marks its syscall numbers with bit 30.
public enum AuditArch {
    static let x86_64: UInt32 = 0xC000_003E
    static let i386: UInt32 = 0x4000_0003
    static let aarch64: UInt32 = 0xC000_00B7
    static let arm: UInt32 = 0x4000_0028
    static let x32SyscallBit: Int32 = 0x4000_0000

    public static func oci(_ audit: UInt32, nr: Int32) -> Arch? {
        switch audit {
        case x86_64: return nr & x32SyscallBit != 0 ? .x32 : .x86_64
        case i386: return .x86
        case aarch64: return .aarch64
        case arm: return .arm
        default: return nil
        }
    }
}
