import ArgumentParser

/// Shell completion (`swiftlet --generate-completion-script bash|zsh|fish`, installed by
/// scripts/install.sh and the Debian package): what a word of the command line may be.
extension CompletionKind {
    /// The id of an existing container: the ids `swiftlet list -q` prints (the default
    /// `--root`; a completion script cannot see a `--root` typed earlier on the line).
    static let containerID = CompletionKind.shellCommand("swiftlet list -q 2>/dev/null")
}
