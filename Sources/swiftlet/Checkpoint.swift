import ArgumentParser
import SwiftletCore

/// runc's `checkpoint` (runc-checkpoint(8)) through CRIU's command line. docs/checkpoint.md.
struct Checkpoint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Checkpoint a running container with CRIU (runc's checkpoint).",
        discussion: """
            CRIU dumps the container's processes into --image-path. Unless --leave-running or \
            --pre-dump is given, the processes are killed once dumped and the container is \
            deleted, as with runc. `criu check` must pass on this kernel: when it does not, \
            the command fails saying why and leaves the container untouched. docs/checkpoint.md.
            """)
    @ParentCommand var top: Swiftlet
    @Option(name: .customLong("image-path"), help: ArgumentHelp("Where CRIU writes the images (default: ./checkpoint).", valueName: "DIR"))
    var imagePath: String?
    @Option(name: .customLong("work-path"), help: ArgumentHelp("Where CRIU writes dump.log and work files (default: the image path).", valueName: "DIR"))
    var workPath: String?
    @Option(name: .customLong("parent-path"), help: ArgumentHelp("A pre-dump's images, relative to the image path.", valueName: "DIR"))
    var parentPath: String?
    @Flag(name: .customLong("leave-running"), help: "Leave the container running after the dump.") var leaveRunning = false
    @Flag(name: .customLong("tcp-established"), help: "Dump established TCP connections.") var tcpEstablished = false
    @Flag(name: .customLong("ext-unix-sk"), help: "Allow unix sockets connected outside the container.") var extUnixSk = false
    @Flag(name: .customLong("shell-job"), help: "Allow a process attached to the caller's terminal (session outside).") var shellJob = false
    @Flag(name: .customLong("file-locks"), help: "Dump file locks.") var fileLocks = false
    @Flag(name: .customLong("pre-dump"), help: "Dump memory only and leave the container running (iterative migration).") var preDump = false
    @Option(name: .customLong("manage-cgroups-mode"), help: ArgumentHelp("CRIU's cgroup mode: soft, full, strict or ignore (default: soft).", valueName: "MODE"))
    var manageCgroupsMode: String?
    @Flag(name: .customLong("lazy-pages"), help: "Leave the pages in place and serve them on demand (userfaultfd at restore).") var lazyPages = false
    @Option(name: .customLong("page-server"), help: ArgumentHelp("A CRIU page server to send the pages to (with --lazy-pages: where to serve them).", valueName: "ADDRESS:PORT"))
    var pageServer: String?
    @Option(name: .customLong("status-fd"), help: ArgumentHelp("With --lazy-pages: write a 0 byte here once the page server is ready.", valueName: "FD"))
    var statusFD: Int32?
    @Flag(name: .customLong("auto-dedup"), help: "Deduplicate the parent's pages (with --parent-path).") var autoDedup = false
    @Option(name: .customLong("empty-ns"), help: ArgumentHelp("Leave this namespace empty instead of dumping it (network).", valueName: "NS"))
    var emptyNamespaces: [String] = []
    @Argument(help: "Container id.", completion: .containerID) var id: String

    func run() throws {
        var options = CheckpointOptions()
        options.imagePath = imagePath
        options.workPath = workPath
        options.parentPath = parentPath
        options.leaveRunning = leaveRunning
        options.tcpEstablished = tcpEstablished
        options.extUnixSk = extUnixSk
        options.shellJob = shellJob
        options.fileLocks = fileLocks
        options.preDump = preDump
        options.manageCgroupsMode = manageCgroupsMode
        options.lazyPages = lazyPages
        options.pageServer = pageServer
        options.statusFD = statusFD
        options.autoDedup = autoDedup
        options.emptyNamespaces = emptyNamespaces
        options.criuPath = top.globals.criu
        try top.globals.runtime().checkpoint(id: id, options: options)
    }
}

