extension Sequence where Element == String {
    /// The elements with `separator` between them, as `joined(separator:)` gives, by a plain
    /// loop. Used on the create/run path: the standard library's `joined(separator:)` runs
    /// its unspecialized generic entry point, whose first call in a process looks up protocol
    /// conformances at run time (a scan of all 4,400 conformance records of the static binary,
    /// about 130,000 instructions; docs/performance.md).
    func joinedBy(_ separator: String) -> String {
        var result = ""
        var first = true
        for element in self {
            if !first { result += separator }
            result += element
            first = false
        }
        return result
    }
}
