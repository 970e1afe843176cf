import Foundation
import OCI
import Testing
@testable import SwiftletCore

/// state.json (ContainerRecord), the state directory (StateStore) and the status derived from
/// the live process. runtime-spec runtime.md "State" and "Lifecycle". No root needed: the
/// "init" of a live record is this test process itself.
@Suite struct StateRecordTests {
    static func record(id: String = "c1", pid: Int32? = nil, startTime: UInt64? = nil, creating: Bool = false,
                       started: Bool = false) -> ContainerRecord {
        ContainerRecord(
            ociVersion: "1.2.0", id: id, bundle: "/b/\(id)", rootfs: "/b/\(id)/rootfs", pid: pid, initStartTime: startTime,
            created: "2024-02-29T12:00:00.000000001Z", owner: "", annotations: ["org.example/key": "välue \"q\""],
            creating: creating, started: started, cgroup: nil,
            hooks: Hooks(poststop: [Hook(path: "/bin/true", args: ["true", "x"], env: ["A=1"], timeout: 3)]),
            namespaces: [LinuxNamespace(type: .pid), LinuxNamespace(type: .network, path: "/proc/1/ns/net")], terminal: true)
    }

    static func encodeDecode(_ record: ContainerRecord) throws -> ContainerRecord {
        try ContainerRecord.decode(try ContainerRecord.encode(record), path: "/x/state.json")
    }

    @Test func roundTrip() throws {
        let original = Self.record(pid: 4242, startTime: 987_654_321, creating: false, started: true)
        let back = try Self.encodeDecode(original)
        #expect(back.ociVersion == original.ociVersion && back.id == original.id && back.bundle == original.bundle)
        #expect(back.rootfs == original.rootfs && back.pid == 4242 && back.initStartTime == 987_654_321)
        #expect(back.created == original.created && back.owner == "" && back.annotations == original.annotations)
        #expect(back.creating == false && back.started == true && back.terminal == true)
        #expect(back.hooks == original.hooks)
        #expect(back.namespaces == original.namespaces)
        #expect(back.cgroup == nil)
    }

    @Test(arguments: [(nil, nil), (1, UInt64.max), (Int32.max, 0)] as [(Int32?, UInt64?)])
    func roundTripOptionals(pid: Int32?, startTime: UInt64?) throws {
        let back = try Self.encodeDecode(Self.record(pid: pid, startTime: startTime, creating: true))
        #expect(back.pid == pid && back.initStartTime == startTime && back.creating)
    }

    /// state.json as the Codable encoding of earlier versions wrote it (members in another
    /// order, `unified` null, `process` inside, resources after an update) still reads.
    @Test func readsTheEarlierCodableEncoding() throws {
        let text = #"{"annotations":{"a":"b"},"bundle":"/b","cgroup":{"legacy":[{"controllers":["memory"],"#
            + #""mountPoint":"/sys/fs/cgroup/memory","path":"/c1"}],"mode":"legacy","unified":null},"created":"x","#
            + #""creating":false,"hooks":{"poststop":[{"path":"/bin/true","timeout":3}]},"id":"c1","initStartTime":7,"#
            + #""namespaces":[{"type":"pid"},{"path":"/proc/1/ns/net","type":"network"}],"ociVersion":"1.2.0","owner":"","#
            + #""pid":42,"process":{"cwd":"/","args":["sh"],"user":{"uid":0,"gid":0}},"#
            + #""resources":{"memory":{"limit":1048576}},"rootfs":"/b/rootfs","started":true,"terminal":false}"#
        let record = try ContainerRecord.decode(Array(text.utf8), path: "/x/state.json")
        #expect(record.id == "c1" && record.pid == 42 && record.initStartTime == 7 && record.started)
        #expect(record.cgroup?.mode == .legacy && record.cgroup?.unified == nil)
        #expect(record.cgroup?.legacy.first?.directory == "/sys/fs/cgroup/memory/c1")
        #expect(record.hooks?.poststop?.first?.timeout == 3)
        #expect(record.namespaces?.last?.path == "/proc/1/ns/net")
        #expect(record.process?.cwd == "/" && record.resources?.memory?.limit == 1_048_576)
        // And what is written now round-trips the resources an update recorded.
        let back = try Self.encodeDecode(record)
        #expect(back.resources?.memory?.limit == 1_048_576 && back.cgroup == record.cgroup)
    }

