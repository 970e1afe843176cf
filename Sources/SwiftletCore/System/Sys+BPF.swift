import CSwiftlet
import Glibc

/// bpf(2) for the cgroup v2 device controller: load a BPF_PROG_TYPE_CGROUP_DEVICE program and
/// attach it to a cgroup, replacing what an earlier apply attached (as runc does).
extension Sys {
    /// linux/bpf.h `enum bpf_attach_type` BPF_CGROUP_DEVICE and the attach flags.
    static let BPF_CGROUP_DEVICE: UInt32 = 6
    static let BPF_F_ALLOW_MULTI: UInt32 = 1 << 1

    /// Loads a device program (8-byte instructions, `DeviceBPF.program`). On a verifier
    /// rejection the error's operation carries the first lines of the verifier log.
    public static func bpfLoadCgroupDevice(_ instructions: [UInt8], license: String) throws(SystemError) -> FileDescriptor {
        var log = [CChar](repeating: 0, count: 64 * 1024)
        let count = UInt32(instructions.count / 8)
        let fd = instructions.withUnsafeBytes { insns in
            log.withUnsafeMutableBufferPointer { buffer in
                swl_bpf_load_cgroup_device(insns.baseAddress, count, license, buffer.baseAddress, UInt32(buffer.count))
            }
        }
        if fd < 0 {
            let err = Glibc.errno
            let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let tail = text.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw SystemError(errno: err, operation: "bpf(BPF_PROG_LOAD)" + (tail.isEmpty ? "" : " [verifier: \(tail)]"),
                              path: "\(count) instructions")
        }
        return FileDescriptor(fd)
    }

    /// The ids of the device programs attached to the cgroup `cgroupFD` (an O_RDONLY directory).
    public static func bpfDevicePrograms(cgroupFD: Int32, path: String) throws(SystemError) -> [UInt32] {
        var capacity: UInt32 = 64
        for _ in 0..<10 {
            var ids = [UInt32](repeating: 0, count: Int(capacity))
            var count = capacity
            let rc = swl_bpf_prog_query(cgroupFD, BPF_CGROUP_DEVICE, &ids, &count)
            if rc == 0 { return Array(ids.prefix(Int(min(count, capacity)))) }
            let err = Glibc.errno
            if err == EINTR { continue }
            // ENOSPC: the array was too small and count is the real number.
            if err == ENOSPC && count > capacity { capacity = count; continue }
            throw SystemError(errno: err, operation: "bpf(BPF_PROG_QUERY)", path: path)
        }
        throw SystemError(errno: ENOSPC, operation: "bpf(BPF_PROG_QUERY)", path: path)
    }

    /// A descriptor of an attached program by id (to replace or detach it).
    public static func bpfProgram(id: UInt32) throws(SystemError) -> FileDescriptor {
        FileDescriptor(try check("bpf(BPF_PROG_GET_FD_BY_ID)", "program \(id)") { swl_bpf_prog_get_fd_by_id(id) })
    }

    /// Attaches a device program with BPF_F_ALLOW_MULTI, replacing `replacing` atomically when
    /// given (BPF_F_REPLACE, Linux 5.6).
    public static func bpfAttachDevice(cgroupFD: Int32, program: Int32, replacing: Int32?, path: String) throws(SystemError) {
        _ = try check("bpf(BPF_PROG_ATTACH)", path) {
            swl_bpf_prog_attach(cgroupFD, program, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, replacing ?? -1)
        }
    }

    public static func bpfDetachDevice(cgroupFD: Int32, program: Int32, path: String) throws(SystemError) {
        _ = try check("bpf(BPF_PROG_DETACH)", path) { swl_bpf_prog_detach(cgroupFD, program, BPF_CGROUP_DEVICE) }
    }

    /// An O_RDONLY|O_DIRECTORY descriptor of `name` below `dirfd` ("." for itself): bpf(2)
    /// and inotify need a real open directory, not the O_PATH handle the cgroup code keeps.
    public static func openDirectoryReadable(at dirfd: Int32, _ name: String, display: String) throws(SystemError) -> FileDescriptor {
        try openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC, display: display)
    }
}
