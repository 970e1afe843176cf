import ArgumentParser
import SwiftletCore

/// Flags shared by `create` and `run` (runc's names).
struct CreateFlags: ParsableArguments {
    @Option(name: [.short, .long], help: "Path to the OCI bundle (directory holding config.json).", completion: .directory)
    var bundle: String = "."

    @Option(name: .customLong("pid-file"), help: "Write the container's init pid to this file.")
    var pidFile: String?

    @Option(name: .customLong("console-socket"), help: "Unix socket that receives the pty master (process.terminal).")
    var consoleSocket: String?

    @Flag(name: .customLong("no-pivot"), help: "Use MS_MOVE + chroot instead of pivot_root (ramfs roots).")
    var noPivot = false

    @Flag(name: .customLong("no-new-keyring"), help: "Do not create a new session keyring.")
    var noNewKeyring = false

    @Option(name: .customLong("preserve-fds"), help: "Pass this many fds after stdio (3, 4, ...) to the process, after any systemd socket-activation fds (LISTEN_FDS, as runc).")
    var preserveFDs: Int = 0

    @Option(name: .customLong("seccomp-record"), help: ArgumentHelp(
        "Record the syscalls the container uses and write a default-deny seccomp profile allowing them to FILE when it exits (replaces linux.seccomp meanwhile).",
        valueName: "FILE"))
    var seccompRecord: String?

    func options() -> Runtime.CreateOptions {
        var o = Runtime.CreateOptions(bundle: bundle)
        o.pidFile = pidFile
        o.consoleSocket = consoleSocket
        o.noPivot = noPivot
        o.noNewKeyring = noNewKeyring
        o.preserveFDs = preserveFDs
        o.seccompRecord = seccompRecord
        o.listenFDs = Runtime.CreateOptions.socketActivationFDs()
        return o
    }
}

struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a container from a bundle; its process waits for `start`.")

    @ParentCommand var top: Swiftlet
    @OptionGroup var flags: CreateFlags
    @Argument(help: "Container id.") var id: String

    func run() throws {
        _ = try top.globals.runtime().create(id: id, options: flags.options())
    }
}

extension CreateFlags {
    /// The spellings of these flags for the fast path (FastPath.swift).
    static let fastFlags = ["--no-pivot": "no-pivot", "--no-new-keyring": "no-new-keyring"]
    static let fastOptions = ["-b": "bundle", "--bundle": "bundle", "--pid-file": "pid-file",
                              "--console-socket": "console-socket", "--preserve-fds": "preserve-fds",
                              "--seccomp-record": "seccomp-record"]

    /// The same options `options()` makes, from a fast-path command line; nil declines.
    static func options(_ line: FastCommandLine) -> Runtime.CreateOptions? {
        var o = Runtime.CreateOptions(bundle: line.value("bundle") ?? ".")
        o.pidFile = line.value("pid-file")
        o.consoleSocket = line.value("console-socket")
        o.noPivot = line.has("no-pivot")
        o.noNewKeyring = line.has("no-new-keyring")
        o.seccompRecord = line.value("seccomp-record")
        o.listenFDs = Runtime.CreateOptions.socketActivationFDs()
        if let fds = line.value("preserve-fds") {
            guard let n = Int(fds) else { return nil }
            o.preserveFDs = n
        }
        return o
    }
}

extension Create {
    static let fastGrammar = FastCommandLine.Grammar(flags: CreateFlags.fastFlags, options: CreateFlags.fastOptions) { line, globals in
        guard let options = CreateFlags.options(line) else { return nil }
        return { _ = try globals.runtime().create(id: line.positionals[0], options: options) }
    }
}
