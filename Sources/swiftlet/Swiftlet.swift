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
            An error is one line on stderr (and in --log, as JSON with --log-format json) and \
            exit status 1; run and exec exit with the process's status.
            """,
        version: BuildInfo.versionText,
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
    static let defaultRoot = "/run/swiftlet"

    @Option(help: "Root directory for container state.", completion: .directory)
    var root: String = defaultRoot

    @Option(help: "Write errors and debug lines to this file (engines read it).", completion: .file())
    var log: String?

    @Option(name: .customLong("log-format"), help: "Format of --log: text or json.")
    var logFormat: LogFormat = .text

    @Flag(help: "Also log debug lines.")
    var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Use systemd to manage cgroups (not supported yet).")
    var systemdCgroup = false

    func runtime() throws -> Runtime {
        try Self.makeRuntime(root: root, log: log, logFormat: logFormat, debug: debug, systemdCgroup: systemdCgroup)
    }

    static func makeRuntime(root: String, log: String?, logFormat: LogFormat, debug: Bool, systemdCgroup: Bool) throws -> Runtime {
        if systemdCgroup {
            throw RuntimeError("--systemd-cgroup is not supported yet; use the cgroupfs driver (omit the flag)")
        }
        let logger = Logger(path: log, format: logFormat, debug: debug)
        return Runtime(root: root, warn: { logger.warning($0) }, debug: { logger.debugLine($0) })
    }
}

enum LogFormat: String, ExpressibleByArgument, Sendable {
    case text, json
}
