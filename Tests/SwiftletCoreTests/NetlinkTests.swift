import Testing
@testable import SwiftletCore

/// The rtnetlink codec of linux.netDevices (Namespaces/Netlink.swift) and how a moved device
/// is found again (NetDevices.identify). Byte layouts as linux/netlink.h and rtnetlink.h
/// define them, little-endian as on every machine swiftlet is built for.
@Suite struct NetlinkTests {
    static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
    static func u16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }

    /// RTM_NEWLINK moving index 7 as "eth1" into pid 4242's namespace: header, ifinfomsg,
    /// IFLA_IFNAME (NUL-terminated, padded), IFLA_NET_NS_PID.
    @Test func moveRequest() {
        let bytes = Netlink.move(index: 7, name: "eth1", toNamespaceOf: 4242, sequence: 9)
        let expected: [UInt8] = Self.u32(52) + Self.u16(16) + Self.u16(0x5) + Self.u32(9) + Self.u32(0)
            + [0, 0] + Self.u16(0) + Self.u32(7) + Self.u32(0) + Self.u32(0)
            + Self.u16(9) + Self.u16(3) + Array("eth1".utf8) + [0, 0, 0, 0]
            + Self.u16(8) + Self.u16(19) + Self.u32(4242)
        #expect(bytes == expected)
    }

    @Test(arguments: [true, false])
    func setUpRequest(up: Bool) throws {
        let message = try #require(try Netlink.decode(Netlink.setUp(index: 3, up, sequence: 1)).first)
        #expect(message.type == Netlink.newLink && message.flags == Netlink.requestFlag | Netlink.ackFlag)
        #expect(Array(message.payload[8..<16]) == Self.u32(up ? 1 : 0) + Self.u32(1))
    }

    /// A dump is decoded message by message; the attributes of a link and the extended
    /// flags of an address are read, an ack and an error carry their errno.
    @Test func decodesAnswers() throws {
        let linkPayload: [UInt8] = [0, 0] + Self.u16(1) + Self.u32(5) + Self.u32(0x1043) + Self.u32(0)
            + Self.u16(9) + Self.u16(3) + Array("swv0".utf8) + [0, 0, 0, 0]
            + Self.u16(10) + Self.u16(1) + [1, 2, 3, 4, 5, 6, 0, 0]
        let addressPayload: [UInt8] = [2, 24, 0x80, 0] + Self.u32(5)
            + Self.u16(8) + Self.u16(1) + [192, 0, 2, 10] + Self.u16(8) + Self.u16(8) + Self.u32(0x280)
        func frame(_ type: UInt16, _ flags: UInt16, _ payload: [UInt8]) -> [UInt8] {
            Self.u32(UInt32(16 + payload.count)) + Self.u16(type) + Self.u16(flags) + Self.u32(4) + Self.u32(0) + payload
        }
        let datagram = frame(16, 2, linkPayload) + frame(20, 2, addressPayload) + frame(3, 2, Self.u32(0))
            + frame(2, 0, Self.u32(UInt32(bitPattern: -17)) + [UInt8](repeating: 0, count: 16))
        let messages = try Netlink.decode(datagram)
        #expect(messages.map(\.type) == [16, 20, 3, 2])
        #expect(Netlink.link(messages[0]) == Netlink.Link(index: 5, flags: 0x1043, name: "swv0", hardwareAddress: [1, 2, 3, 4, 5, 6]))
        let address = try #require(Netlink.address(messages[1]))
        #expect(address.family == 2 && address.prefixLength == 24 && address.index == 5 && address.flags == 0x280)
        #expect(address.isPermanentGlobal)
        #expect(Netlink.errorCode(messages[3]) == 17)
        #expect(Netlink.errorCode(messages[0]) == nil)
    }

    @Test func truncatedMessagesAreErrors() {
        #expect(throws: Netlink.DecodeError.self) { try Netlink.decode(Self.u32(64) + [UInt8](repeating: 0, count: 20)) }
    }

    /// Re-adding keeps the address, local and broadcast attributes, drops label and
    /// lifetimes, and targets the new index.
    @Test func addAddressKeepsOnlyTheAddress() throws {
        let original = Netlink.Address(family: 2, prefixLength: 24, flags: 0x80, scope: 0, index: 5, attributes: [
            Netlink.Attribute(type: 1, data: [192, 0, 2, 10]), Netlink.Attribute(type: 2, data: [192, 0, 2, 10]),
            Netlink.Attribute(type: 3, data: Array("swv0\0".utf8)), Netlink.Attribute(type: 4, data: [192, 0, 2, 255]),
            Netlink.Attribute(type: 6, data: [UInt8](repeating: 0xFF, count: 16)),
        ])
        let message = try #require(try Netlink.decode(Netlink.addAddress(original, index: 9, sequence: 2)).first)
        #expect(message.type == Netlink.newAddress)
        #expect(Array(message.payload[0..<8]) == [2, 24, 0x80, 0] + Self.u32(9))
        #expect(Netlink.attributes(message.payload.dropFirst(8)).map(\.type) == [1, 2, 4])
    }

    @Test(arguments: [
        (Netlink.Address(family: 2, prefixLength: 24, flags: 0x80, scope: 0, index: 1, attributes: []), true),
        (Netlink.Address(family: 10, prefixLength: 64, flags: 0x80, scope: 0, index: 1, attributes: []), true),
        (Netlink.Address(family: 2, prefixLength: 24, flags: 0x00, scope: 0, index: 1, attributes: []), false),
        (Netlink.Address(family: 2, prefixLength: 16, flags: 0x80, scope: 253, index: 1, attributes: []), false),
    ] as [(Netlink.Address, Bool)])
    func carriedAddresses(address: Netlink.Address, carried: Bool) {
        #expect(address.isPermanentGlobal == carried)
    }

    static let mac: [UInt8] = [2, 0, 0, 0, 0, 7]
    static let original = Netlink.Link(index: 7, flags: 0, name: "swv0", hardwareAddress: mac)

    @Test(arguments: [
        ("eth1", [Netlink.Link(index: 1, flags: 0, name: "lo", hardwareAddress: nil),
                  Netlink.Link(index: 7, flags: 0, name: "eth1", hardwareAddress: mac)], 7 as Int32?),
        ("net%d", [Netlink.Link(index: 7, flags: 0, name: "net0", hardwareAddress: mac)], 7),
        // the index was taken there: found by its hardware address
        ("net%d", [Netlink.Link(index: 7, flags: 0, name: "sit0", hardwareAddress: [0, 0, 0, 0]),
                   Netlink.Link(index: 12, flags: 0, name: "net0", hardwareAddress: mac)], 12),
        // two with that address: ambiguous
        ("net%d", [Netlink.Link(index: 11, flags: 0, name: "net0", hardwareAddress: mac),
                   Netlink.Link(index: 12, flags: 0, name: "net1", hardwareAddress: mac)], nil),
        ("eth1", [Netlink.Link(index: 7, flags: 0, name: "eth2", hardwareAddress: mac)], nil),
    ] as [(String, [Netlink.Link], Int32?)])
    func identify(name: String, links: [Netlink.Link], index: Int32?) {
        #expect(NetDevices.identify(Self.original, name: name, among: links)?.index == index)
    }
}