    /// Strings with quotes, backslashes, control characters and non-ASCII survive the writer.
    @Test func escapedStringsRoundTrip() throws {
        var record = Self.record()
        record.bundle = "/b/\"q\" \\ \n\t\u{1} é"
        #expect(try Self.encodeDecode(record).bundle == record.bundle)
    }

    @Test(arguments: ["", "{", "null", "[]", #"{"id":"c1"}"#, #"{"ociVersion":1}"#])
    func corruptStateNamesTheFile(text: String) {
        #expect {
            try ContainerRecord.decode(Array(text.utf8), path: "/run/swiftlet/c1/state.json")
        } throws: { error in
            "\(error)".hasPrefix("/run/swiftlet/c1/state.json: corrupt state: ")
        }
    }

    /// What hooks get on stdin: exactly the spec's fields (runtime.md "State").
    @Test(arguments: [Runtime.Status.creating, .created, .running, .stopped])
    func specStateForHooks(status: Runtime.Status) throws {
        let record = Self.record(pid: 77, startTime: 1)
        let json = try Runtime.specState(record, status: status, pid: status == .stopped ? nil : 77)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(Set(object.keys).isSubset(of: ["ociVersion", "id", "status", "pid", "bundle", "annotations"]))
        #expect(object["ociVersion"] as? String == Runtime.ociVersion)
        #expect(object["id"] as? String == "c1")
        #expect(object["status"] as? String == status.rawValue)
        #expect(object["bundle"] as? String == "/b/c1")
        #expect(object["annotations"] as? [String: String] == record.annotations)
        if status == .stopped {
            #expect(object["pid"] == nil)
        } else {
            #expect(object["pid"] as? Int == 77)
        }
        // And the OCI decoder reads it back.
        let state = try State.decode(Data(json))
        #expect(state.id == "c1" && state.status.rawValue == status.rawValue)
    }
}

@Suite struct StateStoreTests {
    final class Scratch {
        let top: String
        /// Two levels below `top`: the store creates missing parents.
        let root: String
        let store: StateStore

        init() {
            top = NSTemporaryDirectory() + "swiftlet-store-" + UUID().uuidString
            root = top + "/nested/root"
            store = StateStore(root: root)
        }

        deinit { try? FileManager.default.removeItem(atPath: top) }
    }

    @Test func layout() {
        let store = StateStore(root: "/run/swiftlet")
        #expect(store.directory("c1") == "/run/swiftlet/c1")
        #expect(store.stateFile("c1") == "/run/swiftlet/c1/state.json")
        #expect(store.startSocket("c1") == "/run/swiftlet/c1/start.sock")
    }

    @Test func createWriteReadRemove() throws {
        let s = Scratch()
        let lock = try s.store.create("c1")
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: s.store.directory("c1"), isDirectory: &isDir) && isDir.boolValue)
        let record = StateRecordTests.record(id: "c1", pid: 5, startTime: 6)
        try s.store.write(record)
        let attributes = try FileManager.default.attributesOfItem(atPath: s.store.stateFile("c1"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let back = try s.store.read("c1")
        #expect(back.id == "c1" && back.pid == 5 && back.initStartTime == 6)
        _ = consume lock
        try s.store.remove("c1")
        #expect(!FileManager.default.fileExists(atPath: s.store.directory("c1")))
        // Removing twice is fine.
        try s.store.remove("c1")
    }

    @Test func duplicateIDIsAnError() throws {
        let s = Scratch()
        let lock = try s.store.create("dup")
        #expect {
            _ = try s.store.create("dup")
        } throws: { error in
            "\(error)" == "container \"dup\" already exists" && (error as? RuntimeError)?.errno == Errno.EEXIST
        }
        _ = consume lock
    }

