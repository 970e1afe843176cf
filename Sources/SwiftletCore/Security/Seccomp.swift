import CSwiftlet
import OCI

/// A seccomp filter ready for swiftlet-init: classic BPF instructions (struct sock_filter,
/// 8 bytes each) and the SECCOMP_FILTER_FLAG_* bits to load it with.
public struct SeccompProgram: Sendable, Equatable {
    public var flags: UInt32
    public var instructions: [UInt8]

    public init(flags: UInt32, instructions: [UInt8]) {
        self.flags = flags
        self.instructions = instructions
    }
}

/// Compiles linux.seccomp to BPF in the runtime, before clone3 (runtime-spec config-linux.md
/// "Seccomp"). TODO(issue 3): libseccomp translation.
public enum SeccompCompiler {
    public static func compile(_ seccomp: LinuxSeccomp?) throws -> SeccompProgram? {
        guard seccomp != nil else { return nil }
        throw RuntimeError("linux.seccomp: not supported yet")
    }
}

extension InitPlan {
    public mutating func addSeccomp(_ program: SeccompProgram) {
        var payload: [UInt8] = []
        withUnsafeBytes(of: program.flags) { payload.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(0)) { payload.append(contentsOf: $0) }
        payload += program.instructions
        append(SWL_P_SECCOMP, raw: payload)
    }
}
