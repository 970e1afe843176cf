import ArgumentParser
import SwiftletCore

/// `swiftlet`: runc-compatible command line. Global options go before or after the command,
/// as with runc: `swiftlet --root /run/x --log f --log-format json create --bundle b id`.
@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "An OCI runtime: runs containers from OCI bundles, like runc.",
        // Also the DESCRIPTION of swiftlet(8), which scripts/gen-docs.sh generates from these
        // definitions.
        discussion: """
            swiftlet has runc's command line: podman (with conmon), containerd's runc shim and \
            Docker call it in place of runc. Container state lives under --root. Each \
            container's PID 1 is swiftlet-init: $SWIFTLET_INIT, else the swiftlet-init beside \
            this binary, else PREFIX/libexec/swiftlet/swiftlet-init for PREFIX/bin/swiftlet. \
            An error is one line on stderr (and in --log, as JSON with --log-format json).

            EXIT STATUS
              0    success
              1    swiftlet failed (usage, bundle, container state, system call):
                   one line on stderr, and in --log
              2    audit: a finding of high severity
              255  exec and run: swiftlet failed, the process did not run (as runc's exec)
              N    exec and run: the process's exit status (128+S: killed by signal S)
            docs/cli.md compares every command and flag with runc 1.1's.
            """,
        version: BuildInfo.versionText,
        subcommands: [
            Create.self, Start.self, State.self, Kill.self, Delete.self, Run.self, List.self, Exec.self, Ps.self,
            Pause.self, Resume.self, Update.self, Events.self, Spec.self, Features.self, Audit.self,
            Checkpoint.self, Restore.self,
        ])

    @OptionGroup var globals: GlobalOptions

    static func main() {
        Sys.ignoreSIGPIPE()
        var arguments = Array(CommandLine.arguments.dropFirst())
        // runc's -v is --version (ArgumentParser only knows the long name).
        if arguments == ["-v"] { arguments = ["--version"] }
        arguments = takeRuncRootless(arguments)
        let logger = Logger.fromArguments(arguments)
        logger.openDescriptors("start")
        let code = runCommand(arguments, logger: logger)
        logger.openDescriptors("exit")
        Foundation_exit(code)
    }

    /// runc's global `--rootless true|false|auto` (also `--rootless=MODE`), before the command:
    /// accepted and unused (swiftlet decides by its own uid), and taken out here. It cannot be
    /// an ArgumentParser option of the root command: `spec --rootless` is a flag of its own,
    /// and the root's option would take it (and want a value). A value other than the three is
    /// the one-line usage error.
    static func takeRuncRootless(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            var value: String?
            var width = 1
            if arg == "--rootless" {
                value = i + 1 < arguments.count ? arguments[i + 1] : ""
                width = 2
            } else if arg.hasPrefix("--rootless=") {
                value = String(arg.dropFirst("--rootless=".count))
            }
            if let value {
                guard RootlessMode(rawValue: value) != nil else {
                    Sys.writeStandardError("swiftlet: --rootless: invalid value \"\(value)\" (true, false or auto)\n")
                    Foundation_exit(1)
                }
                i += width
                continue
            }
            out.append(arg)
            if FastCommandLine.globalOptions[arg] != nil, i + 1 < arguments.count {
                out.append(arguments[i + 1])
                i += 2
                continue
            }
            if !arg.hasPrefix("-") { return out + arguments[(i + 1)...] }  // the command: the rest is its own
            i += 1
        }
        return out
    }

    /// The status of a failure of swiftlet itself: 255 for `exec` and `run`, whose status is
    /// otherwise the process's (an engine must tell "swiftlet failed" from "the process exited
    /// 1"; runc's exec does the same), 1 for every other command.
    static func failureStatus(_ arguments: [String]) -> Int32 {
        let command = commandName(arguments)
        return command == "exec" || command == "run" ? 255 : 1
    }

    /// The subcommand of a command line: the first argument that is neither a global option
    /// nor the value of one.
    static func commandName(_ arguments: [String]) -> String? {
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            if FastCommandLine.globalOptions[arg] != nil {
                i += 2
                continue
            }
            if !arg.hasPrefix("-") { return arg }
            i += 1
        }
        return nil
    }

    /// Runs the command; returns the exit status. The command and everything it owned are gone
    /// when this returns, so the descriptors still open after it are leaks.
    static func runCommand(_ arguments: [String], logger: Logger) -> Int32 {
        do {
            // The engines' hot commands skip ArgumentParser's reflective root parse
            // (FastPath.swift); anything it does not read exactly is parsed as before.
            if let action = FastCommandLine.action(for: arguments) {
                try action()
            } else {
                var command = try parseAsRoot(arguments)
                try command.run()
            }
            return 0
        } catch let error as RuntimeError {
            logger.error(error)
            return failureStatus(arguments)
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            // --help and --version exit 0 as usual; a usage error is an error like any other:
            // one line, exit 1 (255 for exec and run), in the JSON log too.
            guard exitCode(for: error) != .success else { exit(withError: error) }
            logger.error(message(for: error))
            return failureStatus(arguments)
        }
    }
}

/// runc's global flags.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Root directory for container state (default: /run/swiftlet, or $XDG_RUNTIME_DIR/swiftlet when not root).",
            completion: .directory)
    var root: String?

    @Option(help: "Write errors and debug lines to this file (engines read it).", completion: .file())
    var log: String?

    @Option(name: .customLong("log-format"), help: "Format of --log: text or json.")
    var logFormat: LogFormat = .text

    @Flag(help: "Also log debug lines.")
    var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Use systemd to manage cgroups (not supported yet).")
    var systemdCgroup = false

    @Option(help: ArgumentHelp("The CRIU binary checkpoint and restore run (default: criu in $PATH).",
                               valueName: "PATH"))
    var criu: String?

    /// The runtime for a command; `needsState: false` for those that never touch the state
    /// root (`spec`, `audit`), which then work without a usable default root.
    func runtime(needsState: Bool = true) throws -> Runtime {
        try Self.makeRuntime(root: root, log: log, logFormat: logFormat, debug: debug, systemdCgroup: systemdCgroup,
                             needsState: needsState)
    }

    /// `root` nil: the default (`StateRoot`), resolved only for a command that needs it.
    static func makeRuntime(root: String?, log: String?, logFormat: LogFormat, debug: Bool, systemdCgroup: Bool,
                            needsState: Bool = true) throws -> Runtime {
        if systemdCgroup {
            throw RuntimeError("--systemd-cgroup is not supported yet; use the cgroupfs driver (omit the flag)")
        }
        let resolved = try root ?? (needsState ? StateRoot.resolveDefault() : StateRoot.system)
        let logger = Logger(path: log, format: logFormat, debug: debug)
        return Runtime(root: resolved, warn: { logger.warning($0) }, debug: { logger.debugLine($0) })
    }
}

enum LogFormat: String, ExpressibleByArgument, Sendable {
    case text, json
}

/// runc's `--rootless` values.
enum RootlessMode: String, ExpressibleByArgument, Sendable {
    case `true`, `false`, auto
}
