import FoundationEssentials

/// A parsed JSON value (RFC 8259). Numbers keep their literal text and are converted when a
/// field asks for a type, so a negative uid or an out-of-range limit is reported at its path
/// rather than as "not valid JSON" (what FoundationEssentials' JSONDecoder reports for both).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name used in messages: `expected array, found string`.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object: members in first-seen order (so errors come out in document order). A
/// repeated key keeps its last value, as Go's encoding/json does.
///
/// Small objects (every object of config.json and state.json) are a plain array searched
/// linearly: hashing each key into a dictionary cost more than the rest of parsing
/// (docs/performance.md, "CPU per container"). From `indexThreshold` members on, a key ->
/// position table keeps insertion and lookup O(1), so a hostile object with many keys stays
/// linear to parse.
public struct JSONObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: JSONValue)] = []
    /// Whether each member's key is all ASCII (parallel to `members`).
    private var asciiKeys: [Bool] = []
    private var index: [String: Int]?

    static let indexThreshold = 16

    public init() {}

    /// The keys in first-seen order.
    public var keys: [String] { members.map(\.key) }

    public var count: Int { members.count }

    public subscript(key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        return members[position].value
    }

    public mutating func set(_ key: String, _ value: JSONValue) {
        set(key, ascii: Self.isASCII(key), value)
    }

    /// `set` for a key whose ASCII-ness the caller knows (the parser saw its bytes).
    mutating func set(_ key: String, ascii: Bool, _ value: JSONValue) {
        if let position = position(of: key, ascii: ascii) {
            members[position].value = value
            return
        }
        members.append((key, value))
        asciiKeys.append(ascii)
        if index != nil {
            index?[key] = members.count - 1
        } else if members.count >= Self.indexThreshold {
            var table: [String: Int] = [:]
            table.reserveCapacity(members.count * 2)
            for (offset, member) in members.enumerated() where table[member.key] == nil { table[member.key] = offset }
            index = table
        }
    }

    /// `ascii`: whether `key` is all ASCII, when the caller knows; otherwise it is found out
    /// only if a member's byte count differs (looking it up costs a pass over the key, and
    /// most lookups are of present keys whose first candidates have other lengths).
    private func position(of key: String, ascii knownASCII: Bool? = nil) -> Int? {
        if let index { return index[key] }
        // Keys compare as Swift strings (canonical equivalence), as the dictionary did. Two
        // ASCII strings are equivalent only when byte-identical, so between ASCII keys a
        // different byte count (O(1) for native strings) rules a member out before `==`,
        // whose comparison of different strings is the slow part of a lookup. (A non-ASCII
        // key can equal an ASCII one: U+212A KELVIN SIGN is canonically "K".)
        let length = key.utf8.count
        var ascii = knownASCII
        for offset in members.indices {
            let candidate = members[offset].key
            if asciiKeys[offset] && candidate.utf8.count != length {
                if ascii == nil { ascii = Self.isASCII(key) }
                if ascii == true { continue }
            }
            if candidate == key { return offset }
        }
        return nil
    }

    private static func isASCII(_ key: String) -> Bool {
        key.utf8.allSatisfy { $0 < 0x80 }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (left, right) in zip(lhs.members, rhs.members) where left.key != right.key || left.value != right.value {
            return false
        }
        return true
    }
}

