import FoundationEssentials

/// The runtime-spec versions this module reads: config.md "Specification version" requires
/// SemVer 2.0.0; configs written for 1.0.0 through 1.3.x are accepted.
public enum OCIVersion {
    /// The spec version the types model (specs-go v1.3.0, Linux parts).
    public static let current = "1.3.0"
    /// The oldest version accepted.
    public static let minimum = "1.0.0"

    /// Whether `version` is a SemVer 1.0.x ... 1.3.x (pre-release and build suffixes allowed).
    public static func isSupported(_ version: String) -> Bool {
        guard let parsed = SemanticVersion(version) else { return false }
        return parsed.major == 1 && parsed.minor <= 3
    }
}

/// A SemVer 2.0.0 version: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
public struct SemanticVersion: Sendable, Equatable {
    public var major: UInt64
    public var minor: UInt64
    public var patch: UInt64
    public var prerelease: String?
    public var build: String?

    /// Parses `text`, or returns nil when it is not SemVer 2.0.0.
    public init?(_ text: String) {
        var core = Substring(text)
        if let plus = core.firstIndex(of: "+") {
            let build = core[core.index(after: plus)...]
            guard SemanticVersion.isIdentifierList(build, numericLeadingZeroAllowed: true) else { return nil }
            self.build = String(build)
            core = core[..<plus]
        }
        if let dash = core.firstIndex(of: "-") {
            let prerelease = core[core.index(after: dash)...]
            guard SemanticVersion.isIdentifierList(prerelease, numericLeadingZeroAllowed: false) else { return nil }
            self.prerelease = String(prerelease)
            core = core[..<dash]
        }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let major = SemanticVersion.number(parts[0]),
              let minor = SemanticVersion.number(parts[1]),
              let patch = SemanticVersion.number(parts[2]) else {
            return nil
        }
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    private static func number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.utf8.allSatisfy(isDigit), part == "0" || part.first != "0" else { return nil }
        return UInt64(part)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Dot-separated non-empty identifiers of `[0-9A-Za-z-]`.
    private static func isIdentifierList(_ text: Substring, numericLeadingZeroAllowed: Bool) -> Bool {
        let identifiers = text.split(separator: ".", omittingEmptySubsequences: false)
        return identifiers.allSatisfy { identifier in
            guard !identifier.isEmpty else { return false }
            let valid = identifier.utf8.allSatisfy { byte in
                isDigit(byte) || byte == UInt8(ascii: "-")
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            }
            let numeric = identifier.utf8.allSatisfy(isDigit)
            let leadingZero = numeric && identifier.count > 1 && identifier.first == "0"
            return valid && (numericLeadingZeroAllowed || !leadingZero)
        }
    }
}