/// runc's `restore` (runc-restore(8)) through CRIU's command line. docs/checkpoint.md.
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a container from a CRIU checkpoint (runc's restore).",
        discussion: """
            Makes container ID from the bundle's config.json (its cgroup and resources) and \
            has CRIU restore the processes from --image-path into it. Without --detach, waits \
            for the container like run, deletes it and exits with its status. docs/checkpoint.md.
            """)
    @ParentCommand var top: Swiftlet
    @Option(name: .customLong("image-path"), help: ArgumentHelp("The images to restore (default: ./checkpoint).", valueName: "DIR"))
    var imagePath: String?
    @Option(name: .customLong("work-path"), help: ArgumentHelp("Where CRIU writes restore.log (default: the image path).", valueName: "DIR"))
    var workPath: String?
    @Option(name: [.short, .long], help: ArgumentHelp("Bundle directory (default: the current directory).", valueName: "DIR"))
    var bundle: String = "."
    @Flag(name: [.short, .long], help: "Return once restored.") var detach = false
    @Option(name: .customLong("pid-file"), help: ArgumentHelp("Write the restored init's pid here.", valueName: "FILE"))
    var pidFile: String?
    @Option(name: .customLong("console-socket"), help: ArgumentHelp("runc's: a terminal container cannot be restored yet (refused).", valueName: "SOCKET"))
    var consoleSocket: String?
    @Flag(name: .customLong("no-pivot"), help: "runc's: accepted (CRIU sets the root up itself).") var noPivot = false
    @Flag(name: .customLong("no-subreaper"), help: "runc's: accepted (restore never becomes a subreaper).") var noSubreaper = false
    @Flag(name: .customLong("tcp-established"), help: "Restore established TCP connections.") var tcpEstablished = false
    @Flag(name: .customLong("ext-unix-sk"), help: "Allow unix sockets connected outside the container.") var extUnixSk = false
    @Flag(name: .customLong("shell-job"), help: "Allow a process attached to the caller's terminal.") var shellJob = false
    @Flag(name: .customLong("file-locks"), help: "Restore file locks.") var fileLocks = false
    @Option(name: .customLong("manage-cgroups-mode"), help: ArgumentHelp("CRIU's cgroup mode: soft, full, strict or ignore (default: soft).", valueName: "MODE"))
    var manageCgroupsMode: String?
    @Flag(name: .customLong("lazy-pages"), help: "Fetch the pages on demand (a criu lazy-pages daemon must run).") var lazyPages = false
    @Flag(name: .customLong("auto-dedup"), help: "Punch holes into the images as pages are restored.") var autoDedup = false
    @Option(name: .customLong("empty-ns"), help: ArgumentHelp("Make this namespace empty instead of restoring it (network).", valueName: "NS"))
    var emptyNamespaces: [String] = []
    @Option(name: .customLong("lsm-profile"), help: ArgumentHelp("The LSM label of the restored processes.", valueName: "TYPE:NAME"))
    var lsmProfile: String?
    @Option(name: .customLong("lsm-mount-context"), help: ArgumentHelp("The SELinux mount context of the restored mounts.", valueName: "CONTEXT"))
    var lsmMountContext: String?
    @Argument(help: "Container id.") var id: String

    func run() throws {
        var options = RestoreOptions()
        options.imagePath = imagePath
        options.workPath = workPath
        options.bundle = bundle
        options.detach = detach
        options.pidFile = pidFile
        options.consoleSocket = consoleSocket
        options.noPivot = noPivot
        options.tcpEstablished = tcpEstablished
        options.extUnixSk = extUnixSk
        options.shellJob = shellJob
        options.fileLocks = fileLocks
        options.manageCgroupsMode = manageCgroupsMode
        options.lazyPages = lazyPages
        options.autoDedup = autoDedup
        options.emptyNamespaces = emptyNamespaces
        options.lsmProfile = lsmProfile
        options.lsmMountContext = lsmMountContext
        options.criuPath = top.globals.criu
        let code = try top.globals.runtime().restore(id: id, options: options)
        if code != 0 { throw ExitCode(code) }
    }
}
