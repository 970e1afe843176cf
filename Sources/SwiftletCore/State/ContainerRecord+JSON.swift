import OCI

/// state.json written and read by hand over `JSONValue` rather than through Codable: every
/// start, kill, state and delete decodes it and create writes it three times, and Codable's
/// generic metadata and conformance lookups cost more than the rest of those commands
/// (docs/performance.md). The member names are the record's property names, as the
/// synthesized Codable encoding of earlier versions wrote them, so either can read the other.
///
/// `resources` (only `update` writes and needs them) and the `process`/`seccomp` members that
/// earlier versions wrote go through Codable, and only when present.
extension ContainerRecord {
    /// state.json's bytes: the record, then the saved config.json, if any, as its last member.
    static func encode(_ record: ContainerRecord) throws -> [UInt8] {
        let parts = try encodeParts(record)
        return file(head: parts.head, tail: parts.tail)
    }

    /// The whole file from its parts: the head, `headroom` spaces and the tail (the head alone
    /// without a tail).
    static func file(head: [UInt8], tail: [UInt8]?) -> [UInt8] {
        guard let tail else { return head }
        return head + [UInt8](repeating: UInt8(ascii: " "), count: headroom) + tail
    }

    /// state.json in the parts `StateStore.write` rewrites separately. `tail` is
    /// `"config":<config.json>}`, which never changes once create wrote it; `head` is the
    /// record's members through the comma before it. The file is the head, `headroom`
    /// spaces (whitespace between members, as JSON allows), then the tail: a later write
    /// whose head still fits before the tail (the pid, `started`, a small `update`) rewrites
    /// only the file's first page, in place (`Sys.rewriteHeadInPlace`). Without a config
    /// (records of earlier versions) the head is the whole object and there is no tail.
    static func encodeParts(_ record: ContainerRecord) throws -> (head: [UInt8], tail: [UInt8]?) {
        var members: [(String, JSONValue?)] = [
            ("ociVersion", .string(record.ociVersion)),
            ("id", .string(record.id)),
            ("bundle", .string(record.bundle)),
            ("rootfs", .string(record.rootfs)),
            ("pid", record.pid.map { .integer($0) }),
            ("initStartTime", record.initStartTime.map { .integer($0) }),
            ("created", .string(record.created)),
            ("owner", .string(record.owner)),
            ("annotations", record.annotations.map(JSONValue.stringMap)),
            ("creating", .bool(record.creating)),
            ("started", .bool(record.started)),
            ("cgroup", record.cgroup.map(Self.cgroupJSON)),
            ("hooks", record.hooks.map(Self.hooksJSON)),
            ("namespaces", record.namespaces.map { .array($0.map(Self.namespaceJSON)) }),
            ("terminal", record.terminal.map { .bool($0) }),
        ]
        if let resources = record.resources { members.append(("resources", try Self.codable(resources, "resources"))) }
        if let rdt = record.intelRdt {
            members.append(("intelRdt", .object([("tasks", .string(rdt.tasks)), ("createdGroup", rdt.createdGroup.map { .string($0) }),
                                                 ("monitorGroup", rdt.monitorGroup.map { .string($0) })])))
        }
        if let mount = record.hostMount {
            members.append(("hostMount", .object([("path", .string(mount.path)), ("mountID", .integer(mount.mountID)),
                                                  ("unique", .bool(mount.unique))])))
        }
        // `process` and `seccomp` are never written: they are read from the saved config.
        var head = JSONValue.object(members).serialized()
        guard let config = record.config else { return (head, nil) }
        // The saved config.json goes in as it is, the last member: the members above end
        // with the object's closing brace, which moves after it.
        guard head.last == UInt8(ascii: "}") else { throw RuntimeError("encode state: the record is not a JSON object") }
        head.removeLast()
        head.append(UInt8(ascii: ","))
        return (head, Array(#""config":"#.utf8) + config + [UInt8(ascii: "}")])
    }

    /// Spaces between the record's members and `config` at the first write: room for what
    /// later writes add (the pid and its start time take at most 52 bytes) without moving the
    /// config, so that they rewrite the record in place.
    static let headroom = 128

    static func decode(_ bytes: [UInt8], path: String) throws -> ContainerRecord {
        let corrupt = { (why: String) in RuntimeError("\(path): corrupt state: \(why)") }
        let value: JSONValue
        let configRange: Range<Int>?
        do { (value, configRange) = try JSONParser.parse(bytes: bytes, rawMember: "config") } catch { throw corrupt("\(error)") }
        guard let object = value.objectValue else { throw corrupt("expected an object, found \(value.kindName)") }
        let fields = RecordFields(object: object, corrupt: corrupt)
        var record = ContainerRecord(
            ociVersion: try fields.string("ociVersion"), id: try fields.string("id"), bundle: try fields.string("bundle"),
            rootfs: try fields.string("rootfs"), pid: try fields.integer("pid"), initStartTime: try fields.integer("initStartTime"),
            created: try fields.string("created"), owner: try fields.string("owner"),
            annotations: try fields.optional("annotations", Self.annotations),
            creating: try fields.bool("creating"), started: try fields.bool("started"),
            cgroup: try fields.optional("cgroup", Self.cgroup), hooks: try fields.optional("hooks", Self.hooks),
            namespaces: try fields.optional("namespaces") { try $0.arrayValue?.map(Self.namespace) },
            terminal: try fields.optional("terminal") { $0.boolValue })
        record.resources = try fields.codable("resources", LinuxResources.self)
        record.intelRdt = try fields.optional("intelRdt") { value -> IntelRdt.Record? in
            guard let tasks = value["tasks"]?.stringValue else { return nil }
            return IntelRdt.Record(tasks: tasks, createdGroup: value["createdGroup"]?.stringValue,
                                   monitorGroup: value["monitorGroup"]?.stringValue)
        }
        record.hostMount = try fields.optional("hostMount") { value -> HostMountNamespace.Record? in
            guard let path = value["path"]?.stringValue, let id = value["mountID"]?.integerValue(UInt64.self),
                  let unique = value["unique"]?.boolValue else { return nil }
            return HostMountNamespace.Record(path: path, mountID: id, unique: unique)
        }
        record.process = try fields.codable("process", Process.self)
        record.seccomp = try fields.codable("seccomp", LinuxSeccomp.self)
        record.config = configRange.map { Array(bytes[$0]) }
        return record
    }

    // MARK: members

    private static func codable<T: Encodable>(_ value: T, _ name: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes: Array(OCIJSON.encode(value)))
        } catch {
            throw RuntimeError("encode state: \(name): \(error)")
        }
    }

