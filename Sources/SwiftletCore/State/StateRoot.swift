/// The default state root, when `--root` is not given (runc CLI): `/run/swiftlet` for root, and
/// `$XDG_RUNTIME_DIR/swiftlet` for an unprivileged user, as runc uses `$XDG_RUNTIME_DIR/runc`
/// (runc's `shouldHonorXDGRuntimeDir`). docs/rootless.md "State".
///
/// An unprivileged user cannot create anything in /run, and a state directory in a place
/// other users can write would let them plant or swap a container's state: so the user's
/// `XDG_RUNTIME_DIR` must be set, absolute, and a directory the user owns, or the command
/// fails saying which (runc falls back to /run/runc and fails there with EACCES).
public enum StateRoot {
    public static let system = "/run/swiftlet"
    public static let name = "swiftlet"

    /// Where the default root is, from the facts that decide it.
    public enum Choice: Equatable, Sendable {
        case system
        /// `$XDG_RUNTIME_DIR/swiftlet`, once the directory is checked (`owner` must own it).
        case xdg(directory: String, owner: UInt32)
        /// Rootless without a usable XDG_RUNTIME_DIR: the error to print.
        case refused(String)
    }

    /// Pure: runc's rule. An effective uid other than 0 needs XDG_RUNTIME_DIR. uid 0 of the
    /// initial user namespace uses /run/swiftlet whatever XDG_RUNTIME_DIR says (sudo keeps
    /// /run/user/0 around); uid 0 of another user namespace (rootless podman) honours it unless
    /// USER is root.
    public static func choose(euid: UInt32, initialUserNamespace: Bool, xdgRuntimeDir: String?, user: String?) -> Choice {
        let xdg = xdgRuntimeDir ?? ""
        if euid == 0 && (initialUserNamespace || xdg.isEmpty || user == "root") { return .system }
        guard !xdg.isEmpty else {
            return .refused("XDG_RUNTIME_DIR is not set: swiftlet runs as uid \(euid) (rootless) and keeps its state in "
                + "$XDG_RUNTIME_DIR/\(name); set it to a directory of your own (systemd-logind's is /run/user/\(euid)) or pass --root DIR")
        }
        guard xdg.hasPrefix("/") else {
            return .refused("XDG_RUNTIME_DIR=\(xdg) is not an absolute path; set it to a directory of your own or pass --root DIR")
        }
        return .xdg(directory: xdg, owner: euid)
    }

    /// The default root for the runtime as it runs now, checked; an error says why there is none.
    public static func resolveDefault() throws -> String {
        let euid = Sys.geteuid()
        let xdg = Sys.environment("XDG_RUNTIME_DIR")
        // The user namespace is only looked at when it can change the answer.
        let initial = euid != 0 || (xdg ?? "").isEmpty ? true : Rootless.current().initialUserNamespace
        switch choose(euid: euid, initialUserNamespace: initial, xdgRuntimeDir: xdg, user: Sys.environment("USER")) {
        case .system:
            return system
        case .refused(let message):
            throw RuntimeError(message, errno: Errno.EACCES)
        case .xdg(let directory, let owner):
            let info: Sys.FileInfo
            do {
                info = try Sys.stat(directory)
            } catch {
                throw RuntimeError("XDG_RUNTIME_DIR=\(directory): \(error.reason); set it to a directory of your own or pass --root DIR",
                                   errno: error.errno)
            }
            if let problem = problem(kind: info.kind, ownerUID: info.uid, mode: info.mode, expectedOwner: owner) {
                throw RuntimeError("XDG_RUNTIME_DIR=\(directory) \(problem); set it to a directory of your own or pass --root DIR",
                                   errno: Errno.EACCES)
            }
            return directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }
    }

    /// Pure: what is wrong with XDG_RUNTIME_DIR as a home for the user's state, nil if nothing.
    /// Others must not be able to write it (they could replace `swiftlet/` in it).
    public static func problem(kind: Sys.FileKind, ownerUID: UInt32, mode: UInt32, expectedOwner: UInt32) -> String? {
        if kind != .directory { return "is not a directory" }
        if ownerUID != expectedOwner { return "is owned by uid \(ownerUID), not by uid \(expectedOwner) (rootless state must live in a directory of the user's own)" }
        if mode & 0o022 != 0 { return "is writable by other users (mode \(String(mode, radix: 8)))" }
        return nil
    }
}