    @Test func missingContainer() throws {
        let s = Scratch()
        for attempt in [{ _ = try s.store.read("ghost") }, { _ = try s.store.lock("ghost") }] as [() throws -> Void] {
            #expect {
                try attempt()
            } throws: { error in
                "\(error)" == "container \"ghost\" does not exist" && (error as? RuntimeError)?.errno == Errno.ENOENT
            }
        }
    }

    @Test func corruptStateFile() throws {
        let s = Scratch()
        let lock = try s.store.create("bad")
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: s.store.stateFile("bad")))
        #expect {
            _ = try s.store.read("bad")
        } throws: { error in
            "\(error)".hasPrefix(s.store.stateFile("bad") + ": corrupt state")
        }
        _ = consume lock
    }

    /// A record with its saved config is rewritten in place while it fits before the config:
    /// one inode however many writes there are, no spare, the config untouched and still where
    /// it was; a record that outgrows the room goes to a new file swapped in (and the writes
    /// after it are in place again); a file whose end is not the config it should be is never
    /// written over in place.
    @Test func rewritesInPlaceWhileTheRecordFits() throws {
        let s = Scratch()
        let lock = try s.store.create("c1")
        let config = Array(#"{"ociVersion":"1.2.0","process":{"args":["sh"],"cwd":"/"}}"#.utf8)
        func record(_ pid: Int32, bundle: String = "/b") -> ContainerRecord {
            var record = StateRecordTests.record(id: "c1", pid: pid, startTime: UInt64(pid) * 1_000_003)
            record.config = config
            record.bundle = bundle
            return record
        }
        let path = s.store.stateFile("c1")
        try s.store.write(record(1))
        let first = try Sys.stat(path)
        for pid in Int32(2)...6 {
            try s.store.write(record(pid * 1_000))
            let read = try s.store.read("c1")
            #expect(read.pid == pid * 1_000 && read.config == config)
            let now = try Sys.stat(path)
            #expect(now.inode == first.inode && now.size == first.size)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.store.directory("c1")) == ["state.json"])
        // The config ends the file, after the spaces that are left of the room.
        let bytes = try Sys.readFile(path)
        let tail = Array(#""config":"#.utf8) + config + [UInt8(ascii: "}")]
        #expect(Array(bytes.suffix(tail.count)) == tail && bytes[bytes.count - tail.count - 1] == UInt8(ascii: " "))

        // Outgrowing the room: a new file, the old one kept as the spare; in place again after.
        try s.store.write(record(7, bundle: "/" + String(repeating: "b", count: 300)))
        let grown = try Sys.stat(path)
        #expect(try grown.inode != first.inode && s.store.read("c1").bundle.count == 301)
        try s.store.write(record(8, bundle: "/short"))
        #expect(try Sys.stat(path).inode == grown.inode && s.store.read("c1").bundle == "/short")

        // A file that does not end with this config (here: another config) is not rewritten in place.
        var other = record(9)
        other.config = Array(#"{"ociVersion":"1.2.0"}"#.utf8)
        try s.store.write(other)
        #expect(try Sys.stat(path).inode != grown.inode)
        #expect(try s.store.read("c1").config == other.config)
        _ = consume lock
    }

    /// Rewriting a record without a saved config (one of an earlier version) swaps the new file
    /// in (RENAME_EXCHANGE) and keeps the old one as the next write's spare: the latest record
    /// is read back, and however many writes there are, the record takes two inodes.
    @Test func rewritesAlternateBetweenTwoInodes() throws {
        let s = Scratch()
        let lock = try s.store.create("c1")
        var inodes = Set<UInt64>()
        for pid in Int32(1)...5 {
            try s.store.write(StateRecordTests.record(id: "c1", pid: pid, startTime: UInt64(pid)))
            #expect(try s.store.read("c1").pid == pid)
            inodes.insert(try Sys.stat(s.store.stateFile("c1")).inode)
        }
        #expect(inodes.count == 2)
        let names = try FileManager.default.contentsOfDirectory(atPath: s.store.directory("c1")).sorted()
        #expect(names == ["state.json", "state.json.tmp"])
        _ = consume lock
    }

    /// Readers racing a writer that rewrites as fast as it can: every read is one whole record.
    /// The spare a writer empties may be the file a reader opened just before the swap; the
    /// flock protocol (LOCK_EX to rewrite, LOCK_SH to read) is what keeps such a reader from
    /// seeing it half written (without it, reads here fail to decode within a few hundred
    /// rounds). A long bundle path makes each write span several pages; with a saved config
    /// and a short one, every write is in place (the same protocol on the one file).
    @Test(arguments: [false, true])
    func readersNeverSeeARewriteInProgress(inPlace: Bool) throws {
        let s = Scratch()
        let lock = try s.store.create("c1")
        let store = s.store
        @Sendable func record(_ pid: Int32) -> ContainerRecord {
            var record = StateRecordTests.record(id: "c1", pid: pid, startTime: UInt64(pid))
            if inPlace {
                record.bundle = "/" + String(repeating: pid % 2 == 0 ? "a" : "bb", count: 30)
                record.config = Array(("{\"pad\":\"" + String(repeating: "c", count: 9_000) + "\"}").utf8)
            } else {
                record.bundle = "/" + String(repeating: pid % 2 == 0 ? "a" : "bb", count: 3_000)
            }
            return record
        }
        try store.write(record(1))
        let torn = Counter()
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            for round in 0..<1_000 {
                if worker == 0 {
                    _ = try? store.write(record(Int32(round + 2)))
                } else {
                    do {
                        let read = try store.read("c1")
                        let expected = read.pid.map { $0 % 2 == 0 ? (inPlace ? 30 : 3_000) : (inPlace ? 60 : 6_000) } ?? -1
                        if read.bundle.utf8.count != expected + 1 { torn.add() }
                    } catch {
                        torn.add()
                    }
                }
            }
        }
        #expect(torn.value == 0)
        if inPlace {  // every write was in place: no spare was ever made
            #expect(try FileManager.default.contentsOfDirectory(atPath: s.store.directory("c1")) == ["state.json"])
        }
        _ = consume lock
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.lock(); count += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    }

    /// The saved config (state.json's `config`) is what exec's defaults come from; the
    /// config.json file and exec.json of earlier versions are still read when it is absent.
    @Test func execDefaultsFromSavedConfigOrEarlierFiles() throws {
        let s = Scratch()
        let lock = try s.store.create("c1")
        var record = StateRecordTests.record(id: "c1", pid: 5, startTime: 6)
        try s.store.write(record)
        let legacy = #"{"process":{"cwd":"/old","args":["sh"],"user":{"uid":0,"gid":0}}}"#
        try Data(legacy.utf8).write(to: URL(fileURLWithPath: s.store.execDefaultsFile("c1")))
        #expect(try s.store.readWithExecDefaults("c1").process?.cwd == "/old")
        func config(cwd: String) -> String {
            #"{"ociVersion":"1.2.0","process":{"cwd":"\#(cwd)","args":["sh"],"user":{"uid":0,"gid":0}},"#
                + #""linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW"}}}"#
        }
        try Data(config(cwd: "/file").utf8).write(to: URL(fileURLWithPath: s.store.configFile("c1")))
        #expect(try s.store.readWithExecDefaults("c1").process?.cwd == "/file")
        record.config = Array(config(cwd: "/saved").utf8)
        try s.store.write(record)
        let read = try s.store.readWithExecDefaults("c1")
        #expect(read.process?.cwd == "/saved" && read.seccomp?.defaultAction.rawValue == "SCMP_ACT_ALLOW")
        // state.json carries them only inside the saved config, its last member.
        let text = try String(contentsOfFile: s.store.stateFile("c1"), encoding: .utf8)
        #expect(text.hasSuffix(#" "config":"# + config(cwd: "/saved") + "}"))
        #expect(!text.replacingOccurrences(of: config(cwd: "/saved"), with: "").contains("\"process\""))
        _ = consume lock
    }

    /// The saved config goes into state.json byte for byte and comes back the same (whitespace
    /// inside and member order included; the newline after the value is not part of it),
    /// through every rewrite; a record without one has no member.
    @Test func savedConfigRoundTripsByteForByte() throws {
        var record = StateRecordTests.record(id: "c2", pid: 7, startTime: 8)
        let config = Array("{\n  \"ociVersion\": \"1.2.0\",\n  \"z\": [1, 2.5e3, \"a\\\"}\\u00e9\"],\n  \"a\": {}\n}\n".utf8)
        record.config = config
        let bytes = try ContainerRecord.encode(record)
        let back = try ContainerRecord.decode(bytes, path: "state.json")
        #expect(back.config == config.dropLast())
        #expect(back.id == "c2" && back.pid == 7)
        #expect(try ContainerRecord.decode(ContainerRecord.encode(back), path: "state.json").config == back.config)
        record.config = nil
        let plain = try ContainerRecord.encode(record)
        #expect(!String(decoding: plain, as: UTF8.self).contains("\"config\""))
        #expect(try ContainerRecord.decode(plain, path: "state.json").config == nil)
    }

    /// `list` shows only directories whose names are valid ids, sorted.
    @Test func idsAreValidAndSorted() throws {
        let s = Scratch()
        #expect(try s.store.ids().isEmpty)  // no root yet
        for id in ["zeta", "alpha", "m-1"] {
            let lock = try s.store.create(id)
            _ = consume lock
        }
        try FileManager.default.createDirectory(atPath: s.root + "/with space", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: s.root + "/bad\u{1}id", withIntermediateDirectories: true)
        #expect(try s.store.ids() == ["alpha", "m-1", "zeta"])
    }

    /// A root that exists but cannot be listed fails with its errno instead of listing
    /// nothing (only a missing root means no containers). As root, EACCES cannot be made, so
    /// the root is a regular file: ENOTDIR.
    @Test func anUnreadableRootIsAnError() throws {
        let s = Scratch()
        try FileManager.default.createDirectory(atPath: s.top + "/nested", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: s.root, contents: Data("x".utf8)))
        let error = #expect(throws: RuntimeError.self) { try s.store.ids() }
        #expect(error?.errno == Errno.ENOTDIR)
        #expect("\(error.map { "\($0)" } ?? "")".contains("list the state root"))
    }

    /// A command waiting for a container's lock while the container is deleted and made again
    /// ends up holding the lock of the new directory, not of the deleted one (holding that
    /// one, it would change the new container while another command holds its real lock).
    @Test func aWaiterLocksTheDirectoryTheIDNamesNow() throws {
        let s = Scratch()
        let held = try s.store.create("a")
        let old = try Sys.stat(s.store.directory("a")).inode
        let result = Slot()
        let store = s.store
        let waiter = Thread {
            guard let lock = try? store.lock("a") else { return }
            result.set(try? Sys.fstat(lock.fd.raw, path: "lock").inode)
            _ = consume lock
        }
        waiter.start()
        Thread.sleep(forTimeInterval: 0.2)  // the waiter blocks in flock on the first directory
        try s.store.remove("a")  // as delete does, holding the lock
        let again = try s.store.create("a")
        let new = try Sys.stat(s.store.directory("a")).inode
        #expect(new != old)
        _ = consume held
        Thread.sleep(forTimeInterval: 0.2)  // the waiter finds the name moved and waits for the new lock
        #expect(result.value == nil)
        _ = consume again
        while !waiter.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        #expect(result.value == new)
    }

    final class Slot: @unchecked Sendable {
        private let lock = NSLock()
        private var inode: UInt64?
        func set(_ value: UInt64?) { lock.lock(); inode = value; lock.unlock() }
        var value: UInt64? { lock.lock(); defer { lock.unlock() }; return inode }
    }

    /// The lock is an flock on the directory: a second open of it sees it held, until released.
    @Test func lockIsExclusive() throws {
        let s = Scratch()
        let runtime = Runtime(root: s.root)
        let lock = try s.store.create("locked")
        #expect(runtime.isLocked("locked"))
        _ = consume lock
        #expect(!runtime.isLocked("locked"))
        let again = try s.store.lock("locked")
        #expect(runtime.isLocked("locked"))
        _ = consume again
        #expect(!runtime.isLocked("ghost"))
    }
}

/// The status comes from the live init (pid + start time), never from the file alone.
/// runtime-spec runtime.md "State" and "Lifecycle".
@Suite struct StatusDerivationTests {
    static let me = Int32(getpid())
    static var myStartTime: UInt64 { Sys.processStat(me)?.startTime ?? 0 }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let livePid: Bool
        let rightStartTime: Bool
        let creating: Bool
        let started: Bool
        let status: Runtime.Status
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "created", livePid: true, rightStartTime: true, creating: false, started: false, status: .created),
        Case(name: "running", livePid: true, rightStartTime: true, creating: false, started: true, status: .running),
        Case(name: "pid reused by another process", livePid: true, rightStartTime: false, creating: false, started: true, status: .stopped),
        Case(name: "process gone", livePid: false, rightStartTime: true, creating: false, started: true, status: .stopped),
        Case(name: "creating with live init", livePid: true, rightStartTime: true, creating: true, started: false, status: .creating),
        Case(name: "create died, no lock", livePid: false, rightStartTime: true, creating: true, started: false, status: .stopped),
    ])
    func derived(_ c: Case) {
        let runtime = Runtime(root: NSTemporaryDirectory() + "swiftlet-status-" + UUID().uuidString)
        let pid: Int32 = c.livePid ? Self.me : Self.deadPid()
        let start = c.rightStartTime ? Self.myStartTime : Self.myStartTime + 1
        let record = StateRecordTests.record(id: "s1", pid: pid, startTime: start, creating: c.creating, started: c.started)
        #expect(runtime.status(of: record) == c.status)
        let output = runtime.stateOutput(record)
        #expect(output.status == c.status.rawValue)
        // A stopped container reports pid 0, like runc.
        #expect(output.pid == (c.status == .stopped ? 0 : pid))
        #expect(output.id == "s1" && output.bundle == "/b/s1" && output.rootfs == "/b/s1/rootfs")
        #expect(output.created == record.created && output.annotations == record.annotations)
    }

    @Test func noPidIsStopped() {
        let runtime = Runtime(root: "/nonexistent")
        #expect(runtime.status(of: StateRecordTests.record(pid: nil, startTime: nil, started: true)) == .stopped)
        #expect(runtime.status(of: StateRecordTests.record(pid: Self.me, startTime: nil, started: true)) == .stopped)
        #expect(runtime.status(of: StateRecordTests.record(pid: 0, startTime: 1, started: true)) == .stopped)
        #expect(runtime.status(of: StateRecordTests.record(pid: -1, startTime: 1, started: true)) == .stopped)
    }

    /// A `create` still in progress holds the lock: it is `creating` even before the init exists.
    @Test func creatingWhileLocked() throws {
        let s = StateStoreTests.Scratch()
        let runtime = Runtime(root: s.root)
        let lock = try s.store.create("busy")
        let record = StateRecordTests.record(id: "busy", pid: nil, creating: true)
        #expect(runtime.status(of: record) == .creating)
        _ = consume lock
        #expect(runtime.status(of: record) == .stopped)
    }

    @Test func stateOfMissingOrInvalidID() throws {
        let s = StateStoreTests.Scratch()
        let runtime = Runtime(root: s.root)
        #expect(throws: RuntimeError.self) { try runtime.state(id: "ghost") }
        #expect(throws: RuntimeError.self) { try runtime.state(id: "../etc") }
        #expect(try runtime.list().isEmpty)
    }

    /// A pid with no process: above pid_max.
    static func deadPid() -> Int32 {
        let max = (try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 4_194_304
        return max + 1
    }
}

