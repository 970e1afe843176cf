import OCI

/// config-linux.md "Network Devices": the host interfaces named in `linux.netDevices` are
/// moved into the container's new network namespace, renamed to `name` (a name ending in
/// `%d` lets the kernel pick a free one), with their permanent addresses of global scope, and
/// set up.
///
/// When: by the runtime, after clone3 made the namespace and before the container's setup
/// goes on (the child waits for GO), so that createContainer hooks and the process find the
/// devices in place. How, per device, in the order of the names:
///  1. look it up in the runtime's namespace, and its addresses; refuse a `name` that already
///     exists in the container's namespace (checked there first, so a refused device is not
///     touched);
///  2. set it down (nothing on the host should use it half-moved) and move and rename it in one
///     RTM_NEWLINK (IFLA_NET_NS_PID of the container's init, IFLA_IFNAME), so no clashing name
///     exists at any moment on either side;
///  3. in the container's namespace (a netlink socket made there: the runtime enters the
///     namespace through the init's pidfd for the socket() call only, and returns through
///     SIOCGSKNS of its own socket), re-add the addresses the kernel dropped in the move and
///     set the device up.
///
/// What the runtime does not do, by the spec ("Namespace Lifecycle and Container
/// Termination": the runtime MUST NOT move the interface out of the namespace before
/// deletion): bring devices back on delete. When the namespace goes, the kernel moves
/// physical devices back to the initial namespace and destroys virtual ones (veth, macvlan).
/// A create that fails after a move leaves the device to the same kernel rule.
enum NetDevices {
    /// Refused before anything exists: no new network namespace to move into, or a device the
    /// runtime's namespace does not have.
    static func check(_ spec: Spec) throws {
        guard let devices = spec.linux?.netDevices, !devices.isEmpty else { return }
        guard let network = spec.linux?.namespace(.network) else {
            throw RuntimeError("linux.netDevices: needs a network namespace (linux.namespaces has none): the devices would stay "
                               + "in the host's", errno: Errno.EINVAL)
        }
        if let path = network.path, !path.isEmpty {
            throw RuntimeError("linux.netDevices: needs a new network namespace, not one joined by path (\(path)): the devices "
                               + "would go to a namespace the container does not own", errno: Errno.EINVAL)
        }
        var host = try RouteClient(context: "linux.netDevices")
        for hostName in devices.keys.sorted() where try host.link(named: hostName) == nil {
            throw RuntimeError("\(JSONPath.member("linux.netDevices", hostName)): no network interface \"\(hostName)\" in the "
                               + "runtime's network namespace", errno: Errno.ENODEV)
        }
    }

    /// Steps 1-3 for every device, into the network namespace of the container's init (`pid`,
    /// the runtime's child: its pid cannot be reused; `pidfd` for setns).
    static func move(_ devices: [String: LinuxNetDevice], into pid: Int32, pidfd: Int32) throws {
        guard !devices.isEmpty else { return }
        var host = try RouteClient(context: "linux.netDevices")
        var container = try RouteClient.inNamespace(of: pidfd, returningTo: host.socket.raw)
        let addresses = try host.addresses()
        for hostName in devices.keys.sorted() {
            let field = JSONPath.member("linux.netDevices", hostName)
            let name = devices[hostName]?.name.flatMap { $0.isEmpty ? nil : $0 } ?? hostName
            guard let link = try host.link(named: hostName) else {
                throw RuntimeError("\(field): no network interface \"\(hostName)\" in the runtime's network namespace",
                                   errno: Errno.ENODEV)
            }
            if !name.contains("%"), try container.link(named: name) != nil {
                throw RuntimeError("\(field).name: \"\(name)\" already exists in the container's network namespace",
                                   errno: Errno.EEXIST)
            }
            let kept = addresses.filter { $0.index == UInt32(bitPattern: link.index) && $0.isPermanentGlobal }
            try withContext("\(field): set down") { try host.acknowledged { Netlink.setUp(index: link.index, false, sequence: $0) } }
            try withContext("\(field): move into the container's network namespace as \"\(name)\"") {
                try host.acknowledged { Netlink.move(index: link.index, name: name, toNamespaceOf: pid, sequence: $0) }
            }
            let moved = try container.find(moved: link, name: name, field: field)
            for address in kept {
                try withContext("\(field): re-add a permanent address in the container's network namespace") {
                    try container.acknowledged { Netlink.addAddress(address, index: moved.index, sequence: $0) }
                }
            }
            try withContext("\(field): set up in the container's network namespace") {
                try container.acknowledged { Netlink.setUp(index: moved.index, true, sequence: $0) }
            }
        }
    }

