/// Puts a `DeviceBPF` program on a cgroup v2 directory, as runc's
/// `LoadAttachCgroupDeviceFilter` does: list the device programs already attached there (an
/// earlier create or a nested runtime), load the new one, attach it with BPF_F_ALLOW_MULTI
/// (replacing the old one atomically with BPF_F_REPLACE when there is exactly one, so the
/// cgroup is never without a filter), then detach the others. The attachment holds the program:
/// our descriptor is closed on return, and removing the cgroup releases it.
///
/// RLIMIT_MEMLOCK is left alone: since Linux 5.11 BPF memory is charged to the memory cgroup,
/// and raising the runtime's limit would leak into the container's init, which inherits it.
enum DeviceBPFLoader {
    static let field = "linux.resources.devices"

    static func attach(_ rules: [CgroupConversion.DeviceRule], to directory: CgroupDirectory) throws(CgroupError) {
        let program = try DeviceBPF.program(rules)
        let dirfd = try directory.fd()
        let path = directory.path
        // Descriptors of the programs attached before, closed on return.
        var old: [Int32] = []
        defer { for fd in old { Sys.closeRaw(fd) } }
        do {
            let cgroup = try Sys.openDirectoryReadable(at: dirfd, ".", display: path)
            for id in try Sys.bpfDevicePrograms(cgroupFD: cgroup.raw, path: path) {
                do {
                    old.append(try Sys.bpfProgram(id: id).take())
                } catch where error.errno == Errno.EPERM || error.errno == Errno.EACCES
                    || error.errno == Errno.ENOENT {
                    // A program an LSM hides from us, or one detached meanwhile: runc skips
                    // them too (another device program can only restrict further).
                    continue
                }
            }
            let loaded = try Sys.bpfLoadCgroupDevice(program.bytes, license: DeviceBPF.license)
            if old.count == 1 {
                do {
                    try Sys.bpfAttachDevice(cgroupFD: cgroup.raw, program: loaded.raw, replacing: old[0], path: path)
                    return
                } catch where error.errno == Errno.EINVAL || error.errno == Errno.EOPNOTSUPP {
                    // No BPF_F_REPLACE (before 5.6): attach, then detach the old one below.
                }
            }
            try Sys.bpfAttachDevice(cgroupFD: cgroup.raw, program: loaded.raw, replacing: nil, path: path)
            for fd in old {
                do {
                    try Sys.bpfDetachDevice(cgroupFD: cgroup.raw, program: fd, path: path)
                } catch where error.errno == Errno.ENOENT {
                    continue
                }
            }
        } catch {
            throw CgroupError(error, field: field)
        }
    }

    /// The ids of the device programs attached to `directory` (for tests and `features`).
    static func attachedPrograms(_ directory: CgroupDirectory) throws(CgroupError) -> [UInt32] {
        let dirfd = try directory.fd()
        do {
            let cgroup = try Sys.openDirectoryReadable(at: dirfd, ".", display: directory.path)
            return try Sys.bpfDevicePrograms(cgroupFD: cgroup.raw, path: directory.path)
        } catch {
            throw CgroupError(error, field: field)
        }
    }
}
