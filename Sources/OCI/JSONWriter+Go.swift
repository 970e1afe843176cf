/// JSON text as Go's encoding/json writes it, for the outputs engines and scripts parse the way
/// they parse runc's (`state`, `list --format json`, `events`): object members in the order
/// given (runc's struct order), `<`, `>` and `&` escaped as \u003c, \u003e, \u0026 (Go's HTML
/// escaping, on by default), and with an indent, `json.MarshalIndent(v, "", indent)`'s layout:
/// `"key": value`, one member or element per line, `{}` and `[]` when empty.
extension JSONValue {
    /// Compact (`json.Marshal`) without an indent, else indented.
    public func goSerialized(indent: String? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        goWrite(into: &out, indent: indent.map { Array($0.utf8) }, level: 0)
        return out
    }

    public func goText(indent: String? = nil) -> String {
        String(decoding: goSerialized(indent: indent), as: UTF8.self)
    }

    private func goWrite(into out: inout [UInt8], indent: [UInt8]?, level: Int) {
        func newline(_ depth: Int) {
            guard let indent else { return }
            out.append(0x0A)
            for _ in 0..<depth { out += indent }
        }
        switch self {
        case .string(let text): JSONValue.goWriteString(text, into: &out)
        case .array(let elements):
            guard !elements.isEmpty else { out += Array("[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                element.goWrite(into: &out, indent: indent, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.members.isEmpty else { out += Array("{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in object.members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                JSONValue.goWriteString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                value.goWrite(into: &out, indent: indent, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "}"))
        default:
            write(into: &out)
        }
    }

    /// Go's string escaping: the JSON escapes, control characters as \u00XX (\n, \r, \t
    /// short), and `<`, `>`, `&` as \u003c, \u003e, \u0026.
    static func goWriteString(_ text: String, into out: inout [UInt8]) {
        var plain: [UInt8] = []
        writeString(text, into: &plain)
        for byte in plain {
            switch byte {
            case UInt8(ascii: "<"): out += Array("\\u003c".utf8)
            case UInt8(ascii: ">"): out += Array("\\u003e".utf8)
            case UInt8(ascii: "&"): out += Array("\\u0026".utf8)
            default: out.append(byte)
            }
        }
    }
}
