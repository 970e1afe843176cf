import FoundationEssentials
import OCI

extension Runtime {
    /// `restore` (runc CLI, runc-restore(8)): a new container `id` from the bundle's config.json,
    /// its process tree (swiftlet-init and below) brought back by CRIU from the image directory.
    /// Like runc, the runtime makes the cgroup and applies `linux.resources`, then CRIU
    /// restores the namespaces, the mounts (the rootfs bound at `<state>/<id>/criu-root`, which
    /// CRIU needs to be a mount point), the processes into that cgroup, and their seccomp
    /// filters, credentials and no_new_privs as they were dumped. CRIU is driven through its
    /// RPC (`criu swrk`, Checkpoint/CriuSwrk.swift): the prestart and createRuntime hooks run
    /// at its setup-namespaces notification, and a terminal container's new console master
    /// (its orphan-pts-master notification) goes to `--console-socket` as at create. The
    /// restored init is the runtime's child (`rst_sibling`); `--detach` returns at once, else
    /// restore waits for it as `run` does and exits with its status. Not part of the runtime-spec.
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
        // The console, as at create: the restored pty's master (CRIU's orphan-pts-master) goes
        // to --console-socket, which a terminal container needs and only it takes.
        let terminal = process.terminal == true
        if options.consoleSocket != nil && !terminal {
            throw RuntimeError("--console-socket given but process.terminal is false", errno: Errno.EINVAL)
        }
        if terminal && options.consoleSocket == nil {
            throw RuntimeError("process.terminal is true: --console-socket is required", errno: Errno.EINVAL)
        }
        let imageDir = Self.absolutePath(options.imagePath ?? "checkpoint")
        let isDirectory = try withContext("--image-path") { try Sys.stat(imageDir).kind == .directory }
        guard isDirectory else { throw RuntimeError("--image-path: \(imageDir) is not a directory", errno: Errno.ENOTDIR) }
        let rootPath = spec.root?.path ?? ""
        let rootfs = rootPath.hasPrefix("/") ? rootPath : bundle + "/" + rootPath
        // What CRIU hands to the restored processes (inherit_fd): (key, the runtime's
        // descriptor), given to CRIU at CriuSwrk.inheritBase and up in this order.
        var inherited: [(String, Int32)] = []
        var joined: [(String, String)] = []
        var inheritedFDs: [Int32] = []
        defer { for fd in inheritedFDs { Sys.closeRaw(fd) } }
        /// Takes `fd` (closed when restore ends) and hands it to CRIU under `key`.
        func handOver(_ fd: Int32, as key: String) {
            inheritedFDs.append(fd)
            inherited.append((key, CriuSwrk.inheritBase + Int32(inheritedFDs.count - 1)))
        }
        for (index, namespace) in (spec.linux?.namespaces ?? []).enumerated() {
            guard let path = namespace.path, !path.isEmpty else { continue }
            let field = "linux.namespaces[\(index)].path"
            if namespace.type == .network && emptyNetwork {
                continue  // --empty-ns network: CRIU makes it empty, nothing handed over (runc)
            } else if namespace.type == .network || namespace.type == .pid {
                let fd = try withContext(field) { try Sys.open(path, Linux.O_RDONLY).take() }
                handOver(fd, as: CriuArguments.namespaceKey(namespace.type))
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
            handOver(memfd.take(), as: key)
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
                handOver(copy, as: key)
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
        try criu.check(command: "restore", root: store.root, debug: debug)

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
        // The restored init once CRIU said so: killed if anything after fails.
        var restoredPid: Int32?
        do {
            let cgroup: CgroupManager
            do {
                cgroup = try Cgroups.manager(cgroupsPath: spec.linux?.cgroupsPath, containerID: id)
                record.cgroup = cgroup.description
                record.config = configBytes
                try store.write(record)
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
            let workDir = options.workPath.map(Self.absolutePath) ?? imageDir
            try withContext("--work-path") { try Sys.mkdirAll(workDir, mode: 0o700) }
            let imagesFD = try withContext("--image-path") { try Sys.open(imageDir, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC) }
            let workFD = try withContext("--work-path") { try Sys.open(workDir, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC) }
            let description = cgroup.description
            var cgroupRoots: [(String?, String)] = []
            if let unified = description.unified, description.mode == .unified { cgroupRoots.append((nil, unified.path)) }
            for location in description.legacy where !location.controllers.isEmpty {
                cgroupRoots.append((location.controllers.joined(separator: ","), location.path))
            }
            let opts = try CriuArguments.restore(
                root: criuRoot, imagesDirFD: imagesFD.raw, workDirFD: workFD.raw, options: options, cgroupRoots: cgroupRoots,
                binds: CriuArguments.bindMounts(spec.mounts ?? [], bundle: bundle),
                devices: CriuArguments.devicePaths(spec.linux?.devices), inherited: inherited, joined: joined,
                terminal: terminal)
            debug("restore: \(criu.path) swrk: RESTORE \(opts)")
            // CRIU's steps: prestart and createRuntime hooks at setup-namespaces, with the
            // restored init's pid (as runc runs them; config.md "POSIX-platform Hooks"); the
            // console's master at orphan-pts-master, sent to --console-socket as create sends it.
            var masterSent = false
            let outcome = try CriuSwrk.run(criu.path, .restore, opts: opts, command: "restore", inherit: inheritedFDs,
                                         debug: debug) { note in
                switch note.script {
                case "setup-namespaces":
                    guard let pid = note.pid, pid > 0 else {
                        throw RuntimeError("restore: CRIU's setup-namespaces notification has no pid")
                    }
                    let state = try Runtime.specState(record, status: .creating, pid: pid)
                    try HookRunner.run(spec.hooks?.prestart, kind: "prestart", state: state)
                    try HookRunner.run(spec.hooks?.createRuntime, kind: "createRuntime", state: state)
                case "orphan-pts-master":
                    guard note.fd >= 0 else { throw RuntimeError("restore: CRIU's orphan-pts-master notification has no descriptor") }
                    guard let socket = options.consoleSocket else { throw RuntimeError("process.terminal is true: --console-socket is required") }
                    try LaunchSupport.sendConsole(note.fd, to: socket)
                    masterSent = true
                default:
                    break
                }
            }
            if let failure = outcome.notifyError { throw failure }
            let log = workDir + "/restore.log"
            guard let response = outcome.response, response.success else {
                throw RuntimeError("restore: criu restore failed: \(CriuSwrk.failure(outcome, log: log)) (log: \(log))")
            }
            guard let pid = response.restoredPid, pid > 0 else {
                throw RuntimeError("restore: criu gave no pid for the restored init (log: \(log))")
            }
            restoredPid = pid
            if terminal && !masterSent {
                throw RuntimeError("restore: CRIU restored no console (the images have no pty slave without its master): "
                    + "process.terminal is true (log: \(log))", errno: Errno.EINVAL)
            }
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
            if let pid = restoredPid ?? record.pid { Sys.kill(pid, Linux.SIGKILL) }
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
