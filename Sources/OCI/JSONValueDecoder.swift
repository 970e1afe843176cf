import FoundationEssentials

/// The coding key of an array element, so paths render as `[2]` rather than as a member.
struct JSONIndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(intValue: Int) { self.index = intValue }
    init?(stringValue: String) { nil }
    var intValue: Int? { index }
    var stringValue: String { "Index \(index)" }
}

/// Where a value sits in the document, as a chain to the root. Built one node per nested value
/// the decoder descends into, and turned into Codable's `[any CodingKey]` only when something
/// asks for `codingPath` (an error): building that array for every member, as the decoder once
/// did, was two array allocations per member (docs/performance.md, "Round 2, fourth pass").
indirect enum JSONPathNode {
    case root
    case key(any CodingKey, JSONPathNode)
    case index(Int, JSONPathNode)

    /// Codable's coding path: the keys from the root down.
    var codingPath: [any CodingKey] {
        var reversed: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root:
                return reversed.reversed()
            case .key(let key, let parent):
                reversed.append(key)
                node = parent
            case .index(let index, let parent):
                reversed.append(JSONIndexKey(index))
                node = parent
            }
        }
    }

    /// The path of `key` below this node, for an error about that member.
    func codingPath(appending key: any CodingKey) -> [any CodingKey] { codingPath + [key] }
}

/// A `Decoder` over a parsed `JSONValue`. Its errors are `DecodingError`s whose descriptions are
/// final messages (`expected array, found string`, `expected integer between 0 and 4294967295,
/// found -1`), which `SpecError.init(_:document:)` pairs with the rendered coding path.
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let node: JSONPathNode
    var codingPath: [any CodingKey] { node.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, node: JSONPathNode) {
        self.value = value
        self.node = node
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw JSONValueDecoder.mismatch([String: Any].self, expected: "object", found: value, at: codingPath)
        }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(object: object, node: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw JSONValueDecoder.mismatch([Any].self, expected: "array", found: value, at: codingPath)
        }
        return JSONUnkeyedContainer(elements: elements, node: node)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONSingleValueContainer(value: value, node: node)
    }

    // MARK: scalar conversion, shared by the three containers
    //
    // The path argument is an autoclosure: it is built only when the value is wrong.

    static func mismatch<T>(_ type: T.Type, expected: String, found value: JSONValue,
                            at path: [any CodingKey]) -> DecodingError {
        let context = DecodingError.Context(codingPath: path, debugDescription: "expected \(expected), found \(value.kindName)")
        if case .null = value {
            return DecodingError.valueNotFound(type, context)
        }
        return DecodingError.typeMismatch(type, context)
    }

    static func string(_ value: JSONValue, at path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, expected: "string", found: value, at: path()) }
        return text
    }

    static func bool(_ value: JSONValue, at path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, expected: "boolean", found: value, at: path()) }
        return flag
    }

    /// Integers must be written as integers (no fraction or exponent), as Go's encoding/json
    /// requires, and must fit the field's type.
    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, at path: @autoclosure () -> [any CodingKey]) throws -> T {
        guard case .number(let literal) = value else { throw mismatch(T.self, expected: "integer", found: value, at: path()) }
        if let number = T(literal, radix: 10) {
            return number
        }
        let isIntegral = !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        let description = isIntegral
            ? "expected integer between \(T.min) and \(T.max), found \(literal)"
            : "expected integer, found \(literal)"
        throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path(), debugDescription: description))
    }

    static func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ type: T.Type, _ value: JSONValue, at path: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        guard case .number(let literal) = value else { throw mismatch(T.self, expected: "number", found: value, at: path()) }
        guard let number = T(literal), number.isFinite else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: path(), debugDescription: "number \(literal) is out of range"))
        }
        return number
    }

    /// Any `Decodable` at `node`. Strings and arrays of strings, most of config.json's values,
    /// are taken directly instead of through `T(from:)` (a decoder, a container and, for an
    /// array, one more of each per element); any other value, or a string or array that is
    /// not what `T` expects, goes the general way, which also words the error.
    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, node: @autoclosure () -> JSONPathNode) throws -> T {
        if T.self == String.self, case .string(let text) = value, let result = text as? T {
            return result
        }
        if T.self == [String].self, case .array(let elements) = value, let strings = stringArray(elements),
           let result = strings as? T {
            return result
        }
        return try T(from: JSONValueDecoder(value: value, node: node()))
    }

    /// The strings of an array whose elements are all strings, else nil.
    private static func stringArray(_ elements: [JSONValue]) -> [String]? {
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let text) = element else { return nil }
            strings.append(text)
        }
        return strings
    }
}

