import FoundationEssentials

/// The kernel's list format for CPUs and memory nodes (`0-3,7`; the `a-b:c/d` stride form is not accepted),
/// used by config-linux.md "CPU" `cpus`/`mems`, config.md `execCPUAffinity` and
/// config-linux.md "Memory policy" `nodes`.
public enum CPUList {
    /// The kernel's largest CPU count (CONFIG_NR_CPUS at most 8192) and memory node count
    /// (MAX_NUMNODES, CONFIG_NODES_SHIFT at most 10): a list naming more is no list of this machine.
    public static let maxCPUs: UInt32 = 8192
    public static let maxNodes: UInt32 = 1024

    /// The ranges of `text` in order, or nil when it is not a list of `N` or `N-M` (N <= M)
    /// separated by commas. Surrounding spaces and a trailing newline are not allowed.
    public static func parse(_ text: String) -> [ClosedRange<UInt32>]? {
        guard !text.isEmpty else { return nil }
        var ranges: [ClosedRange<UInt32>] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                  let low = number(bounds[0]),
                  let high = bounds.count == 2 ? number(bounds[1]) : low,
                  low <= high else {
                return nil
            }
            ranges.append(low...high)
        }
        return ranges
    }

    private static func number(_ text: Substring) -> UInt32? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return UInt32(text)
    }
}
