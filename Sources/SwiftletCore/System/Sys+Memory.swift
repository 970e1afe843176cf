import CSwiftlet
import Glibc

extension Sys {
    /// set_mempolicy(2) for the calling thread (inherited across fork and execve): `mode` with
    /// its MPOL_F_* flags, `nodemask` a bit mask of `maxNode` bits.
    public static func setMempolicy(mode: Int32, nodemask: [UInt], maxNode: UInt, display: String) throws(SystemError) {
        _ = try check("set_mempolicy", display) {
            nodemask.withUnsafeBufferPointer { swl_set_mempolicy(mode, $0.isEmpty ? nil : $0.baseAddress, maxNode) }
        }
    }

    /// sched_setaffinity(2) of the calling thread to the CPUs set in `mask` (a cpu_set_t's bytes).
    public static func setAffinity(_ mask: [UInt8], display: String) throws(SystemError) {
        _ = try check("sched_setaffinity", display) {
            mask.withUnsafeBytes { swl_sched_setaffinity(0, $0.count, $0.baseAddress) }
        }
    }
}
