import ArgumentParser
import SwiftletCore

/// `exec`: runc's flags. Everything after the container id is the command and its arguments,
/// options included (`swiftlet exec c1 ls -l`), as with runc.
struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run another process in a container.",
        discussion: """
            The process settings default to the container's (config.json's process at create \
            time); the flags change them. With --process FILE the file is the whole process \
            (a runtime-spec process object) and the process flags are ignored.
            """)
    @ParentCommand var top: Swiftlet

    @Option(name: [.short, .long], help: "Path to a process.json (runtime-spec process object).")
    var process: String?
    @Flag(name: [.short, .long], help: "Allocate a pseudo-TTY.") var tty = false
    @Option(name: .customLong("console-socket"), help: "Unix socket that receives the pty master (--tty).")
    var consoleSocket: String?
    @Flag(name: [.short, .long], help: "Return once the process runs.") var detach = false
    @Option(name: .customLong("pid-file"), help: "Write the process's pid to this file.") var pidFile: String?
    @Option(help: "Working directory in the container.") var cwd: String?
    @Option(name: [.short, .long], help: "Set an environment variable (KEY=VALUE); repeatable.") var env: [String] = []
    @Option(name: [.short, .long], help: "UID (format: <uid>[:<gid>]).") var user: String?
    @Option(name: [.customShort("g"), .customLong("additional-gids")], help: "Additional gid; repeatable.")
    var additionalGids: [UInt32] = []
    @Option(name: [.customShort("c"), .long], help: "Add a capability to the process; repeatable.") var cap: [String] = []
    @Flag(name: .customLong("no-new-privs"), help: "Set no_new_privs for the process.") var noNewPrivs = false
    @Option(help: "AppArmor profile for the process.") var apparmor: String?
    @Option(name: .customLong("process-label"), help: "SELinux label for the process.") var processLabel: String?
    @Option(name: .customLong("preserve-fds"), help: "Pass this many fds after stdio (3, 4, ...) to the process.")
    var preserveFDs: Int = 0
    @Flag(name: .customLong("ignore-paused"), help: "Exec even if the container is paused.") var ignorePaused = false
    @Option(help: "Run in an existing sub-cgroup ([<controller>:]<path>); repeatable.") var cgroup: [String] = []

    @Argument(help: "Container id.", completion: .containerID) var id: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func run() throws {
        var options = Runtime.ExecOptions()
        options.processFile = process
        options.consoleSocket = consoleSocket
        options.detach = detach
        options.pidFile = pidFile
        options.preserveFDs = preserveFDs
        options.ignorePaused = ignorePaused
        options.cgroups = cgroup
        var o = ExecProcess.Overrides()
        o.args = command.first == "--" ? Array(command.dropFirst()) : command
        o.cwd = cwd
        o.env = env
        o.user = user
        o.additionalGids = additionalGids.isEmpty ? nil : additionalGids
        o.caps = cap
        o.tty = tty
        o.noNewPrivileges = noNewPrivs
        o.apparmorProfile = apparmor
        o.processLabel = processLabel
        options.overrides = o
        try Self.execute(top.globals.runtime(), id: id, options: options)
    }
}

extension Exec {
    /// `exec [-p FILE] [-t] [--console-socket S] [-d] [--pid-file F] ID COMMAND...`, the flags
    /// engines use; any other flag declines to ArgumentParser.
    static let fastGrammar = FastCommandLine.Grammar(
        flags: ["-t": "tty", "--tty": "tty", "-d": "detach", "--detach": "detach"],
        options: ["-p": "process", "--process": "process", "--console-socket": "console-socket", "--pid-file": "pid-file"],
        capturesAfterFirst: true, passthroughAfterFirst: true,
        leftToArgumentParser: ["--cwd", "-e", "--env", "-u", "--user", "-g", "--additional-gids", "-c", "--cap",
                               "--no-new-privs", "--apparmor", "--process-label", "--preserve-fds", "--ignore-paused",
                               "--cgroup"]
    ) { line, globals in
        {
            var options = Runtime.ExecOptions()
            options.processFile = line.value("process")
            options.consoleSocket = line.value("console-socket")
            options.detach = line.has("detach")
            options.pidFile = line.value("pid-file")
            var o = ExecProcess.Overrides()
            let command = Array(line.positionals.dropFirst())
            o.args = command.first == "--" ? Array(command.dropFirst()) : command
            o.tty = line.has("tty")
            options.overrides = o
            try execute(globals.runtime(), id: line.positionals[0], options: options)
        }
    }

    static func execute(_ runtime: @autoclosure () throws -> Runtime, id: String, options: Runtime.ExecOptions) throws {
        if options.processFile == nil && options.overrides.args.isEmpty {
            throw RuntimeError("exec: a command is required (or --process)")
        }
        let code = try runtime().exec(id: id, options: options)
        if code != 0 { throw ExitCode(code) }
    }
}
