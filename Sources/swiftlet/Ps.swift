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
        let runtime = try top.globals.runtime()
        switch format {
        case .json:
            let pids = try runtime.processes(id: id)
            Console.print("[" + pids.map(String.init).joined(separator: ",") + "]")
        case .table:
            let args = psArguments.first == "--" ? Array(psArguments.dropFirst()) : psArguments
            for line in try runtime.processTable(id: id, psArguments: args) { Console.print(line) }
        }
    }
}
