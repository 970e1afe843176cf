import ArgumentParser
import SwiftletCore

/// `ps [--format table|json] ID [PS-ARGS...]`, as runc: json is the array of pids that
/// containerd's shim reads; table is the host's `ps PS-ARGS` (default -ef) limited to the
/// container's processes.
struct Ps: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the processes of a container.")
    @ParentCommand var top: Swiftlet
    @Option(name: [.short, .long], help: "table or json.") var format: Format = .table
    @Argument(help: "Container id.", completion: .containerID) var id: String
    @Argument(parsing: .captureForPassthrough, help: "Arguments for ps (table format; default -ef).")
    var psArguments: [String] = []

    enum Format: String, ExpressibleByArgument { case table, json }

    func run() throws {
        let args = psArguments.first == "--" ? Array(psArguments.dropFirst()) : psArguments
        try Self.show(top.globals.runtime(), format: format, id: id, psArguments: args)
    }

    /// `ps [-f table|json] ID` (no ps arguments, and no global option after `ps`: those go to
    /// ArgumentParser), without its root parse (FastPath.swift).
    static let fastGrammar = FastCommandLine.Grammar(options: ["-f": "format", "--format": "format"],
                                                     capturesAfterFirst: true) { line, globals in
        var format = Format.table
        if let value = line.value("format") {
            guard let parsed = Format(rawValue: value) else { return nil }
            format = parsed
        }
        return { try show(globals.runtime(), format: format, id: line.positionals[0], psArguments: []) }
    }

    static func show(_ runtime: Runtime, format: Format, id: String, psArguments: [String]) throws {
        switch format {
        case .json:
            let pids = try runtime.processes(id: id)
            Console.print("[" + pids.map(String.init).joined(separator: ",") + "]")
        case .table:
            for line in try runtime.processTable(id: id, psArguments: psArguments) { Console.print(line) }
        }
    }
}
