import FoundationEssentials
import OCI

extension Runtime {
    /// One line of `events` (runc CLI, runc's types.Event): `{"type":"stats","id":...,"data":{...}}`
    /// or `{"type":"oom","id":...}`.
    public struct Event: Encodable, Sendable {
        public let type: String
        public let id: String
        public let data: CgroupStats?

        public init(type: String, id: String, data: CgroupStats? = nil) {
            self.type = type
            self.id = id
            self.data = data
        }

        /// One compact JSON line (no trailing newline) as runc prints it: `type`, `id`, then
        /// `data` unless there is none (an `oom` event is `{"type":"oom","id":"..."}`).
        public func json() -> String {
            JSONValue.object([("type", .string(type)), ("id", .string(id)), ("data", data?.jsonValue())]).goText()
        }
    }

    /// `events --stats`: the container's cgroup counters once. A stopped container is an error
    /// (as with runc).
    public func stats(id: String) throws -> Event {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let record = try store.read(id)
        guard status(of: record) != .stopped else { throw RuntimeError("container \"\(id)\" is not running") }
        let manager = try cgroupManager(record)
        do {
            return Event(type: "stats", id: id, data: try manager.stats())
        } catch {
            throw RuntimeError("stats: \(error)")
        }
    }

    /// `events [--interval D]`: a stats event every `intervalMs`, and an `oom` event whenever
    /// the OOM killer counter of the cgroup goes up (v2 memory.events `oom_kill`/`oom`, v1
    /// memory.oom_control `oom_kill`), until the container's init exits. The counter is polled
    /// every 200 ms (runc waits on an eventfd / inotify; polling needs no thread).
    public func events(id: String, intervalMs: Int64, emit: (Event) throws -> Void) throws {
        do { try ContainerID.validate(id) } catch { throw RuntimeError(error) }
        let record = try store.read(id)
        guard let pidfd = openInit(record) else { throw RuntimeError("container \"\(id)\" is not running") }
        let manager = try cgroupManager(record)
        let initial: CgroupStats
        do { initial = try manager.stats() } catch { throw RuntimeError("events: \(error)") }
        var oomCount = Self.oomCount(initial)
        var nextStats = Sys.monotonicMs() + intervalMs
        let pollMs: Int64 = min(200, intervalMs)
        while true {
            let now = Sys.monotonicMs()
            let wait = Int32(clamping: max(0, min(pollMs, nextStats - now)))
            if try withContext("events", { try Sys.pollExit(pidfd: pidfd.raw, timeoutMs: wait) }) { return }
            let stats: CgroupStats
            do {
                stats = try manager.stats()
            } catch {
                // The cgroup went away with the container (delete): the stream ends.
                if openInit(record) == nil { return }
                throw RuntimeError("events: \(error)")
            }
            let count = Self.oomCount(stats)
            if count > oomCount {
                for _ in 0..<min(count - oomCount, 100) { try emit(Event(type: "oom", id: id)) }
            }
            oomCount = max(oomCount, count)
            if Sys.monotonicMs() >= nextStats {
                try emit(Event(type: "stats", id: id, data: stats))
                nextStats += intervalMs
                if nextStats < Sys.monotonicMs() { nextStats = Sys.monotonicMs() + intervalMs }
            }
        }
    }

    /// OOM kills so far: v2 counts `oom` (the limit was hit and reclaim failed) and `oom_kill`;
    /// v1 only has `oom_kill`.
    static func oomCount(_ stats: CgroupStats) -> UInt64 {
        max(stats.memory.eventCount.oom, stats.memory.eventCount.oomKill)
    }
}

/// Go's duration syntax, which runc's `--interval` takes: `5s`, `100ms`, `1m30s`, `1.5s`.
public enum GoDuration {
    /// Milliseconds (rounded down), or nil if `text` is not a duration or is not positive.
    public static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isNumber || $0 == ".") }
            // The longest unit that matches ("ms" before "m").
            guard let unit = units.filter({ $0.0 == unitText }).first else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total >= 1, total < 9e15 else { return nil }
        return Int64(total)
    }
}
