import CSwiftlet
import FoundationEssentials
import OCI

/// A container that `create` left waiting for `start`. `run` keeps using the pidfd (the init
/// is the runtime's child) and the pty master when it owns the terminal.
public struct CreatedContainer: ~Copyable {
    public let record: ContainerRecord
    public let pidfd: FileDescriptor
    /// The pty master when `run` owns the terminal, else -1 (closed with this value).
    public let consoleMaster: Int32
    /// The seccomp recorder when recording (its pidfd is closed with this value).
    public var recorder: RecorderProcess? = nil
    /// With `CreateOptions.startAtOnce`: the connection START went out on, where the init
    /// answers STARTED or why the process could not run; else -1.
    public var startConnection: Int32 = -1

    deinit {
        if consoleMaster >= 0 { Sys.closeRaw(consoleMaster) }
        if startConnection >= 0 { Sys.closeRaw(startConnection) }
        if let recorder { Sys.closeRaw(recorder.pidfd) }
    }
}

extension Runtime {
    /// The bundle's config.json (runtime-spec bundle.md), decoded and validated, and its bytes
    /// (kept in the state directory): what create and restore start from. `bundle` is absolute.
    static func loadSpec(bundle: String) throws -> (spec: Spec, bytes: [UInt8]) {
        let configFile = bundle.hasSuffix("/") ? bundle + "config.json" : bundle + "/config.json"
        let configBytes: [UInt8]
        do {
            configBytes = try Sys.readFile(configFile)
        } catch {
            throw RuntimeError(SpecError(path: "config.json", message: "cannot read \(configFile): \(error.reason)"))
        }
        do {
            let spec = try Spec.decode(Data(configBytes))
            try spec.validate()
            return (spec, configBytes)
        } catch {
            throw RuntimeError(error)
        }
    }

