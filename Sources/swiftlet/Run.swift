import ArgumentParser
import SwiftletCore

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and start a container, wait for it and exit with its status.")
    @ParentCommand var top: Swiftlet
    @OptionGroup var flags: CreateFlags
    @Flag(name: [.short, .long], help: "Return once started.") var detach = false
    @Flag(help: "Do not delete the container after it exits (delete it later).") var keep = false
    @Flag(name: .customLong("no-subreaper"), help: "runc's: accepted; swiftlet run never becomes a subreaper (the container's orphans go to its init).")
    var noSubreaper = false
    @Argument(help: "Container id.") var id: String

    func run() throws {
        var options = flags.options()
        options.keep = keep
        let code = try top.globals.runtime().run(id: id, options: options, detach: detach)
        if code != 0 { throw ExitCode(code) }
    }
}

extension Run {
    static let fastGrammar = FastCommandLine.Grammar(
        // A literal rather than fastFlags.merging(...): the generic merge is unspecialized.
        flags: ["--no-pivot": "no-pivot", "--no-new-keyring": "no-new-keyring", "-d": "detach", "--detach": "detach",
                "--keep": "keep", "--no-subreaper": "no-subreaper"],
        options: CreateFlags.fastOptions
    ) { line, globals in
        guard var options = CreateFlags.options(line) else { return nil }
        options.keep = line.has("keep")
        return {
            let code = try globals.runtime().run(id: line.positionals[0], options: options, detach: line.has("detach"))
            if code != 0 { throw ExitCode(code) }
        }
    }
}