    /// The moved link among `links` of the container's namespace: by name unless the name
    /// was a template, else by its index and hardware address (the kernel keeps the index
    /// when it is free there), else by the hardware address alone if exactly one has it.
    static func identify(_ original: Netlink.Link, name: String, among links: [Netlink.Link]) -> Netlink.Link? {
        if !name.contains("%") { return links.first { $0.name == name } }
        if let same = links.first(where: { $0.index == original.index && $0.hardwareAddress == original.hardwareAddress }) {
            return same
        }
        let matches = links.filter { $0.hardwareAddress != nil && $0.hardwareAddress == original.hardwareAddress }
        return matches.count == 1 ? matches[0] : nil
    }
}

/// A NETLINK_ROUTE conversation: one request at a time, answered in order.
struct RouteClient: ~Copyable {
    let socket: FileDescriptor
    let context: String
    private var sequence: UInt32 = 0

    init(context: String) throws {
        self.socket = try withContext(context) { try Sys.routeSocket() }
        self.context = context
    }

    private init(socket: consuming FileDescriptor, context: String) {
        self.socket = socket
        self.context = context
    }

    /// A socket in the network namespace of the process `pidfd` names: the runtime (single
    /// threaded) enters it for the socket() call and goes back to the namespace of `home`.
    static func inNamespace(of pidfd: Int32, returningTo home: Int32) throws -> RouteClient {
        let context = "linux.netDevices: the container's network namespace"
        let back = try withContext(context) { try Sys.socketNamespace(home) }
        try withContext(context) { try Sys.setns(pidfd, Linux.CLONE_NEWNET, path: "pidfd of the container's init") }
        // Back before anything else, whatever socket() said: the runtime must not stay there.
        func goBack() throws {
            try withContext(context) { try Sys.setns(back.raw, Linux.CLONE_NEWNET, path: "the runtime's network namespace") }
        }
        let socket: FileDescriptor
        do {
            socket = try Sys.routeSocket()
        } catch {
            try goBack()
            throw RuntimeError(context, error)
        }
        try goBack()
        return RouteClient(socket: socket, context: context)
    }

    /// Sends a request and collects the answers with its sequence number: until the
    /// acknowledgement or an error, the end of a dump, or a single answer.
    mutating func exchange(_ build: (UInt32) -> [UInt8]) throws -> [Netlink.Message] {
        sequence &+= 1
        let seq = sequence
        try withContext(context) { try Sys.netlinkSend(socket.raw, build(seq)) }
        var answers: [Netlink.Message] = []
        while true {
            let datagram = try withContext(context) { try Sys.netlinkReceive(socket.raw) }
            let messages: [Netlink.Message]
            do { messages = try Netlink.decode(datagram) } catch { throw RuntimeError("\(context): \(error)", errno: Errno.EPROTO) }
            for message in messages where message.sequence == seq {
                if let code = Netlink.errorCode(message) {
                    if code == 0 { return answers }
                    throw SystemError(errno: code, operation: "netlink", path: nil)
                }
                if message.type == Netlink.doneType { return answers }
                answers.append(message)
                if message.flags & Netlink.multiFlag == 0 { return answers }
            }
        }
    }

    mutating func acknowledged(_ build: (UInt32) -> [UInt8]) throws {
        _ = try exchange(build)
    }

    /// The interface called `name`, nil when there is none (ENODEV).
    mutating func link(named name: String) throws -> Netlink.Link? {
        do {
            return try exchange { Netlink.getLink(name: name, sequence: $0) }.compactMap(Netlink.link).first
        } catch let error as SystemError where error.errno == Errno.ENODEV {
            return nil
        } catch let error as SystemError {
            throw RuntimeError("\(context): look up interface \"\(name)\"", error)
        }
    }

    mutating func links() throws -> [Netlink.Link] {
        do { return try exchange { Netlink.dumpLinks(sequence: $0) }.compactMap(Netlink.link) } catch let error as SystemError {
            throw RuntimeError("\(context): list interfaces", error)
        }
    }

    mutating func addresses() throws -> [Netlink.Address] {
        do { return try exchange { Netlink.dumpAddresses(sequence: $0) }.compactMap(Netlink.address) } catch let error as SystemError {
            throw RuntimeError("\(context): list addresses", error)
        }
    }

    /// The device `original` after its move (NetDevices.identify).
    mutating func find(moved original: Netlink.Link, name: String, field: String) throws -> Netlink.Link {
        guard let found = NetDevices.identify(original, name: name, among: try links()) else {
            throw RuntimeError("\(field): moved, but not found in the container's network namespace as \"\(name)\"", errno: Errno.ENODEV)
        }
        return found
    }
}
