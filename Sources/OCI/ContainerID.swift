import FoundationEssentials

/// Container ids (runtime.md "State" `id`). The id names a directory under the state root,
/// so it is restricted to what runc allows — letters, digits, `_ + - .`, not `.` or `..` —
/// and to NAME_MAX (255) bytes.
public enum ContainerID {
    /// The longest id: one path component (NAME_MAX).
    public static let maximumLength = 255

    /// Throws a `SpecError` with path `id` when `id` is not a valid container id.
    public static func validate(_ id: String) throws(SpecError) {
        guard !id.isEmpty else {
            throw SpecError(path: "id", message: "must not be empty")
        }
        guard id.utf8.count <= maximumLength else {
            throw SpecError(path: "id", message: "must be at most \(maximumLength) bytes, got \(id.utf8.count)")
        }
        if let bad = id.unicodeScalars.first(where: { !isAllowed($0) }) {
            throw SpecError(path: "id", message: "invalid container id \(JSONPath.quoted(id)): character \(JSONPath.quoted(String(bad))) is not allowed (allowed: letters, digits, _ + - .)")
        }
        guard id != "." && id != ".." else {
            throw SpecError(path: "id", message: "invalid container id \(JSONPath.quoted(id))")
        }
    }

    /// Whether `id` is a valid container id (what `validate` accepts).
    public static func isValid(_ id: String) -> Bool {
        do { try validate(id) } catch { return false }
        return true
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "+", "-", ".": true
        default: false
        }
    }
}
