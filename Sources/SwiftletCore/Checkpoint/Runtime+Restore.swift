import FoundationEssentials
import OCI

extension Runtime {
    /// `restore` (runc CLI, runc-restore(8)): a new container `id` from the bundle's config.json,
    /// its process tree (swiftlet-init and below) brought back by CRIU from the image directory.
    /// Like runc, the runtime makes the cgroup and applies `linux.resources`, then CRIU
    /// restores the namespaces, the mounts (the rootfs bound at `<state>/<id>/criu-root`, which
    /// CRIU needs to be a mount point), the processes into that cgroup, and their seccomp
    /// filters, credentials and no_new_privs as they were dumped. The restored init is the
    /// runtime's child (`--restore-sibling`); `--detach` returns at once, else restore waits
    /// for it as `run` does and exits with its status. Not part of the runtime-spec.
    /// On failure nothing is left: no state, cgroup, mount or process. docs/checkpoint.md.
    public func restore(id: String, options: RestoreOptions) throws -> Int32 {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        _ = try CriuCgroupMode.check(options.manageCgroupsMode)
        _ = try CriuLSMProfile.check(options.lsmProfile)
        let emptyNetwork = try CriuEmptyNamespaces.criuNames(options.emptyNamespaces).contains("net")
        if options.lsmMountContext?.isEmpty == true { throw RuntimeError("--lsm-mount-context: empty", errno: Errno.EINVAL) }
        let bundle = Self.absolutePath(options.bundle)
        let (spec, configBytes) = try Self.loadSpec(bundle: bundle)
        guard let process = spec.process else { throw RuntimeError("process: required") }
        if process.terminal == true {
            throw RuntimeError("restore: process.terminal is true: swiftlet cannot hand a restored console back yet "
                + "(CRIU's command line has no orphan-pts-master; docs/checkpoint.md)", errno: Errno.EOPNOTSUPP)
        }
        let imageDir = Self.absolutePath(options.imagePath ?? "checkpoint")
        let isDirectory = try withContext("--image-path") { try Sys.stat(imageDir).kind == .directory }
        guard isDirectory else { throw RuntimeError("--image-path: \(imageDir) is not a directory", errno: Errno.ENOTDIR) }
        let rootPath = spec.root?.path ?? ""
        let rootfs = rootPath.hasPrefix("/") ? rootPath : bundle + "/" + rootPath
        var inherited: [(String, Int32)] = []
        var joined: [(String, String)] = []
        var inheritedFDs: [Int32] = []
        defer { for fd in inheritedFDs { Sys.closeRaw(fd) } }
        for (index, namespace) in (spec.linux?.namespaces ?? []).enumerated() {
            guard let path = namespace.path, !path.isEmpty else { continue }
            let field = "linux.namespaces[\(index)].path"
            if namespace.type == .network && emptyNetwork {
                continue  // --empty-ns network: CRIU makes it empty, nothing handed over (runc)
            } else if namespace.type == .network || namespace.type == .pid {
                let fd = try withContext(field) { try Sys.open(path, Linux.O_RDONLY).take() }
                inheritedFDs.append(fd)
                // 0-2 are CRIU's stdio; what it inherits (namespaces, the init's exe) comes after.
                inherited.append((CriuArguments.namespaceKey(namespace.type), Int32(2 + inheritedFDs.count)))
            } else if let name = CriuArguments.joinName(namespace.type) {
                joined.append((name, path))
            } else {
                throw RuntimeError("\(field): CRIU cannot restore into a joined \(namespace.type.rawValue) namespace", errno: Errno.EOPNOTSUPP)
            }
        }
        // swiftlet-init's exe, external at dump: a fresh sealed memfd of the init under the
        // dumped key (an image without the key was not made by swiftlet: nothing to hand over).
        let exeKeyPath = imageDir + "/" + CriuArguments.initExeFile
        if Sys.exists(exeKeyPath) {
            let text = try withContext("--image-path: \(exeKeyPath)") {
                String(decoding: try Sys.readFile(exeKeyPath), as: UTF8.self)
            }
            let key = text.split(separator: "\n").first.map(String.init) ?? ""
            guard key.hasPrefix("file["), key.hasSuffix("]") else {
                throw RuntimeError("--image-path: \(exeKeyPath): \"\(key)\" is not a CRIU file key", errno: Errno.EINVAL)
            }
            let memfd = try InitBinary.load()
            inheritedFDs.append(memfd.take())
            inherited.append((key, Int32(2 + inheritedFDs.count)))
        }
        // The process's stdio pipes recorded at dump (descriptors.json, ours or runc's): the
        // restore's own descriptor of the same number takes each one's place (conmon's or the
        // shim's new pipe), as runc does.
        let descriptorsPath = imageDir + "/" + CriuArguments.descriptorsFile
        if Sys.exists(descriptorsPath) {
            let recorded = try withContext("--image-path: \(descriptorsPath)") {
                try CriuArguments.parseDescriptors(try Sys.readFile(descriptorsPath))
            }
            for (key, number) in CriuArguments.pipeInherits(recorded) {
                let copy: Int32
                do { copy = try Sys.dup(number, minimum: 3).take() } catch {
                    warn("restore: descriptor \(number) is not open: the restored process's \(key) is restored unconnected")
                    continue
                }
                inheritedFDs.append(copy)
                inherited.append((key, Int32(2 + inheritedFDs.count)))
            }
        }
        let criu = try CriuTool.locate(options.criuPath, command: "restore")
        // A CRIU before 3.19 neither dumps nor restores no_new_privs: every restored process
        // runs without it. Where the config asks for it (config.md "noNewPrivileges"), that
        // would be a container with less confinement than its config says, so restore refuses
        // (runc restores and drops it silently). Without it in the config only swiftlet-init
        // loses its own, which it never execs under (docs/checkpoint.md "Confinement").
        if process.noNewPrivileges == true && !CriuTool.restoresNoNewPrivs(criu.version) {
            throw RuntimeError("restore: process.noNewPrivileges is true, but criu \(criu.version) restores processes "
                + "without no_new_privs (CRIU 3.19 keeps it): refusing to run the container less confined than its config",
                errno: Errno.EOPNOTSUPP)
        }
        try criu.check(command: "restore")

        let lock = try store.create(id)
        var record = ContainerRecord(
            ociVersion: spec.ociVersion, id: id, bundle: bundle, rootfs: rootfs, pid: nil, initStartTime: nil,
            created: Timestamp.now(), owner: "", annotations: spec.annotations, creating: true, started: false,
            cgroup: nil, hooks: spec.hooks, namespaces: spec.linux?.namespaces, terminal: process.terminal)
        var manager: CgroupManager?
        let criuRoot = store.directory(id) + "/criu-root"
        var mounted = false
        // The restored init's pidfd (raw: owned by `restored` below once everything worked).
        var pidfd: Int32 = -1
        do {
            let cgroup: CgroupManager
            do {
                cgroup = try Cgroups.manager(cgroupsPath: spec.linux?.cgroupsPath, containerID: id)
                record.cgroup = cgroup.description
                try store.write(record)
                try store.writeConfig(id, configBytes)
                try cgroup.create()
                manager = cgroup
                for warning in try cgroup.apply(Self.createResources(spec)) { warn(warning) }
            } catch let error as CgroupError {
                throw RuntimeError("cgroup: \(error)", errno: error.errno ?? 0)
            }
            try RestoreMountpoints.create(rootfs: rootfs, mounts: spec.mounts ?? [], bundle: bundle)
            try withContext("restore: \(criuRoot)") { try Sys.mkdir(criuRoot, mode: 0o755) }
            try withContext("restore: bind \(rootfs) to \(criuRoot)") {
                try Sys.mount(source: rootfs, target: criuRoot, type: nil, flags: Linux.MS_BIND | Linux.MS_REC, data: nil)
            }
            mounted = true
            let pidFile = store.directory(id) + "/criu.pid"
            let workDir = options.workPath.map(Self.absolutePath) ?? imageDir
            try withContext("--work-path") { try Sys.mkdirAll(workDir, mode: 0o700) }
            let description = cgroup.description
            var cgroupRoots: [String] = []
            if let unified = description.unified, description.mode == .unified { cgroupRoots.append(unified.path) }
            for location in description.legacy where !location.controllers.isEmpty {
                cgroupRoots.append("\(location.controllers.joined(separator: ",")):\(location.path)")
            }
            // prestart and createRuntime hooks run at CRIU's setup-namespaces step (CriuRestoreHooks).
            let wantsHooks = !(spec.hooks?.prestart?.isEmpty ?? true) || !(spec.hooks?.createRuntime?.isEmpty ?? true)
            let hooks = wantsHooks ? try CriuRestoreHooks(directory: store.directory(id)) : nil
            defer { hooks?.remove(log: debug) }
            var args = try CriuArguments.restore(
                root: criuRoot, imageDir: imageDir, workDir: workDir, pidFile: pidFile, options: options, cgroupRoot: nil,
                binds: CriuArguments.bindMounts(spec.mounts ?? [], bundle: bundle),
                devices: CriuArguments.devicePaths(spec.linux?.devices), inherited: inherited, joined: joined,
                actionScript: hooks?.scriptPath)
            for root in cgroupRoots { args += ["--cgroup-root", root] }
            debug("restore: \(criu.path) \(args.joined(separator: " "))")
            // Each inherited descriptor goes to 3, 4, ... in CRIU: first copied above all of
            // those numbers, so that no dup2 of posix_spawn overwrites a source still to come.
            var spread: [Int32] = []
            defer { for fd in spread { Sys.closeRaw(fd) } }
            for fd in inheritedFDs {
                spread.append(try withContext("restore: inherited descriptor \(fd)") {
                    try Sys.dup(fd, minimum: Int32(3 + inheritedFDs.count)).take()
                })
            }
            let inherit = spread.enumerated().map { ($0.element, Int32(3 + $0.offset)) }
            var hookFailure: Error?
            let (code, output) = try CriuTool.run(
                criu.path, args, command: "restore", inherit: inherit, requestFD: hooks?.request.raw ?? -1,
                onRequest: {
                    guard let hooks else { return }
                    let failure = hooks.answer { pid in
                        let state = try Runtime.specState(record, status: .creating, pid: pid)
                        try HookRunner.run(spec.hooks?.prestart, kind: "prestart", state: state)
                        try HookRunner.run(spec.hooks?.createRuntime, kind: "createRuntime", state: state)
                    }
                    if let failure, hookFailure == nil { hookFailure = failure }
                })
            if let hookFailure { throw hookFailure }
            guard code == 0 else {
                let log = workDir + "/restore.log"
                throw RuntimeError("restore: criu restore failed (exit status \(code)): "
                    + "\(CriuTool.logError(log) ?? CriuTool.lastLine(output)) (log: \(log))")
            }
            let text = try withContext("restore: \(pidFile)") { String(decoding: try Sys.readFile(pidFile), as: UTF8.self) }
            guard let pid = Int32(text.trimmingPrefix(while: { $0 == " " }).prefix { $0.isNumber }), pid > 0 else {
                throw RuntimeError("restore: criu wrote no pid to \(pidFile): \"\(text)\"")
            }
            try withContext("restore: \(pidFile)") { try Sys.unlink(pidFile) }
            pidfd = try withContext("restore: pidfd of the restored init \(pid)") { try Sys.pidfdOpen(pid).take() }
            guard let stat = Sys.processStat(pid) else { throw RuntimeError("restore: the restored init \(pid) is gone", errno: Errno.ESRCH) }
            record.pid = pid
            record.initStartTime = stat.startTime
            record.creating = false
            record.started = true
            try store.write(record)
            try withContext("restore: unmount \(criuRoot)") { try Sys.umount(criuRoot) }
            mounted = false
            try withContext("restore: \(criuRoot)") { try Sys.rmdir(criuRoot) }
            if let pidFile = options.pidFile {
                try withContext("--pid-file") { try Sys.writeFileAtomically(Self.absolutePath(pidFile), Array("\(pid)".utf8)) }
            }
        } catch {
            if pidfd >= 0 { Sys.closeRaw(pidfd) }
            if let pid = record.pid { Sys.kill(pid, Linux.SIGKILL) }
            if mounted {
                do { try Sys.umount(criuRoot) } catch { debug("restore: unmount \(criuRoot): \(error)") }
            }
            if let manager {
                do { try manager.destroy() } catch { warn("restore: remove the cgroup: \(error)") }
            }
            do { try store.remove(id) } catch { warn("restore: remove the state of \(id): \(error)") }
            _ = consume lock
            removeCacheIfLast()
            throw error
        }
        _ = consume lock
        if options.detach { return 0 }
        let restored = CreatedContainer(record: record, pidfd: FileDescriptor(pidfd), consoleMaster: -1)
        let exitCode = try waitInForeground(restored)
        do { try delete(id: id, force: true) } catch { warn("delete \(id): \(error)") }
        return exitCode
    }
}
