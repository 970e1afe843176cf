/// rtnetlink(7) messages for `linux.netDevices` (Namespaces/NetDevices.swift), encoded and
/// decoded by hand: a few link and address requests do not need a library, and keeping them
/// pure lets them be tested without a socket. Layouts and numbers from linux/netlink.h,
/// linux/rtnetlink.h, linux/if_link.h and linux/if_addr.h; native byte order, 4-byte alignment.
enum Netlink {
    // nlmsghdr flags and types
    static let requestFlag: UInt16 = 0x1     // NLM_F_REQUEST
    static let multiFlag: UInt16 = 0x2       // NLM_F_MULTI
    static let ackFlag: UInt16 = 0x4         // NLM_F_ACK
    static let dumpFlag: UInt16 = 0x300      // NLM_F_DUMP
    static let excludeFlag: UInt16 = 0x200   // NLM_F_EXCL
    static let createFlag: UInt16 = 0x400    // NLM_F_CREATE
    static let errorType: UInt16 = 2         // NLMSG_ERROR
    static let doneType: UInt16 = 3          // NLMSG_DONE
    static let newLink: UInt16 = 16          // RTM_NEWLINK
    static let getLink: UInt16 = 18          // RTM_GETLINK
    static let newAddress: UInt16 = 20       // RTM_NEWADDR
    static let getAddress: UInt16 = 22       // RTM_GETADDR

    // ifinfomsg attributes and flags
    static let linkAddress: UInt16 = 1       // IFLA_ADDRESS
    static let linkName: UInt16 = 3          // IFLA_IFNAME
    static let linkNamespacePID: UInt16 = 19 // IFLA_NET_NS_PID
    static let up: UInt32 = 0x1              // IFF_UP

    // ifaddrmsg attributes and flags
    static let addressAddress: UInt16 = 1    // IFA_ADDRESS
    static let addressLocal: UInt16 = 2      // IFA_LOCAL
    static let addressBroadcast: UInt16 = 4  // IFA_BROADCAST
    static let addressFlags: UInt16 = 8      // IFA_FLAGS (32-bit flags; ifa_flags holds the low 8)
    static let permanent: UInt32 = 0x80      // IFA_F_PERMANENT
    static let universeScope: UInt8 = 0      // RT_SCOPE_UNIVERSE

    static let headerSize = 16
    static let linkHeaderSize = 16
    static let addressHeaderSize = 8

    struct Attribute: Equatable {
        var type: UInt16
        var data: [UInt8]
    }

    struct Message: Equatable {
        var type: UInt16
        var flags: UInt16
        var sequence: UInt32
        var payload: [UInt8]
    }

    /// An RTM_NEWLINK answer: what NetDevices needs of an interface.
    struct Link: Equatable {
        var index: Int32
        var flags: UInt32
        var name: String?
        var hardwareAddress: [UInt8]?
    }

    /// An RTM_NEWADDR answer, with the attributes a re-add keeps.
    struct Address: Equatable {
        var family: UInt8
        var prefixLength: UInt8
        var flags: UInt32
        var scope: UInt8
        var index: UInt32
        var attributes: [Attribute]

        /// The addresses config-linux.md "Network Devices" says to carry over: permanent, of
        /// global scope (RFC 3549 2.3.3.2), any family.
        var isPermanentGlobal: Bool { flags & Netlink.permanent != 0 && scope == Netlink.universeScope }
    }