/// /proc/PID/stat parsed on bytes (`list` checks every init with it).
struct ProcessStatParseTests {
    static func line(comm: String, state: String = "S", start: String = "2377298") -> [UInt8] {
        var fields = [state, "1", "27113", "27113", "0", "-1", "4194560"] + Array(repeating: "0", count: 12)
        fields += [start, "2408448", "100", "18446744073709551615"]
        return Array("27113 (\(comm)) \(fields.joined(separator: " "))\n".utf8)
    }

    @Test func startTimeAndState() throws {
        let parsed = try #require(Sys.parseProcessStat(Self.line(comm: "swiftlet-init")))
        #expect(parsed.startTime == 2377298)
        #expect(parsed.state == "S")
    }

    @Test func commandNameWithSpacesAndParentheses() throws {
        let parsed = try #require(Sys.parseProcessStat(Self.line(comm: "a) (b c) Z 1", state: "Z", start: "42")))
        #expect(parsed.startTime == 42)
        #expect(parsed.state == "Z")
    }

    @Test func malformedLinesAreNil() {
        #expect(Sys.parseProcessStat(Array("27113 (x) S 1 2 3\n".utf8)) == nil)
        #expect(Sys.parseProcessStat(Array("no parenthesis".utf8)) == nil)
        #expect(Sys.parseProcessStat(Self.line(comm: "x", start: "12a")) == nil)
        #expect(Sys.parseProcessStat(Self.line(comm: "x", start: "99999999999999999999999")) == nil)
        #expect(Sys.parseProcessStat(Self.line(comm: "x", state: "SS")) == nil)
    }
}
