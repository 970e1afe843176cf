import ArgumentParser
import SwiftletCore

/// `swiftlet`: runc-compatible command line. Global options go before or after the command,
/// as with runc: `swiftlet --root /run/x --log f --log-format json create --bundle b id`.
@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "An OCI runtime: runs containers from OCI bundles, like runc.",
        version: "swiftlet version 0.1.0\nspec: \(Runtime.ociVersion)",
        subcommands: [
            Create.self, Start.self, State.self, Kill.self, Delete.self, Run.self, List.self, Exec.self, Ps.self,
            Pause.self, Resume.self, Update.self, Events.self, Spec.self, Features.self, Audit.self,
        ])

    @OptionGroup var globals: GlobalOptions

    static func main() {
        Sys.ignoreSIGPIPE()
        let arguments = Array(CommandLine.arguments.dropFirst())
        let logger = Logger.fromArguments(arguments)
        logger.openDescriptors("start")
        let code = runCommand(arguments, logger: logger)
        logger.openDescriptors("exit")
        Foundation_exit(code)
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
            logger.error("\(error)")
            return 1
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            // --help and --version exit 0 as usual; a usage error is an error like any other:
            // one line, exit 1 (as runc), in the JSON log too.
            guard exitCode(for: error) != .success else { exit(withError: error) }
            logger.error(message(for: error))
            return 1
        }
    }
}

/// runc's global flags.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Root directory for container state (default: /run/swiftlet, or $XDG_RUNTIME_DIR/swiftlet when not root).")
    var root: String?

    @Option(help: "Write errors and debug lines to this file (engines read it).")
    var log: String?

    @Option(name: .customLong("log-format"), help: "Format of --log: text or json.")
    var logFormat: LogFormat = .text

    @Flag(help: "Also log debug lines.")
    var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Use systemd to manage cgroups (not supported yet).")
    var systemdCgroup = false

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
