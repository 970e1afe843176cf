import ArgumentParser
import SwiftletCore

/// runc's `checkpoint` and `restore` need CRIU; swiftlet has neither. The commands exist so that
/// a caller gets that answer in one line (whatever runc flags it passes) rather than a usage
/// error. docs/cli.md.
struct Checkpoint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "runc's checkpoint (CRIU): not supported by swiftlet.", shouldDisplay: false)
    @Argument(parsing: .allUnrecognized, help: "runc's flags and the container id.") var rest: [String] = []

    func run() throws { throw RuntimeError("checkpoint: not supported (swiftlet has no CRIU support)", errno: Errno.EOPNOTSUPP) }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "runc's restore (CRIU): not supported by swiftlet.", shouldDisplay: false)
    @Argument(parsing: .allUnrecognized, help: "runc's flags and the container id.") var rest: [String] = []

    func run() throws { throw RuntimeError("restore: not supported (swiftlet has no CRIU support)", errno: Errno.EOPNOTSUPP) }
}
