import OCI

extension Runtime {
    /// `checkpoint` (runc CLI, runc-checkpoint(8)): CRIU dumps the running (or paused)
    /// container's process tree, from swiftlet-init down, into the image directory; unless
    /// `--leave-running` or `--pre-dump`, CRIU kills the tree and the container is deleted, as
    /// runc does. CRIU is driven through its RPC (`criu swrk`, Checkpoint/CriuSwrk.swift), as
    /// runc does: only there can a terminal container's pty slave, whose master the engine holds
    /// outside the tree, be dumped (`orphan_pts_master`). Not part of the runtime-spec.
    /// docs/checkpoint.md.
    ///
    /// Before anything is touched, CRIU itself is checked (`criu check`): where it cannot work on
    /// this kernel the command fails in one line saying why and the container is left as it was.
    public func checkpoint(id: String, options: CheckpointOptions) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        _ = try CriuCgroupMode.check(options.manageCgroupsMode)
        if let parent = options.parentPath, parent.hasPrefix("/") {
            throw RuntimeError("--parent-path: \"\(parent)\" must be relative to the image path (as runc requires)", errno: Errno.EINVAL)
        }
        if let server = options.pageServer { _ = try CriuPageServer.parse(server) }
        let emptyNetwork = try CriuEmptyNamespaces.criuNames(options.emptyNamespaces).contains("net")
        // --status-fd (with --lazy-pages, as runc): the caller's descriptor, open for writing;
        // CRIU reopens it through /proc/<runtime>/fd/N (status_fd) and writes the 0 byte there
        // once its page server is ready.
        var statusFD: Int32?
        if let fd = options.statusFD, options.lazyPages {
            let flags: Int32
            do { flags = try Sys.fcntl(fd, Linux.F_GETFL, 0) } catch {
                throw RuntimeError("--status-fd: \(fd) is not an open descriptor", errno: Errno.EBADF)
            }
            guard flags & Linux.O_ACCMODE != Linux.O_RDONLY else {
                throw RuntimeError("--status-fd: \(fd) is not open for writing", errno: Errno.EBADF)
            }
            statusFD = fd
        }
        let lock = try store.lock(id)
        let record = try store.read(id)
        let current = status(of: record)
        guard current == .running || current == .paused, let pid = record.pid else {
            throw RuntimeError("checkpoint: container \"\(id)\" cannot be checkpointed in the \(current.rawValue) state", errno: Errno.EINVAL)
        }
        // One handle on a procfs of the runtime's own for everything read about the init.
        let procfs = try withContext("checkpoint: procfs") { try Procfs.open() }
        let maps = try withContext("checkpoint: maps of the init") {
            String(decoding: try procfs.read("\(pid)/maps"), as: UTF8.self)
        }
        if CriuArguments.mapsMemfd(maps) {
            throw RuntimeError("checkpoint: container \"\(id)\" was created by a swiftlet whose init still maps its memfd: "
                + "CRIU could dump it but never restore it; recreate the container (docs/checkpoint.md)", errno: Errno.EOPNOTSUPP)
        }
        let criu = try CriuTool.locate(options.criuPath, command: "checkpoint")
        try criu.check(command: "checkpoint", root: store.root, debug: debug)
        let spec = try store.savedSpec(of: record)
        let imageDir = Self.absolutePath(options.imagePath ?? "checkpoint")
        let workDir = options.workPath.map(Self.absolutePath) ?? imageDir
        for (flag, dir) in [("--image-path", imageDir), ("--work-path", workDir)] {
            try withContext(flag) { try Sys.mkdirAll(dir, mode: 0o700) }
        }
        if let parent = options.parentPath {
            let full = imageDir + "/" + parent
            let isDirectory = try withContext("--parent-path") { try Sys.stat(full).kind == .directory }
            guard isDirectory else { throw RuntimeError("--parent-path: \(full) is not a directory", errno: Errno.ENOTDIR) }
        }
        let mountinfo = try withContext("checkpoint: mountinfo of the init") {
            String(decoding: try procfs.read("\(pid)/mountinfo"), as: UTF8.self)
        }
        var external: [(LinuxNamespaceType, UInt64)] = []
        // A network namespace left empty (--empty-ns network) is not handed over, as runc does.
        for namespace in record.namespaces ?? []
        where namespace.type == .pid || (namespace.type == .network && !emptyNetwork) {
            guard let path = namespace.path, !path.isEmpty else { continue }
            let inode = try withContext("linux.namespaces (\(namespace.type.rawValue)).path") { try Sys.stat(path).inode }
            external.append((namespace.type, inode))
        }
        // swiftlet-init runs from a sealed memfd, which CRIU cannot restore as an exe link: it
        // is external, and restore hands CRIU a fresh sealed memfd of the init under the same
        // key (the init moved its segments off the memfd, swiftlet-init/exeimage.c).
        let exe = try withContext("checkpoint: the init's executable") {
            try procfs.executableIdentity(pid)
        }
        let exeKey = CriuArguments.fileKey(mountID: exe.mountID, inode: exe.inode)
        if !options.preDump {
            try withContext("checkpoint: \(imageDir)/\(CriuArguments.initExeFile)") {
                try Sys.writeFileAtomically(imageDir + "/" + CriuArguments.initExeFile, Array((exeKey + "\n").utf8))
            }
        }
        // The process's stdio (an engine's pipes, the container's /dev/null, ...), recorded as
        // runc records it so that restore can hand the caller's new pipes to CRIU in their place.
        if !options.preDump {
            let targets = try withContext("checkpoint: the stdio of the container's process") {
                let process = try procfs.children(pid).first ?? pid
                return try procfs.descriptorTargets(process, [0, 1, 2])
            }
            let path = imageDir + "/" + CriuArguments.descriptorsFile
            let bytes = try withContext("checkpoint: \(path)") { try CriuArguments.descriptorsJSON(targets) }
            try withContext("checkpoint: \(path)") { try Sys.writeFileAtomically(path, bytes) }
        }
        // Processes outside the init's tree (started by exec) are not dumped: listed now, while
        // they run, and named once the dump has succeeded.
        let outsiders = options.preDump ? [] : processesOutsideInit(id: id, initPID: pid, procfs: procfs)
        let imagesFD = try withContext("--image-path") { try Sys.open(imageDir, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC) }
        let workFD = try withContext("--work-path") { try Sys.open(workDir, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC) }
        let opts = try CriuArguments.dump(
            pid: pid, rootfs: record.rootfs, imagesDirFD: imagesFD.raw, workDirFD: workFD.raw, options: options,
            binds: CriuArguments.bindMounts(spec?.mounts ?? [], bundle: record.bundle),
            devices: CriuArguments.devicePaths(spec?.linux?.devices),
            maskedFiles: CriuArguments.maskedFiles(spec?.linux?.maskedPaths ?? [], mountinfo: mountinfo),
            externalNamespaces: external, externalFiles: [exeKey], statusFD: statusFD)
        debug("checkpoint: \(criu.path) swrk: \(options.preDump ? "PRE_DUMP" : "DUMP") \(opts)")
        let outcome = try CriuSwrk.run(criu.path, options.preDump ? .preDump : .dump, opts: opts, command: "checkpoint", debug: debug)
        guard let response = outcome.response, response.success else {
            let log = workDir + (options.preDump ? "/pre-dump.log" : "/dump.log")
            throw RuntimeError("checkpoint: criu \(options.preDump ? "pre-dump" : "dump") failed: "
                + "\(CriuSwrk.failure(outcome, log: log)) (log: \(log))")
        }
        if let warning = CheckpointOutsiders.warning(id: id, outsiders, leaveRunning: options.leaveRunning) { warn(warning) }
        _ = consume lock
        if !options.leaveRunning && !options.preDump {
            // CRIU killed the tree once the images were written: what is left is the state,
            // the cgroup and the container's mounts, which delete removes (runc destroys too).
            try delete(id: id, force: true)
        }
    }
}