    /// runtime-spec runtime.md "Create": set everything up, leave the process waiting for
    /// `start`. On any failure nothing is left behind: no process, cgroup, mount or state dir.
    public func create(id: String, options: CreateOptions) throws -> CreatedContainer {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let bundle = Self.absolutePath(options.bundle)
        let (spec, configBytes) = try Self.loadSpec(bundle: bundle)
        guard var process = spec.process else { throw RuntimeError("process: required") }
        let configuredProcess = process
        var options = options
        if options.listenFDs > 0 {
            // runc's socket activation: the descriptors come first (3, 4, ...), then --preserve-fds.
            process.env = (process.env ?? []) + ["LISTEN_FDS=\(options.listenFDs)", "LISTEN_PID=1"]
            options.preserveFDs += options.listenFDs
        }
        let initMode: InitMode
        do {
            initMode = try InitMode.choose(annotations: spec.annotations, namespaces: spec.linux?.namespaces)
        } catch {
            throw RuntimeError(error)
        }
        let rootPath = spec.root?.path ?? ""
        let rootfs = rootPath.hasPrefix("/") ? rootPath : bundle + "/" + rootPath
        do {
            guard try Sys.stat(rootfs).kind == .directory else { throw RuntimeError("root.path: \(rootfs) is not a directory") }
        } catch let error as SystemError {
            throw RuntimeError("root.path", error)
        }
        let namespaces = NamespacePlan(spec.linux?.namespaces ?? [])
        for join in namespaces.joins where !Sys.exists(join.path) {
            throw RuntimeError("linux.namespaces (\(join.type.rawValue)): path \(join.path) does not exist", errno: Errno.ENOENT)
        }
        try Self.checkNamespaceFiles(spec.linux?.namespaces ?? [])
        try HostMountNamespace.check(spec, namespaces: namespaces)
        try MemoryPolicy.checkHost(spec.linux?.memoryPolicy)
        try NetDevices.check(spec)
        let resctrl = try IntelRdt.check(spec)
        if options.consoleSocket != nil && process.terminal != true {
            throw RuntimeError("--console-socket given but process.terminal is false")
        }
        if process.terminal == true && options.consoleSocket == nil && !options.keepConsole {
            throw RuntimeError("process.terminal is true: --console-socket is required")
        }

        if let caps = process.capabilities {
            let skipped = InitPlan.unraisableAmbient(caps)
            if !skipped.isEmpty {
                debug("process.capabilities.ambient: \(skipped.joined(separator: ", ")) not raised: not in both permitted and inheritable")
            }
        }
        warnCapabilitiesUnknownToKernel(process.capabilities)
        try refuseCapabilitiesNotHeld(process.capabilities, userNamespace: namespaces.isPrivate(.user))
        let recordPath = try Self.seccompRecordPath(option: options.seccompRecord, annotations: spec.annotations, bundle: bundle)
        let lock = try store.create(id)
        Fault.point("after-state-dir")
        var record = ContainerRecord(
            ociVersion: spec.ociVersion, id: id, bundle: bundle, rootfs: rootfs, pid: nil, initStartTime: nil,
            created: Timestamp.now(), owner: "", annotations: spec.annotations, creating: true, started: false,
            cgroup: nil, hooks: spec.hooks, namespaces: spec.linux?.namespaces, terminal: process.terminal)
        record.process = configuredProcess  // exec's defaults (Runtime+Exec.swift)
        record.seccomp = spec.linux?.seccomp
        var launch = Launch(runtime: self, spec: spec, process: process, record: record, namespaces: namespaces, options: options)
        launch.recordPath = recordPath
        launch.initMode = initMode
        launch.resctrl = resctrl
        do {
            // The cgroup is recorded before it exists, so that `delete --force` finds it
            // whenever create dies.
            try launch.prepareIDMaps()
            try launch.prepareMountOptions()
            try launch.prepareCgroup()
            launch.record.config = configBytes
            try store.write(launch.record)
            Fault.point("after-state-file")
            let result = try launch.run()
            record = result.record
            // With START already queued, the record is written once the init answered it
            // (finishStart): one write instead of two.
            if !options.startAtOnce { try store.write(record) }
            Fault.point("before-pid-file")
            if let pidFile = options.pidFile, let pid = record.pid {
                try withContext("--pid-file") { try Sys.writeFileAtomically(Self.absolutePath(pidFile), Array("\(pid)".utf8)) }
            }
            _ = consume lock
            return CreatedContainer(record: record, pidfd: result.take(), consoleMaster: result.console,
                                    recorder: result.recorder, startConnection: result.startConnection)
        } catch {
            launch.abort()
            try? store.remove(id)
            _ = consume lock
            removeCacheIfLast()
            throw error
        }
    }
}

extension Runtime {
    /// `linux.resources` as create applies them: config.json's, then the rules that keep the
    /// default devices and ptys usable (`DeviceCreator.cgroupRules`; `linux.devices` entries
    /// get none: the config's own rules decide). `update` starts from these until it has
    /// recorded its own.
    static func createResources(_ spec: Spec) -> LinuxResources {
        var resources = spec.linux?.resources ?? LinuxResources()
        resources.devices = (resources.devices ?? []) + DeviceCreator.cgroupRules(for: spec.linux?.devices)
        return resources
    }

    /// config-linux.md "Namespaces": a `path` must be a namespace file of the given type; the
    /// kernel's answer to setns(2) otherwise is a bare EINVAL, deep inside the child.
    static func checkNamespaceFiles(_ namespaces: [LinuxNamespace]) throws {
        for (index, namespace) in namespaces.enumerated() {
            guard let path = namespace.path, !path.isEmpty else { continue }
            let field = "linux.namespaces[\(index)].path"
            let found: UInt64
            do {
                found = try Sys.namespaceType(path)
            } catch {
                if error.errno == Errno.ENOTTY { throw RuntimeError("\(field): \(path) is not a namespace file", errno: error.errno) }
                throw RuntimeError(field, error)
            }
            let wanted = NamespacePlan.flag(of: namespace.type)
            if found != wanted {
                let actual = LinuxNamespaceType.allCases.first { NamespacePlan.flag(of: $0) == found }?.rawValue ?? "unknown"
                throw RuntimeError("\(field): \(path) is a namespace of type \(actual), not \(namespace.type.rawValue)", errno: Errno.EINVAL)
            }
        }
    }
}
