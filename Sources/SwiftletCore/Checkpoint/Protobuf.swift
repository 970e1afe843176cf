/// The protobuf wire format (proto2/proto3 encoding, protobuf.dev "Encoding"), as much of it as
/// CRIU's RPC uses (Checkpoint/CriuRPC.swift): varints (int32, uint32, bool, enums), and
/// length-delimited fields (strings, nested messages); fixed 32- and 64-bit fields are only
/// skipped when read. No generated code and no package: the messages are few and small.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    /// The wire types: 0 varint, 2 length-delimited (1 and 5, fixed64 and fixed32, are never
    /// written).
    static let varint: UInt64 = 0
    static let lengthDelimited: UInt64 = 2

    mutating func rawVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) {
        rawVarint(UInt64(field) << 3 | wireType)
    }

    /// An int32 field: a negative value is sign-extended to 64 bits (ten bytes), as protobuf
    /// encodes int32.
    mutating func int32(_ field: Int, _ value: Int32) {
        key(field, Self.varint)
        rawVarint(UInt64(bitPattern: Int64(value)))
    }

    mutating func uint32(_ field: Int, _ value: UInt32) {
        key(field, Self.varint)
        rawVarint(UInt64(value))
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        key(field, Self.varint)
        rawVarint(value ? 1 : 0)
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, Self.lengthDelimited)
        rawVarint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// A nested message, written by `body` into a writer of its own.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        bytes(field, nested.bytes)
    }
}

/// A field read from a message: its number and its value (a varint, or the bytes of a
/// length-delimited field: a string or a nested message).
struct ProtobufField {
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed
    }

    let number: Int
    let value: Value

    /// The varint as an int32 (protobuf truncates to the low 32 bits), nil for another kind.
    var int32: Int32? {
        if case .varint(let raw) = value { return Int32(truncatingIfNeeded: raw) }
        return nil
    }

    var bool: Bool? {
        if case .varint(let raw) = value { return raw != 0 }
        return nil
    }

    var bytes: [UInt8]? {
        if case .bytes(let raw) = value { return raw }
        return nil
    }

    var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
}

/// What a malformed message is: the offset and the reason, for the one-line error.
struct ProtobufError: Error, CustomStringConvertible {
    let offset: Int
    let reason: String
    var description: String { "malformed protobuf message at byte \(offset): \(reason)" }
}

enum ProtobufReader {
    /// Every field of `bytes`, in order (repeated fields appear once per value). Unknown field
    /// numbers are returned like the others; the caller keeps what it knows.
    static func fields(_ bytes: [UInt8]) throws(ProtobufError) -> [ProtobufField] {
        var fields: [ProtobufField] = []
        var offset = 0
        while offset < bytes.count {
            let start = offset
            let key = try varint(bytes, &offset)
            let number = Int(key >> 3)
            guard number > 0 else { throw ProtobufError(offset: start, reason: "field number 0") }
            switch key & 7 {
            case 0:
                fields.append(ProtobufField(number: number, value: .varint(try varint(bytes, &offset))))
            case 1, 5:
                let size = key & 7 == 1 ? 8 : 4
                guard offset + size <= bytes.count else { throw ProtobufError(offset: start, reason: "truncated fixed field") }
                offset += size
                fields.append(ProtobufField(number: number, value: .fixed))
            case 2:
                let length = try varint(bytes, &offset)
                guard length <= UInt64(bytes.count - offset) else {
                    throw ProtobufError(offset: start, reason: "field \(number) is \(length) bytes long, \(bytes.count - offset) left")
                }
                let end = offset + Int(length)
                fields.append(ProtobufField(number: number, value: .bytes(Array(bytes[offset..<end]))))
                offset = end
            default:
                throw ProtobufError(offset: start, reason: "wire type \(key & 7) of field \(number)")
            }
        }
        return fields
    }

    /// A varint at `offset` (at most ten bytes), `offset` moved past it.
    static func varint(_ bytes: [UInt8], _ offset: inout Int) throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { break }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw ProtobufError(offset: start, reason: offset >= bytes.count ? "truncated varint" : "varint longer than ten bytes")
    }
}
