import Testing
@testable import SwiftletCore

/// CRIU's RPC messages (Checkpoint/CriuRPC.swift, Checkpoint/Protobuf.swift) against bytes
/// written by hand from CRIU v3.17.1's images/rpc.proto and the protobuf encoding rules.
@Suite struct CriuRPCTests {
    static func bytes(_ parts: [Any]) -> [UInt8] {
        parts.flatMap { part -> [UInt8] in
            if let text = part as? String { return Array(text.utf8) }
            if let byte = part as? Int { return [UInt8(byte)] }
            return []
        }
    }

    @Test func notifyAnswer() {
        // type (1) = NOTIFY (6), notify_success (3) = true / false.
        #expect(CriuRequest.notifyAnswer(success: true) == [0x08, 0x06, 0x18, 0x01])
        #expect(CriuRequest.notifyAnswer(success: false) == [0x08, 0x06, 0x18, 0x00])
    }

    @Test func restoreRequest() {
        var opts = CriuOpts()
        opts.imagesDirFD = 5
        opts.logFile = "restore.log"
        opts.restoreSibling = true
        opts.inheritFDs = [("a", 3)]
        let expected = Self.bytes([
            0x08, 0x02,                       // type = RESTORE
            0x12, 28,                         // opts, 28 bytes
            0x08, 0x05,                       //   images_dir_fd = 5
            0x48, 0x04,                       //   log_level (9) = 4
            0x52, 11, "restore.log",          //   log_file (10)
            0xd0, 0x01, 0x01,                 //   rst_sibling (26) = true: key 208, a two-byte varint
            0xda, 0x01, 5, 0x0a, 1, "a", 0x10, 3, //   inherit_fd (27) {key "a", fd 3}
        ])
        #expect(CriuRequest.encode(.restore, opts: opts) == expected)
    }

    @Test func nestedAndRepeatedOptions() throws {
        var opts = CriuOpts()
        opts.imagesDirFD = 7
        opts.cgroupRoots = [(nil, "/c"), ("cpu,cpuacct", "/d")]
        opts.joinNamespaces = [("uts", "/run/uts")]
        opts.external = ["mnt[/data]:/srv", "net[1]:extRootNetNS"]
        opts.pageServer = ("::1", 27)
        opts.manageCgroupsMode = .full
        opts.emptyNamespaces = 0x4000_0000
        opts.orphanPtsMaster = true
        let fields = try ProtobufReader.fields(opts.encoded())
        #expect(fields.filter { $0.number == 25 }.count == 2)
        let roots = try fields.filter { $0.number == 25 }.map { try ProtobufReader.fields($0.bytes ?? []) }
        #expect(roots[0].map(\.number) == [2] && roots[0][0].string == "/c")
        #expect(roots[1].map(\.string) == ["cpu,cpuacct", "/d"])
        #expect(fields.filter { $0.number == 37 }.map(\.string) == ["mnt[/data]:/srv", "net[1]:extRootNetNS"])
        let ps = try ProtobufReader.fields(fields.first { $0.number == 11 }?.bytes ?? [])
        #expect(ps.map(\.number) == [1, 2] && ps[0].string == "::1" && ps[1].int32 == 27)
        #expect(fields.first { $0.number == 34 }?.int32 == 4)
        #expect(fields.first { $0.number == 38 }?.int32 == 0x4000_0000)
        #expect(fields.first { $0.number == 50 }?.bool == true)
        let join = try ProtobufReader.fields(fields.first { $0.number == 39 }?.bytes ?? [])
        #expect(join.map(\.string) == ["uts", "/run/uts"])
    }

    /// protobuf's int32: a negative value is ten bytes, sign-extended.
    @Test func negativeInt32() throws {
        var w = ProtobufWriter()
        w.int32(1, -1)
        #expect(w.bytes == [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
        #expect(try ProtobufReader.fields(w.bytes).first?.int32 == -1)
    }

    @Test func notifyResponse() throws {
        let bytes = Self.bytes([
            0x08, 0x06, 0x10, 0x01,           // type NOTIFY, success
            0x2a, 21,                         // notify (5), 21 bytes
            0x0a, 16, "setup-namespaces",     //   script
            0x10, 0xd2, 0x09,                 //   pid 1234
        ])
        let response = try CriuResponse.decode(bytes)
        #expect(response.isNotify && response.success)
        #expect(response.notifyScript == "setup-namespaces" && response.notifyPid == 1234)
        #expect(response.restoredPid == nil && response.crErrmsg == nil)
    }

    @Test func restoreResponse() throws {
        let bytes = Self.bytes([0x08, 0x02, 0x10, 0x01, 0x22, 3, 0x08, 0xd2, 0x09])
        let response = try CriuResponse.decode(bytes)
        #expect(response.type == CriuRequestType.restore.rawValue && response.success && response.restoredPid == 1234)
    }

    @Test func errorResponse() throws {
        // An unknown field (11, status) and a fixed32 one (99) are skipped.
        let bytes = Self.bytes([
            0x08, 0x02, 0x10, 0x00, 0x38, 0x02, 0x4a, 4, "oops", 0x58, 0x07,
            0x9d, 0x06, 1, 2, 3, 4,
        ])
        let response = try CriuResponse.decode(bytes)
        #expect(!response.success && response.crErrno == 2 && response.crErrmsg == "oops")
    }

    @Test(arguments: [[0x08], [0x08, 0x02], [0x4a, 5, 0x61], [0x0b, 0x01], [0x00, 0x01],
                      [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]] as [[UInt8]])
    func malformedResponses(bytes: [UInt8]) {
        #expect(throws: ProtobufError.self) { try CriuResponse.decode(bytes) }
    }
}
