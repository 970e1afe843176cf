import FoundationEssentials

/// A closed set of string values from the runtime-spec (namespace types, seccomp actions, ...).
///
/// Decoding a value outside the set is an error naming the field and the value —
/// `linux.namespaces[2].type: unknown namespace type "foo"` — because an unknown value the
/// runtime cannot apply must not be skipped (runtime-spec runtime.md "Errors").
public protocol SpecEnum: RawRepresentable, Codable, CaseIterable, Hashable, Sendable where RawValue == String {
    /// What one value is called in messages: `namespace type`, `seccomp action`.
    static var kind: String { get }
}

extension SpecEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.unknownMessage(raw))
        }
        self = value
    }

    /// Parses `raw`, throwing `unknown <kind> "<raw>"` at `path` when it is not in the set.
    public init(validating raw: String, path: String) throws(SpecError) {
        guard let value = Self(rawValue: raw) else {
            throw SpecError(path: path, message: Self.unknownMessage(raw))
        }
        self = value
    }

    /// `unknown namespace type "foo"`.
    static func unknownMessage(_ raw: String) -> String {
        "unknown \(kind) \(JSONPath.quoted(raw))"
    }
}