/// A JSON syntax error with its position: line and column are 1-based, `offset` counts bytes
/// from 0.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let line: Int
    public let column: Int
    public let reason: String

    public var description: String {
        "invalid JSON at line \(line), column \(column) (byte offset \(offset)): \(reason)"
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes. No threads, no allocation beyond the values.
public struct JSONParser {
    /// Deeper documents are refused rather than risking the stack on hostile input.
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    /// The top-level member whose value is only checked, not built (`parse(bytes:rawMember:)`),
    /// and where its bytes were.
    private var rawMember: String?
    private var rawRange: Range<Int>?

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one JSON value filling the whole of `data` (surrounding whitespace allowed).
    static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes: [UInt8](data))
    }

    /// Parses one JSON value filling the whole of `bytes`.
    public static func parse(bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try parseDocument(bytes, rawMember: nil).value
    }

    /// Parses one JSON object filling `bytes`, except that the value of its top-level member
    /// `rawMember` is checked (it must be valid JSON) but not built: it is left out of the
    /// object, and the range of its bytes is returned instead. state.json keeps the
    /// container's config.json there, which most commands that read the record never look at.
    public static func parse(bytes: [UInt8], rawMember: String) throws(JSONSyntaxError) -> (JSONValue, Range<Int>?) {
        try parseDocument(bytes, rawMember: rawMember)
    }

    /// One value filling the whole of `bytes` (surrounding whitespace allowed).
    private static func parseDocument(_ bytes: [UInt8], rawMember: String?) throws(JSONSyntaxError) -> (value: JSONValue, raw: Range<Int>?) {
        var parser = JSONParser(bytes: bytes)
        parser.rawMember = rawMember
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else {
            throw parser.failure("unexpected data after the JSON value")
        }
        return (value, parser.rawRange)
    }

    // MARK: values

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard let byte = peek() else { throw failure("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected \(describe(byte))")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure(expecting: "a string key") }
            let (key, ascii) = try parseStringNotingASCII()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw failure(expecting: "':' after an object key") }
            position += 1
            skipWhitespace()
            if depth == 1, let rawMember, key == rawMember {
                let start = position
                try skipValue()
                rawRange = start..<position
            } else {
                object.set(key, ascii: ascii, try parseValue())
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(object)
            default:
                throw failure(expecting: "',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(elements)
            default:
                throw failure(expecting: "',' or ']' in an array")
            }
        }
    }

    /// Checks one value as `parseValue` would, without building it.
    private mutating func skipValue() throws(JSONSyntaxError) {
        guard let byte = peek() else { throw failure("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = byte == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            try enter()
            position += 1
            skipWhitespace()
            if peek() == close {
                position += 1
                depth -= 1
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    guard peek() == UInt8(ascii: "\"") else { throw failure(expecting: "a string key") }
                    try skipString()
                    skipWhitespace()
                    guard peek() == UInt8(ascii: ":") else { throw failure(expecting: "':' after an object key") }
                    position += 1
                    skipWhitespace()
                }
                try skipValue()
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","):
                    position += 1
                case close:
                    position += 1
                    depth -= 1
                    return
                default:
                    throw failure(expecting: isObject ? "',' or '}' in an object" : "',' or ']' in an array")
                }
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: throw failure("unexpected \(describe(byte))")
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw failure("nesting deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = position
        let matched = literal.withUTF8Buffer { expected in
            for byte in expected {
                guard position < bytes.count, bytes[position] == byte else { return false }
                position += 1
            }
            return true
        }
        guard matched else {
            position = start
            throw failure("invalid literal, expected \(literal)")
        }
    }

    // MARK: numbers

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as its text.
    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = position
        try scanNumber()
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// Moves over one number, checking its grammar.
    private mutating func scanNumber() throws(JSONSyntaxError) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw failure(expecting: "a digit") }
        position += 1
        if first != UInt8(ascii: "0") {
            skipDigits()
        } else if let next = peek(), isDigit(next) {
            throw failure("leading zeros are not allowed in numbers")
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let digit = peek(), isDigit(digit) else { throw failure(expecting: "a digit after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), isDigit(digit) else { throw failure(expecting: "a digit in the exponent") }
            skipDigits()
        }
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    // MARK: strings

    /// A string literal; invalid UTF-8 and lone surrogates become U+FFFD, as in Go.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        try parseStringNotingASCII().text
    }

    /// A string literal, and whether its bytes were all ASCII (object keys: JSONObject then
    /// need not look at them again).
    private mutating func parseStringNotingASCII() throws(JSONSyntaxError) -> (text: String, ascii: Bool) {
        position += 1
        let start = position
        // Fast path: no escapes (scanned without bounds checks per byte).
        var high: UInt8 = 0
        position = bytes.withUnsafeBufferPointer { buffer in
            var at = start
            while at < buffer.count {
                let byte = buffer[at]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                high |= byte
                at += 1
            }
            return at
        }
        if peek() == UInt8(ascii: "\"") {
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            position += 1
            return (text, high < 0x80)
        }
        var buffer = Array(bytes[start..<position])
        while true {
            guard let byte = peek() else { throw failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return (String(decoding: buffer, as: UTF8.self), buffer.allSatisfy { $0 < 0x80 })
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &buffer)
            case 0..<0x20:
                throw failure("unescaped control character in string")
            default:
                buffer.append(byte)
                position += 1
            }
        }
    }

    /// Moves over one string literal, checking its escapes and control characters.
    private mutating func skipString() throws(JSONSyntaxError) {
        position += 1
        var scratch: [UInt8] = []
        while true {
            guard let byte = peek() else { throw failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &scratch)
                scratch.removeAll(keepingCapacity: true)
            case 0..<0x20:
                throw failure("unescaped control character in string")
            default:
                position += 1
            }
        }
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONSyntaxError) {
        guard let byte = peek() else { throw failure("unterminated string") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar), peek() == UInt8(ascii: "\\"),
               position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") {
                let resume = position
                position += 2
                let low = try parseHex4()
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    position = resume
                }
            }
            let decoded = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            buffer.append(contentsOf: Array(String(Character(decoded)).utf8))
        default:
            position -= 2  // point at the backslash
            throw failure("invalid escape \\\(String(decoding: [byte], as: UTF8.self))")
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw failure("unterminated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid hexadecimal digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    // MARK: helpers

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(),
              byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
            position += 1
        }
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F {
            return "character '\(String(decoding: [byte], as: UTF8.self))'"
        }
        return "byte 0x\(String(byte, radix: 16))"
    }

    private func failure(expecting what: String) -> JSONSyntaxError {
        guard let byte = peek() else { return failure("unexpected end of input, expected \(what)") }
        return failure("unexpected \(describe(byte)), expected \(what)")
    }

    private func failure(_ reason: String) -> JSONSyntaxError {
        var line = 1
        var lineStart = 0
        let end = min(position, bytes.count)
        for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return JSONSyntaxError(offset: position, line: line, column: position - lineStart + 1, reason: reason)
    }
}
