import FoundationEssentials

/// JSON reading and writing for OCI documents, with errors that name the JSON path.
///
/// Decoding goes through `JSONParser` and `JSONValueDecoder` rather than JSONDecoder so that a
/// syntax error reports its line and column, and a number that does not fit its field (a
/// negative uid) reports the field. Unknown object members are ignored, as runtime-spec
/// config.md requires ("Runtimes MUST ignore unknown properties" — spec.md "Extensibility").
public enum OCIJSON {
    /// Decodes `T` from `data`. `document` names the whole document in errors that have no
    /// field (`config.json: invalid JSON at line 3, column 7 ...`).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, document: String) throws(SpecError) -> T {
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw SpecError(path: document, message: error.description)
        }
        return try decode(type, from: value, document: document)
    }

    /// Decodes `T` from an already parsed value (a member of a larger document); errors name
    /// the path inside it, prefixed by `document`.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, document: String) throws(SpecError) -> T {
        do {
            return try T(from: JSONValueDecoder(value: value, node: .root))
        } catch let error as DecodingError {
            throw SpecError(error, document: document)
        } catch let error as SpecError {
            throw error
        } catch {
            throw SpecError(path: document, message: String(describing: error))
        }
    }

    /// Encodes `value` as JSON; `nil` fields are omitted, so a decoded document round-trips.
    public static func encode<T: Encodable>(_ value: T, prettyPrinted: Bool = false) throws(SpecError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted
            ? [.withoutEscapingSlashes, .sortedKeys, .prettyPrinted]
            : [.withoutEscapingSlashes, .sortedKeys]
        do {
            return try encoder.encode(value)
        } catch let error as EncodingError {
            switch error {
            case .invalidValue(_, let context):
                let path = JSONPath.render(context.codingPath)
                throw SpecError(path: path.isEmpty ? String(describing: T.self) : path,
                                message: "cannot encode: \(context.debugDescription)")
            @unknown default:
                throw SpecError(path: String(describing: T.self), message: "cannot encode: \(error)")
            }
        } catch {
            throw SpecError(path: String(describing: T.self), message: "cannot encode: \(error)")
        }
    }

    /// Reads a whole file; the error names `document` and says why, e.g.
    /// `config.json: cannot read /x/config.json: No such file or directory`.
    public static func read(file: String, document: String) throws(SpecError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw SpecError(path: document, message: "cannot read \(file): \(FileReadFailure.reason(error))")
        }
    }
}

/// Words a FoundationEssentials file-reading error the way strerror(3) would, without libc.
enum FileReadFailure {
    /// errno values of Linux (asm-generic) that reading a file can produce.
    static let errnoText: [Int32: String] = [
        1: "Operation not permitted",
        2: "No such file or directory",
        5: "Input/output error",
        12: "Cannot allocate memory",
        13: "Permission denied",
        20: "Not a directory",
        21: "Is a directory",
        23: "Too many open files in system",
        24: "Too many open files",
        27: "File too large",
        36: "File name too long",
        40: "Too many levels of symbolic links",
        75: "Value too large for defined data type",
    ]

    static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError {
            if let posix = cocoa.underlying as? POSIXError {
                let code = posix.code.rawValue
                return errnoText[code] ?? "errno \(code)"
            }
            switch cocoa.code {
            case .fileReadNoSuchFile, .fileNoSuchFile: return "No such file or directory"
            case .fileReadNoPermission: return "Permission denied"
            case .fileReadTooLarge: return "File too large"
            default: return "error \(cocoa.code.rawValue)"
            }
        }
        if let posix = error as? POSIXError {
            let code = posix.code.rawValue
            return errnoText[code] ?? "errno \(code)"
        }
        return String(describing: error)
    }
}
