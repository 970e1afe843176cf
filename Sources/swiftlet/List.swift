import ArgumentParser
import OCI
import SwiftletCore

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List containers.")
    @ParentCommand var top: Swiftlet
    @Option(name: [.short, .long], help: "table or json.") var format: Format = .table
    @Flag(name: [.short, .long], help: "Only ids.") var quiet = false

    enum Format: String, ExpressibleByArgument { case table, json }

    func run() throws {
        try Self.show(top.globals.runtime(), format: format, quiet: quiet)
    }

    /// `list [-q] [-f table|json]`, the line engines and tools poll, without ArgumentParser
    /// (FastPath.swift): its root parse is 22 M instructions, more than listing 1,000
    /// containers (docs/performance.md, density).
    static let fastGrammar = FastCommandLine.Grammar(
        flags: ["-q": "quiet", "--quiet": "quiet"], options: ["-f": "format", "--format": "format"],
        minPositionals: 0, maxPositionals: 0
    ) { line, globals in
        var format = Format.table
        if let value = line.value("format") {
            guard let parsed = Format(rawValue: value) else { return nil }
            format = parsed
        }
        return { try show(globals.runtime(), format: format, quiet: line.has("quiet")) }
    }

    static func show(_ runtime: Runtime, format: Format, quiet: Bool) throws {
        let states = try runtime.list()
        if quiet {
            for s in states { Console.print(s.id) }
        } else if format == .json {
            // One compact line, as runc's json.Encoder writes it ("null" for no containers).
            Console.print(states.isEmpty ? "null" : JSONValue.array(states.map { $0.jsonValue() }).goText())
        } else {
            // runc's tabwriter: columns at least 12 wide, 3 spaces after the longest cell.
            var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
            rows += states.map { [$0.id, "\($0.pid)", $0.status, $0.bundle, $0.created, $0.owner] }
            let widths = (0..<6).map { col in max(12, (rows.map { $0[col].count }.max() ?? 0) + 3) }
            for row in rows {
                let cells = row.enumerated().map { i, cell in
                    i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
                }
                Console.print(cells.joined())
            }
        }
    }
}
