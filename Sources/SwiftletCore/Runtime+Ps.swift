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
        } catch where error.errno == Errno.ENOENT && status(of: record) == .stopped {
            return []
        } catch {
            throw RuntimeError("ps: \(error)")
        }
    }

    /// `ps [--format table] ID [PS-ARGS...]` (runc CLI): runs the host's `ps` with PS-ARGS
    /// (default `-ef`) and keeps its header and the lines whose PID column is one of the
    /// container's processes.
    ///
    /// Without PS-ARGS the host's ps is asked for the container's pids only (`-f -q PIDS`,
    /// procps's quick-pid mode): the same columns, widths and lines as `-ef` filtered, without
    /// reading every process on the host (at 1,000 containers `-ef` reads 2,000+ of them).
    /// A ps without `-q` (busybox, procps before 3.3.12) fails and `-ef` is run instead.
    public func processTable(id: String, psArguments: [String]) throws -> [String] {
        let pids = try processes(id: id)
        guard let ps = Sys.lookPath("ps") else { throw RuntimeError("ps: no ps command in $PATH") }
        if psArguments.isEmpty,
           let lines = try runPs(ps, args: PsTable.quickPidArguments(pids, own: Sys.getpid()), pids: pids, fallible: true) {
            return lines
        }
        let args = psArguments.isEmpty ? ["-ef"] : psArguments
        return try runPs(ps, args: args, pids: pids, fallible: false) ?? []
    }

    /// Runs `ps ARGS` and keeps the header and the lines of `pids`. A non-zero exit is an
    /// error, or nil when `fallible` (the caller then tries a plainer command line).
    private func runPs(_ ps: String, args: [String], pids: [Int32], fallible: Bool) throws -> [String]? {
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
            if fallible { return nil }
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

    /// The command line asking ps for only `pids` in `-ef`'s format (`-f -q 1,2,3`, ascending,
    /// as `-ef` lists them). With no pids, ps is asked for `own` (the runtime itself), whose line
    /// `filter` then drops: the output is `-ef`'s header alone, as with `-ef` filtered.
    public static func quickPidArguments(_ pids: [Int32], own: Int32) -> [String] {
        let list = pids.isEmpty ? [own] : pids.sorted()
        return ["-f", "-q", list.map { String($0) }.joined(separator: ",")]
    }

    static func trimmed(_ text: String) -> String {
        CgroupStatsParsing.trim(text).split(separator: "\n").joined(separator: "; ")
    }
}
