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
        options.criuPath = top.globals.criu
        let code = try top.globals.runtime().restore(id: id, options: options)
        if code != 0 { throw ExitCode(code) }
    }
}