    private static func annotations(_ value: JSONValue) -> [String: String]? {
        guard let object = value.objectValue else { return nil }
        var result: [String: String] = [:]
        for (key, value) in object.members {
            guard let text = value.stringValue else { return nil }
            result[key] = text
        }
        return result
    }

    private static func locationJSON(_ location: CgroupLocation) -> JSONValue {
        .object([("controllers", .strings(location.controllers)), ("mountPoint", .string(location.mountPoint)),
                 ("path", .string(location.path))])
    }

    private static func location(_ value: JSONValue) -> CgroupLocation? {
        guard let controllers = value["controllers"]?.stringsValue, let mountPoint = value["mountPoint"]?.stringValue,
              let path = value["path"]?.stringValue else { return nil }
        return CgroupLocation(controllers: controllers, mountPoint: mountPoint, path: path)
    }

    private static func cgroupJSON(_ cgroup: CgroupDescription) -> JSONValue {
        .object([("mode", .string(cgroup.mode.rawValue)), ("unified", cgroup.unified.map(locationJSON)),
                 ("legacy", .array(cgroup.legacy.map(locationJSON)))])
    }

    private static func cgroup(_ value: JSONValue) -> CgroupDescription? {
        guard let mode = value["mode"]?.stringValue.flatMap(Cgroups.Mode.init(rawValue:)),
              let legacyValues = value["legacy"]?.arrayValue else { return nil }
        var legacy: [CgroupLocation] = []
        for element in legacyValues {
            guard let location = location(element) else { return nil }
            legacy.append(location)
        }
        var unified: CgroupLocation?
        if let member = value["unified"], member != .null {
            guard let location = location(member) else { return nil }
            unified = location
        }
        return CgroupDescription(mode: mode, unified: unified, legacy: legacy)
    }

