/// CRIU's RPC messages (`criu swrk FD`: one criu_req in, criu_resp and criu_notify out, each
/// one SOCK_SEQPACKET datagram), the fields swiftlet uses, with the field numbers of CRIU
/// v3.17.1's images/rpc.proto (`criu_opts`, `criu_req`, `criu_resp`, `criu_notify`,
/// `criu_restore_resp`, `inherit_fd`, `cgroup_root`, `join_namespace`,
/// `criu_page_server_info`). Encoded and decoded with Checkpoint/Protobuf.swift; unit-tested
/// against hand-made bytes (Tests/SwiftletCoreTests/CriuRPCTests). docs/checkpoint.md.

/// `criu_req_type` (rpc.proto): the requests swiftlet sends and the types CRIU answers with.
enum CriuRequestType: Int32, Sendable {
    case empty = 0
    case dump = 1
    case restore = 2
    case check = 3
    case preDump = 4
    case notify = 6
    case version = 10
}

/// `criu_opts` (rpc.proto), the options of a dump or a restore. Descriptor fields
/// (`imagesDirFD`, `workDirFD`, `statusFD`) are numbers in the runtime, which CRIU reopens
/// through /proc/PEER/fd/N (cr-service.c, the peer from SO_PEERCRED); `inheritFDs` are numbers
/// in CRIU itself (swrk only: what the runtime handed to the spawned CRIU).
struct CriuOpts: Equatable, Sendable {
    var imagesDirFD: Int32 = -1                                 // 1, required
    var pid: Int32?                                             // 2: the tree to dump
    var leaveRunning = false                                    // 3
    var extUnixSk = false                                       // 4
    var tcpEstablished = false                                  // 5
    var evasiveDevices = false                                  // 6
    var shellJob = false                                        // 7
    var fileLocks = false                                       // 8
    var logLevel: Int32 = 4                                     // 9
    var logFile: String?                                        // 10: a name in the work directory
    var pageServer: (address: String?, port: Int32)?            // 11: criu_page_server_info
    var notifyScripts = false                                   // 12
    var root: String?                                           // 13
    var parentImage: String?                                    // 14
    var trackMem = false                                        // 15
    var autoDedup = false                                       // 16
    var workDirFD: Int32?                                       // 17
    var manageCgroups = false                                   // 24
    var cgroupRoots: [(controllers: String?, path: String)] = [] // 25: cgroup_root
    var restoreSibling = false                                  // 26, swrk only
    var inheritFDs: [(key: String, fd: Int32)] = []             // 27: inherit_fd, swrk only
    var manageCgroupsMode: CriuCgroupModeNumber?                // 34
    var external: [String] = []                                 // 37: `mnt[KEY]:VAL`, `net[INODE]:KEY`, `file[...]`
    var emptyNamespaces: UInt32 = 0                             // 38: CLONE_NEW* bits (CRIU: only CLONE_NEWNET)
    var joinNamespaces: [(ns: String, file: String)] = []       // 39: join_namespace
    var lazyPages = false                                       // 48
    var statusFD: Int32?                                        // 49
    var orphanPtsMaster = false                                 // 50
    var lsmProfile: String?                                     // 53
    var lsmMountContext: String?                                // 63

    init() {}