    // MARK: encoding

    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    static func pad(_ bytes: inout [UInt8]) {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    static func encode(_ attribute: Attribute) -> [UInt8] {
        var bytes: [UInt8] = []
        append(UInt16(4 + attribute.data.count), to: &bytes)
        append(attribute.type, to: &bytes)
        bytes += attribute.data
        pad(&bytes)
        return bytes
    }

    static func message(type: UInt16, flags: UInt16, sequence: UInt32, header: [UInt8], attributes: [Attribute] = []) -> [UInt8] {
        var body = header
        pad(&body)
        for attribute in attributes { body += encode(attribute) }
        var bytes: [UInt8] = []
        append(UInt32(headerSize + body.count), to: &bytes)
        append(type, to: &bytes)
        append(flags | requestFlag, to: &bytes)
        append(sequence, to: &bytes)
        append(UInt32(0), to: &bytes)  // nlmsg_pid: the kernel
        return bytes + body
    }

    static func linkHeader(index: Int32, flags: UInt32 = 0, change: UInt32 = 0) -> [UInt8] {
        var bytes: [UInt8] = [0, 0]  // ifi_family AF_UNSPEC, pad
        append(UInt16(0), to: &bytes)
        append(index, to: &bytes)
        append(flags, to: &bytes)
        append(change, to: &bytes)
        return bytes
    }

    /// A C string attribute (IFLA_IFNAME).
    static func string(_ type: UInt16, _ text: String) -> Attribute { Attribute(type: type, data: Array(text.utf8) + [0]) }

    static func u32(_ type: UInt16, _ value: UInt32) -> Attribute {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return Attribute(type: type, data: bytes)
    }

    /// RTM_GETLINK of one interface, by name.
    static func getLink(name: String, sequence: UInt32) -> [UInt8] {
        message(type: getLink, flags: 0, sequence: sequence, header: linkHeader(index: 0), attributes: [string(linkName, name)])
    }

    /// RTM_GETLINK of every interface.
    static func dumpLinks(sequence: UInt32) -> [UInt8] {
        message(type: getLink, flags: dumpFlag, sequence: sequence, header: linkHeader(index: 0))
    }

    /// RTM_NEWLINK on an existing interface: up or down.
    static func setUp(index: Int32, _ up: Bool, sequence: UInt32) -> [UInt8] {
        message(type: newLink, flags: ackFlag, sequence: sequence,
                header: linkHeader(index: index, flags: up ? Self.up : 0, change: Self.up))
    }

    /// RTM_NEWLINK moving an interface into the network namespace of `pid` and naming it
    /// `name` there, in one request (no moment with a clashing name on either side).
    static func move(index: Int32, name: String, toNamespaceOf pid: Int32, sequence: UInt32) -> [UInt8] {
        message(type: newLink, flags: ackFlag, sequence: sequence, header: linkHeader(index: index),
                attributes: [string(linkName, name), u32(linkNamespacePID, UInt32(bitPattern: pid))])
    }

    /// RTM_GETADDR of every address (the kernel does not filter a dump by interface).
    static func dumpAddresses(sequence: UInt32) -> [UInt8] {
        message(type: getAddress, flags: dumpFlag, sequence: sequence, header: [0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// RTM_NEWADDR re-adding `address` on interface `index`: the address, local address and
    /// broadcast as they were; no label (it names the old interface) and no lifetimes.
    static func addAddress(_ address: Address, index: Int32, sequence: UInt32) -> [UInt8] {
        var header: [UInt8] = [address.family, address.prefixLength, UInt8(truncatingIfNeeded: address.flags), address.scope]
        append(UInt32(bitPattern: index), to: &header)
        let kept = address.attributes.filter { [addressAddress, addressLocal, addressBroadcast].contains($0.type) }
        return message(type: newAddress, flags: ackFlag | createFlag | excludeFlag, sequence: sequence, header: header,
                       attributes: kept)
    }

    // MARK: decoding

    static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>, at offset: Int) -> T? {
        let start = bytes.startIndex + offset
        guard offset >= 0, start + MemoryLayout<T>.size <= bytes.endIndex else { return nil }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { raw in
            for i in 0..<MemoryLayout<T>.size { raw[i] = bytes[start + i] }
        }
        return value
    }

    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    /// The messages of one datagram.
    static func decode(_ bytes: [UInt8]) throws(DecodeError) -> [Message] {
        var messages: [Message] = []
        var offset = 0
        while offset + headerSize <= bytes.count {
            let slice = bytes[offset...]
            guard let length = read(UInt32.self, slice, at: 0), let type = read(UInt16.self, slice, at: 4),
                  let flags = read(UInt16.self, slice, at: 6), let sequence = read(UInt32.self, slice, at: 8),
                  Int(length) >= headerSize, offset + Int(length) <= bytes.count else {
                throw DecodeError(description: "truncated netlink message at byte \(offset)")
            }
            messages.append(Message(type: type, flags: flags, sequence: sequence,
                                    payload: Array(bytes[(offset + headerSize)..<(offset + Int(length))])))
            offset += (Int(length) + 3) & ~3
        }
        return messages
    }

    static func attributes(_ bytes: ArraySlice<UInt8>) -> [Attribute] {
        var result: [Attribute] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            guard let length = read(UInt16.self, bytes, at: offset), let type = read(UInt16.self, bytes, at: offset + 2),
                  Int(length) >= 4, offset + Int(length) <= bytes.count else { break }
            let start = bytes.startIndex + offset
            result.append(Attribute(type: type & 0x3FFF, data: Array(bytes[(start + 4)..<(start + Int(length))])))
            offset += (Int(length) + 3) & ~3
        }
        return result
    }

    /// The errno of an NLMSG_ERROR (0: an acknowledgement).
    static func errorCode(_ message: Message) -> Int32? {
        guard message.type == errorType, let code = read(Int32.self, message.payload[...], at: 0) else { return nil }
        return -code
    }

    static func link(_ message: Message) -> Link? {
        let payload = message.payload[...]
        guard message.type == newLink, let index = read(Int32.self, payload, at: 4),
              let flags = read(UInt32.self, payload, at: 8), payload.count >= linkHeaderSize else { return nil }
        var link = Link(index: index, flags: flags, name: nil, hardwareAddress: nil)
        for attribute in attributes(payload.dropFirst(linkHeaderSize)) {
            switch attribute.type {
            case linkName: link.name = String(decoding: attribute.data.prefix { $0 != 0 }, as: UTF8.self)
            case linkAddress: link.hardwareAddress = attribute.data
            default: break
            }
        }
        return link
    }

    static func address(_ message: Message) -> Address? {
        let payload = message.payload[...]
        guard message.type == newAddress, payload.count >= addressHeaderSize, let index = read(UInt32.self, payload, at: 4) else {
            return nil
        }
        let attributes = attributes(payload.dropFirst(addressHeaderSize))
        var flags = UInt32(payload[payload.startIndex + 2])
        if let extended = attributes.first(where: { $0.type == addressFlags }), let value = read(UInt32.self, extended.data[...], at: 0) {
            flags = value
        }
        return Address(family: payload[payload.startIndex], prefixLength: payload[payload.startIndex + 1], flags: flags,
                       scope: payload[payload.startIndex + 3], index: index, attributes: attributes)
    }
}
