import FoundationEssentials

extension Spec {
    /// Checks the configuration for a Linux `create` and throws the first problem found.
    /// Decoding already rejected unknown values of closed sets (namespace types, seccomp
    /// actions, ...); this checks what a decoder cannot: required-for-create fields, paths,
    /// ranges, names of capabilities/rlimits/sysctls, and fields that need a namespace.
    public func validate() throws(SpecError) {
        if let first = validationErrors().first {
            throw first
        }
    }

    /// Every problem `validate()` would report, in document order.
    public func validationErrors() -> [SpecError] {
        var problems = Problems()
        validateVersion(&problems)
        validateRoot(&problems)
        validateProcess(&problems)
        validateHostname(&problems)
        validateMounts(&problems)
        validateHooks(&problems)
        validateAnnotations(&problems)
        validateLinux(&problems)
        return problems.errors
    }
}

/// The problems collected by validation, in the order they were found.
struct Problems {
    private(set) var errors: [SpecError] = []

    mutating func add(_ path: String, _ message: String) {
        errors.append(SpecError(path: path, message: message))
    }
}

/// Small predicates shared by the validation files.
enum Check {
    static func isAbsolute(_ path: String) -> Bool {
        path.hasPrefix("/")
    }

    static func containsNUL(_ text: String) -> Bool {
        text.utf8.contains(0)
    }

    /// True if a `/`-separated component of `path` is `..`.
    static func hasDotDot(_ path: String) -> Bool {
        path.split(separator: "/").contains("..")
    }

    /// A single file name: non-empty, no `/` or NUL, not `.` or `..`.
    static func isFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !containsNUL(name)
    }

    /// A quoted value for messages.
    static func quote(_ text: String) -> String {
        JSONPath.quoted(text)
    }

    /// Adds `must be an absolute path` for `path` at `field` when it is not.
    static func absolute(_ path: String, at field: String, _ problems: inout Problems) {
        if !isAbsolute(path) {
            problems.add(field, "must be an absolute path, got \(quote(path))")
        }
    }
}