    private static func hooksJSON(_ hooks: Hooks) -> JSONValue {
        .object(hooks.all.filter { !$0.hooks.isEmpty }.map { list in
            (list.name, .array(list.hooks.map { hook in
                .object([("path", .string(hook.path)), ("args", hook.args.map(JSONValue.strings)),
                         ("env", hook.env.map(JSONValue.strings)), ("timeout", hook.timeout.map { .integer($0) })])
            }))
        })
    }

    private static func hooks(_ value: JSONValue) -> Hooks? {
        guard let object = value.objectValue else { return nil }
        func list(_ name: String) -> [Hook]?? {
            guard let member = object[name] else { return .some(nil) }
            guard let elements = member.arrayValue else { return nil }
            var result: [Hook] = []
            for element in elements {
                guard let path = element["path"]?.stringValue else { return nil }
                result.append(Hook(path: path, args: element["args"]?.stringsValue, env: element["env"]?.stringsValue,
                                   timeout: element["timeout"]?.integerValue(Int.self)))
            }
            return .some(result)
        }
        guard let prestart = list("prestart"), let createRuntime = list("createRuntime"),
              let createContainer = list("createContainer"), let startContainer = list("startContainer"),
              let poststart = list("poststart"), let poststop = list("poststop") else { return nil }
        return Hooks(prestart: prestart, createRuntime: createRuntime, createContainer: createContainer,
                     startContainer: startContainer, poststart: poststart, poststop: poststop)
    }

    private static func namespaceJSON(_ namespace: LinuxNamespace) -> JSONValue {
        .object([("type", .string(namespace.type.rawValue)), ("path", namespace.path.map { .string($0) })])
    }

    private static func namespace(_ value: JSONValue) throws -> LinuxNamespace {
        guard let type = value["type"]?.stringValue.flatMap(LinuxNamespaceType.init(rawValue:)) else {
            throw RuntimeError("namespaces: invalid type")
        }
        return LinuxNamespace(type: type, path: value["path"]?.stringValue)
    }
}

/// Typed access to the members of state.json, each failure naming the member.
private struct RecordFields {
    let object: JSONObject
    let corrupt: (String) -> RuntimeError

    func string(_ key: String) throws -> String {
        guard let value = object[key] else { throw corrupt("\(key): required") }
        guard let text = value.stringValue else { throw corrupt("\(key): expected string, found \(value.kindName)") }
        return text
    }

    func bool(_ key: String) throws -> Bool {
        guard let value = object[key] else { throw corrupt("\(key): required") }
        guard let flag = value.boolValue else { throw corrupt("\(key): expected boolean, found \(value.kindName)") }
        return flag
    }

    func integer<T: FixedWidthInteger>(_ key: String) throws -> T? {
        guard let value = object[key], value != .null else { return nil }
        guard let number = value.integerValue(T.self) else { throw corrupt("\(key): expected integer, found \(value)") }
        return number
    }

    /// A member read by `convert`; missing or null is nil, a value `convert` refuses is corrupt.
    func optional<T>(_ key: String, _ convert: (JSONValue) throws -> T?) throws -> T? {
        guard let value = object[key], value != .null else { return nil }
        let converted: T?
        do { converted = try convert(value) } catch { throw corrupt("\(key): \(error)") }
        guard let converted else { throw corrupt("\(key): invalid value") }
        return converted
    }

    func codable<T: Decodable>(_ key: String, _ type: T.Type) throws -> T? {
        guard let value = object[key], value != .null else { return nil }
        do { return try OCIJSON.decode(type, from: value, document: key) } catch { throw corrupt("\(error)") }
    }
}
