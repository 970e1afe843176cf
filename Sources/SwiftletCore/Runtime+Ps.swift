import OCI

extension Runtime {
    /// `ps --format json` (runc CLI): the pids of every process in the container's cgroup (and
    /// the cgroups below it), in the runtime's pid namespace. containerd's shim parses this. A
    /// stopped container whose cgroup is already gone has none.
    public func processes(id: String) throws -> [Int32] {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let record = try store.read(id)
        // Rootless without a cgroup of its own (RootlessCgroupPolicy): its pid namespace.
        guard record.cgroup != nil else { return try processesWithoutCgroup(record) }
        let manager = try cgroupManager(record)
        do {
            return try manager.processes()
        } catch where error.errno == Linux.ENOENT && status(of: record) == .stopped {
            return []
        } catch {
            throw RuntimeError("ps: \(error)")
        }
    }

    /// `ps [--format table] ID [PS-ARGS...]` (runc CLI): runs the host's `ps` with PS-ARGS
    /// (default `-ef`) and keeps its header and the lines whose PID column is one of the
    /// container's processes.
    ///
    /// Without PS-ARGS the host's ps is asked for the container's processes only
    /// (`ps -f -p PID,...`: the columns of `-ef`, which is `-f` for every process): `-ef`
    /// reads every process of the host, 2,000 of them beside 1,000 containers
    /// (docs/performance.md, density). When that ps refuses `-p` or finds none of them (they
    /// exited meanwhile), `-ef` as before.
    public func processTable(id: String, psArguments: [String]) throws -> [String] {
        let pids = try processes(id: id)
        guard let ps = Sys.lookPath("ps") else { throw RuntimeError("ps: no ps command in $PATH") }
        if psArguments.isEmpty, !pids.isEmpty {
            let list = PsTable.pidList(pids)
            if case .success(let text) = try runPs(ps, args: ["-f", "-p", list]) {
                return try PsTable.filter(text, pids: Set(pids))
            }
        }
        let args = psArguments.isEmpty ? ["-ef"] : psArguments
        switch try runPs(ps, args: args) {
        case .success(let text):
            return try PsTable.filter(text, pids: Set(pids))
        case .failure(let error):
            throw error
        }
    }

    /// The output of `ps ARGS`, or the error naming its status and output when it failed.
    private func runPs(_ ps: String, args: [String]) throws -> Result<String, RuntimeError> {
        let pair = try withContext("ps") { try Sys.pipe() }
        let reader = pair.first
        let writer = pair.second
        let pid = try withContext("ps") {
            try Sys.spawn(ps, args: ["ps"] + args, env: Sys.environment(), stdinFD: -1, outputFD: writer.raw)
        }
        _ = consume writer
        let output = try withContext("ps") { try Sys.readAll(reader, path: "output of \(ps)") }
        _ = consume reader
        let status = try withContext("ps") { try Sys.wait(pid: pid) }
        let text = String(decoding: output, as: UTF8.self)
        guard case .exited(0) = status else {
            return .failure(RuntimeError("ps \(args.joined(separator: " ")): \(status): \(PsTable.trimmed(text))"))
        }
        return .success(text)
    }
}

/// The pure part of `ps`: finding the PID column of ps's output and keeping the container's lines.
public enum PsTable {
    public static func filter(_ output: String, pids: Set<Int32>) throws -> [String] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let header = lines.first,
              let column = header.split(separator: " ", omittingEmptySubsequences: true).firstIndex(of: "PID")
        else {
            throw RuntimeError("ps: no PID column in the output of ps (header: \(lines.first ?? ""))")
        }
        var result = [header]
        for line in lines.dropFirst() where !line.isEmpty {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard column < fields.count, let pid = Int32(fields[column]) else {
                throw RuntimeError("ps: cannot read a pid in column \(column + 1) of: \(line)")
            }
            if pids.contains(pid) { result.append(line) }
        }
        return result
    }

    /// `ps -p`'s list: the pids in ascending order (the order of `-ef`), comma-separated.
    public static func pidList(_ pids: [Int32]) -> String {
        var list = ""
        for pid in pids.sorted() {
            if !list.isEmpty { list += "," }
            list += String(pid)
        }
        return list
    }

    static func trimmed(_ text: String) -> String {
        CgroupStatsParsing.trim(text).split(separator: "\n").joined(separator: "; ")
    }
}
