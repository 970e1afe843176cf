import FoundationEssentials

/// config.md "POSIX-platform Hooks": commands run at points of the container lifecycle, in
/// the listed order, with the container state on stdin.
public struct Hooks: Sendable, Codable, Equatable {
    /// DEPRECATED; run during `create` in the runtime namespace, before `createRuntime`.
    public var prestart: [Hook]?
    /// Run during `create`, after the environment exists, before pivot_root; runtime namespace.
    public var createRuntime: [Hook]?
    /// Run during `create` after `createRuntime`, before pivot_root; container namespace.
    public var createContainer: [Hook]?
    /// Run during `start`, before the user process; container namespace.
    public var startContainer: [Hook]?
    /// Run after the user process started; runtime namespace.
    public var poststart: [Hook]?
    /// Run after the container is deleted; runtime namespace.
    public var poststop: [Hook]?

    public init(prestart: [Hook]? = nil, createRuntime: [Hook]? = nil, createContainer: [Hook]? = nil,
                startContainer: [Hook]? = nil, poststart: [Hook]? = nil, poststop: [Hook]? = nil) {
        self.prestart = prestart
        self.createRuntime = createRuntime
        self.createContainer = createContainer
        self.startContainer = startContainer
        self.poststart = poststart
        self.poststop = poststop
    }

    /// Every hook list with its JSON name, in lifecycle order.
    public var all: [(name: String, hooks: [Hook])] {
        [("prestart", prestart), ("createRuntime", createRuntime), ("createContainer", createContainer),
         ("startContainer", startContainer), ("poststart", poststart), ("poststop", poststop)]
            .map { (name: $0.0, hooks: $0.1 ?? []) }
    }
}

/// config.md "POSIX-platform Hooks": one hook command.
public struct Hook: Sendable, Codable, Equatable {
    /// Absolute path of the executable (execv's *path*).
    public var path: String
    /// argv, including argv[0].
    public var args: [String]?
    public var env: [String]?
    /// Seconds before the hook is aborted; MUST be greater than zero when set.
    public var timeout: Int?

    public init(path: String, args: [String]? = nil, env: [String]? = nil, timeout: Int? = nil) {
        self.path = path
        self.args = args
        self.env = env
        self.timeout = timeout
    }
}
