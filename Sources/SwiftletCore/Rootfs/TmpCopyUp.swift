/// The `tmpcopyup` mount option (runc's extension, used by podman for every `--tmpfs`): the
/// tmpfs mounted on a directory of the image starts with a copy of that directory's content,
/// owners and modes included. runtime-spec config.md "Mounts" leaves options to the runtime.
enum TmpCopyUp {
    /// Copies the tree under `source` (a directory descriptor opened before the mount, so it
    /// still names the image's directory) into `target` (the new tmpfs). Nothing is followed:
    /// symlinks are copied as symlinks, devices and fifos are recreated.
    static func copy(from source: Int32, to target: Int32, display: String) throws(SystemError) {
        for name in try Sys.listDirectory(source, path: display) {
            let path = display + "/" + name
            let info = try Sys.lstatat(source, name, display: path)
            switch info.kind {
            case .directory:
                try Sys.mkdirat(target, name, mode: info.mode, display: path)
                let from = try Sys.openat(source, name, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, display: path)
                let to = try Sys.openat(target, name, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_NOFOLLOW, display: path)
                try copy(from: from.raw, to: to.raw, display: path)
                try Sys.fchown(to.raw, uid: info.uid, gid: info.gid, path: path)
                try Sys.fchmod(to.raw, mode: info.mode, path: path)
            case .regular:
                let from = try Sys.openat(source, name, Linux.O_RDONLY | Linux.O_NOFOLLOW, display: path)
                let to = try Sys.openat(target, name, Linux.O_WRONLY | Linux.O_CREAT | Linux.O_EXCL | Linux.O_NOFOLLOW,
                                        mode: info.mode, display: path)
                try Sys.copyData(from: from.raw, to: to.raw, display: path)
                try Sys.fchown(to.raw, uid: info.uid, gid: info.gid, path: path)
                try Sys.fchmod(to.raw, mode: info.mode, path: path)
            case .symlink:
                try Sys.symlinkat(try Sys.readlinkat(source, name, display: path), target, name, display: path)
                try Sys.lchownat(target, name, uid: info.uid, gid: info.gid, display: path)
            case .charDevice, .blockDevice, .fifo:
                let type: UInt32 = info.kind == .fifo ? Linux.S_IFIFO : info.kind == .charDevice ? Linux.S_IFCHR : Linux.S_IFBLK
                try Sys.mknodat(target, name, mode: type | info.mode, major: info.rdevMajor, minor: info.rdevMinor, display: path)
                try Sys.lchownat(target, name, uid: info.uid, gid: info.gid, display: path)
                try Sys.chmodat(target, name, mode: info.mode, display: path)
            case .socket, .other:
                continue  // a socket cannot be copied; runc skips it too
            }
        }
    }
}
