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
    public func processTable(id: String, psArguments: [String]) throws -> [String] {
        let pids = try processes(id: id)
        guard let ps = Sys.lookPath("ps") else { throw RuntimeError("ps: no ps command in $PATH") }
        let args = psArguments.isEmpty ? ["-ef"] : psArguments
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
            throw RuntimeError("ps \(args.joined(separator: " ")): \(status): \(PsTable.trimmed(text))")
        }
        return try PsTable.filter(text, pids: Set(pids))
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

    static func trimmed(_ text: String) -> String {
        CgroupStatsParsing.trim(text).split(separator: "\n").joined(separator: "; ")
    }
}