    /// The protobuf bytes, fields in number order, unset options left out (CRIU's defaults).
    func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.int32(1, imagesDirFD)
        if let pid { w.int32(2, pid) }
        if leaveRunning { w.bool(3, true) }
        if extUnixSk { w.bool(4, true) }
        if tcpEstablished { w.bool(5, true) }
        if evasiveDevices { w.bool(6, true) }
        if shellJob { w.bool(7, true) }
        if fileLocks { w.bool(8, true) }
        w.int32(9, logLevel)
        if let logFile { w.string(10, logFile) }
        if let pageServer {
            w.message(11) { ps in
                if let address = pageServer.address { ps.string(1, address) }
                ps.int32(2, pageServer.port)
            }
        }
        if notifyScripts { w.bool(12, true) }
        if let root { w.string(13, root) }
        if let parentImage { w.string(14, parentImage) }
        if trackMem { w.bool(15, true) }
        if autoDedup { w.bool(16, true) }
        if let workDirFD { w.int32(17, workDirFD) }
        if manageCgroups { w.bool(24, true) }
        for root in cgroupRoots {
            w.message(25) { entry in
                if let controllers = root.controllers { entry.string(1, controllers) }
                entry.string(2, root.path)
            }
        }
        if restoreSibling { w.bool(26, true) }
        for inherit in inheritFDs {
            w.message(27) { entry in
                entry.string(1, inherit.key)
                entry.int32(2, inherit.fd)
            }
        }
        if let manageCgroupsMode { w.int32(34, manageCgroupsMode.rawValue) }
        for value in external { w.string(37, value) }
        if emptyNamespaces != 0 { w.uint32(38, emptyNamespaces) }
        for join in joinNamespaces {
            w.message(39) { entry in
                entry.string(1, join.ns)
                entry.string(2, join.file)
            }
        }
        if lazyPages { w.bool(48, true) }
        if let statusFD { w.int32(49, statusFD) }
        if orphanPtsMaster { w.bool(50, true) }
        if let lsmProfile { w.string(53, lsmProfile) }
        if let lsmMountContext { w.string(63, lsmMountContext) }
        return w.bytes
    }

    static func == (a: CriuOpts, b: CriuOpts) -> Bool { a.encoded() == b.encoded() }
}

/// `criu_cg_mode` (rpc.proto) for `--manage-cgroups-mode`.
enum CriuCgroupModeNumber: Int32, Sendable {
    case ignore = 0
    case soft = 3
    case full = 4
    case strict = 5

    /// runc's flag value (soft, full, strict, ignore), nil for anything else.
    init?(flag: String) {
        switch flag {
        case "ignore": self = .ignore
        case "soft": self = .soft
        case "full": self = .full
        case "strict": self = .strict
        default: return nil
        }
    }
}

/// `criu_req` (rpc.proto): type 1, opts 2, notify_success 3 (the answer to a notification).
enum CriuRequest {
    static func encode(_ type: CriuRequestType, opts: CriuOpts?) -> [UInt8] {
        var w = ProtobufWriter()
        w.int32(1, type.rawValue)
        if let opts { w.bytes(2, opts.encoded()) }
        return w.bytes
    }

    /// The answer to a `criu_notify`: type NOTIFY, notify_success (false fails CRIU's step).
    static func notifyAnswer(success: Bool) -> [UInt8] {
        var w = ProtobufWriter()
        w.int32(1, CriuRequestType.notify.rawValue)
        w.bool(3, success)
        return w.bytes
    }
}

/// `criu_resp` (rpc.proto), what swiftlet reads of it: type 1, success 2, dump.restored 3.1,
/// restore.pid 4.1, notify 5 (script 1, pid 2), cr_errno 7, cr_errmsg 9.
struct CriuResponse: Equatable, Sendable {
    /// The raw `criu_req_type` (a value swiftlet does not know stays a number).
    var type: Int32 = 0
    var success = false
    var restoredPid: Int32?
    var notifyScript: String?
    var notifyPid: Int32?
    var crErrno: Int32?
    var crErrmsg: String?

    var isNotify: Bool { type == CriuRequestType.notify.rawValue }

    static func decode(_ bytes: [UInt8]) throws(ProtobufError) -> CriuResponse {
        var response = CriuResponse()
        var sawType = false
        var sawSuccess = false
        for field in try ProtobufReader.fields(bytes) {
            switch field.number {
            case 1:
                if let value = field.int32 { response.type = value; sawType = true }
            case 2:
                if let value = field.bool { response.success = value; sawSuccess = true }
            case 4:
                guard let nested = field.bytes else { continue }
                for inner in try ProtobufReader.fields(nested) where inner.number == 1 {
                    response.restoredPid = inner.int32
                }
            case 5:
                guard let nested = field.bytes else { continue }
                for inner in try ProtobufReader.fields(nested) {
                    if inner.number == 1 { response.notifyScript = inner.string }
                    if inner.number == 2 { response.notifyPid = inner.int32 }
                }
            case 7:
                response.crErrno = field.int32
            case 9:
                response.crErrmsg = field.string
            default:
                continue
            }
        }
        guard sawType, sawSuccess else {
            throw ProtobufError(offset: 0, reason: "criu_resp without its required type and success")
        }
        return response
    }
}
