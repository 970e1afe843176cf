import FoundationEssentials
import OCI
import SwiftletCore

/// Output helpers for the CLI.
enum Console {
    static func writeError(_ text: String) { Sys.writeStandardError(text) }

    static func print(_ text: String) { Sys.writeStandardOutput(text + "\n") }

    static func append(_ path: String, _ line: String) { Sys.appendLine(path, line) }

    static func timestamp() -> String { Runtime.timestamp() }

    /// A JSON string literal with the escapes JSON requires.
    static func jsonString(_ s: String) -> String { JSONPath.quoted(s) }

    /// Pretty JSON as runc prints `state`.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            print(String(decoding: data, as: UTF8.self))
        } catch {
            throw RuntimeError("encode output: \(error)")
        }
    }
}

func Foundation_exit(_ code: Int32) -> Never { Sys.exitProcess(code) }
