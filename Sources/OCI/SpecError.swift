import FoundationEssentials

/// A problem with an OCI document (config.json, state, features), naming the JSON path of the
/// offending field: `linux.namespaces[2].type: unknown namespace type "foo"`.
///
/// runtime-spec runtime.md "Errors": the runtime MUST generate an error when the configuration
/// cannot be applied; every such error here carries the field that caused it.
public struct SpecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Dotted JSON path of the field (`process.args`, `linux.sysctl["net.ipv4.ip_forward"]`), or
    /// the document name (`config.json`) for errors about the document as a whole.
    public let path: String
    /// What is wrong, without the path.
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `"<path>: <message>"`.
    public var description: String { "\(path): \(message)" }
}

/// Builds the JSON paths used in `SpecError.path`, one rule for decoding and validation alike:
/// object members are joined with `.` when they look like identifiers and written `["key"]`
/// otherwise (map keys such as sysctl names), array elements are written `[i]`.
public enum JSONPath {
    /// `base.key`, or `base["key"]` when `key` is not identifier-like; `key` alone at the root.
    public static func member(_ base: String, _ key: String) -> String {
        if isIdentifier(key) {
            return base.isEmpty ? key : base + "." + key
        }
        return base + "[" + quoted(key) + "]"
    }

    /// `base[index]`.
    public static func index(_ base: String, _ index: Int) -> String {
        base + "[" + String(index) + "]"
    }

    /// Renders a decoder's coding path with the same rules as `member` and `index`.
    static func render(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let element = key as? JSONIndexKey {
                path = index(path, element.index)
            } else {
                path = member(path, key.stringValue)
            }
        }
        return path
    }

    /// A JSON string literal for `text`, for messages, bracketed keys and the CLI's JSON log.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }
    }
}

extension SpecError {
    /// Turns a `DecodingError` raised while decoding `document` into a path-naming error.
    /// The decoder in JSONValueDecoder.swift words its messages (`expected array, found string`);
    /// the closed-set enums word theirs (`unknown namespace type "foo"`); both are surfaced as is.
    init(_ error: DecodingError, document: String) {
        func at(_ codingPath: [any CodingKey]) -> String {
            let rendered = JSONPath.render(codingPath)
            return rendered.isEmpty ? document : rendered
        }
        func wording(_ context: DecodingError.Context, fallback: String) -> String {
            context.debugDescription.isEmpty ? fallback : context.debugDescription
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(path: at(context.codingPath + [key]), message: "required")
        case .typeMismatch(_, let context):
            self.init(path: at(context.codingPath), message: wording(context, fallback: "wrong type"))
        case .valueNotFound(_, let context):
            self.init(path: at(context.codingPath), message: wording(context, fallback: "must not be null"))
        case .dataCorrupted(let context):
            self.init(path: at(context.codingPath), message: wording(context, fallback: "invalid value"))
        @unknown default:
            self.init(path: document, message: String(describing: error))
        }
    }
}
