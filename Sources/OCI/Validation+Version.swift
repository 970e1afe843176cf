import FoundationEssentials

extension Spec {
    /// config.md "Specification version": SemVer, and a version this runtime implements.
    func validateVersion(_ problems: inout Problems) {
        if !OCIVersion.isSupported(ociVersion) {
            problems.add("ociVersion", "unsupported ociVersion \(Check.quote(ociVersion)) (supported: \(OCIVersion.minimum) to 1.3.x)")
        }
    }

    /// config.md "Annotations": "Keys MUST NOT be an empty string."
    func validateAnnotations(_ problems: inout Problems) {
        if annotations?.keys.contains("") == true {
            problems.add("annotations", "keys must not be empty")
        }
    }

    /// config.md "Root": REQUIRED on Linux, with a non-empty path.
    func validateRoot(_ problems: inout Problems) {
        guard let root else {
            problems.add("root", "required")
            return
        }
        if root.path.isEmpty {
            problems.add("root.path", "required")
        }
    }
}