/// The keyed container: a JSON object.
struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let node: JSONPathNode

    var codingPath: [any CodingKey] { node.codingPath }

    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "required"))
        }
        return value
    }

    /// The member, nil when it is absent or null (`decodeIfPresent`: one lookup, where the
    /// protocol's default asks `contains`, `decodeNil` and `decode` in turn).
    private func present(_ key: Key) -> JSONValue? {
        guard let value = object[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { node.codingPath(appending: key) }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try member(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try JSONValueDecoder.bool(member(key), at: path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try JSONValueDecoder.string(member(key), at: path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try JSONValueDecoder.floatingPoint(type, member(key), at: path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try JSONValueDecoder.floatingPoint(type, member(key), at: path(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try JSONValueDecoder.integer(type, member(key), at: path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try JSONValueDecoder.integer(type, member(key), at: path(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try JSONValueDecoder.decode(type, member(key), node: .key(key, node))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.bool(value, at: path(key))
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.string(value, at: path(key))
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.floatingPoint(type, value, at: path(key))
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.floatingPoint(type, value, at: path(key))
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try presentInteger(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try presentInteger(type, key) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.decode(type, value, node: .key(key, node))
    }

    private func presentInteger<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T? {
        guard let value = present(key) else { return nil }
        return try JSONValueDecoder.integer(type, value, at: path(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoder(value: member(key), node: .key(key, node)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder(value: member(key), node: .key(key, node)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(value: object["super"] ?? .null, node: .key(JSONSuperKey(), node))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(value: object[key.stringValue] ?? .null, node: .key(key, node))
    }
}

/// The key `super`, for `superDecoder()`.
private struct JSONSuperKey: CodingKey {
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
    var stringValue: String { "super" }
    var intValue: Int? { nil }
}

/// The unkeyed container: a JSON array.
struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let node: JSONPathNode
    private(set) var currentIndex = 0

    init(elements: [JSONValue], node: JSONPathNode) {
        self.elements = elements
        self.node = node
    }

    var codingPath: [any CodingKey] { node.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next element and its index; advances past it.
    private mutating func next<T>(_ type: T.Type) throws -> (JSONValue, Int) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: node.codingPath(appending: JSONIndexKey(currentIndex)), debugDescription: "missing array element"))
        }
        let value = elements[currentIndex]
        currentIndex += 1
        return (value, currentIndex - 1)
    }

    private func path(_ index: Int) -> [any CodingKey] { node.codingPath(appending: JSONIndexKey(index)) }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any?.self, DecodingError.Context(
                codingPath: path(currentIndex), debugDescription: "missing array element"))
        }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, i) = try next(type); return try JSONValueDecoder.bool(v, at: path(i)) }
    mutating func decode(_ type: String.Type) throws -> String { let (v, i) = try next(type); return try JSONValueDecoder.string(v, at: path(i)) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (v, i) = try next(type); return try JSONValueDecoder.floatingPoint(type, v, at: path(i)) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (v, i) = try next(type); return try JSONValueDecoder.floatingPoint(type, v, at: path(i)) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, i) = try next(type); return try JSONValueDecoder.integer(type, v, at: path(i)) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, index) = try next(type)
        return try JSONValueDecoder.decode(type, value, node: .index(index, node))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, index) = try next(type)
        return try JSONValueDecoder(value: value, node: .index(index, node)).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, index) = try next([Any].self)
        return try JSONValueDecoder(value: value, node: .index(index, node)).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, index) = try next(Any.self)
        return JSONValueDecoder(value: value, node: .index(index, node))
    }
}

/// The single-value container: any JSON value.
struct JSONSingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let node: JSONPathNode

    var codingPath: [any CodingKey] { node.codingPath }

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try JSONValueDecoder.bool(value, at: codingPath) }
    func decode(_ type: String.Type) throws -> String { try JSONValueDecoder.string(value, at: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try JSONValueDecoder.floatingPoint(type, value, at: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try JSONValueDecoder.floatingPoint(type, value, at: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONValueDecoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONValueDecoder.integer(type, value, at: codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONValueDecoder.decode(type, value, node: node)
    }
}
