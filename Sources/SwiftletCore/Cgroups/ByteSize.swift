/// Memory sizes as runc's `update` flags take them (docker/go-units RAMInBytes): a number with
/// an optional binary unit, `k`, `m`, `g`, `t`, `p`, optionally followed by `b` or `ib`, any case
/// (`512`, `64m`, `1.5g`, `2GiB`); `-1` means unlimited.
public enum ByteSize {
    public static func parse(_ text: String) -> Int64? {
        if text == "-1" { return -1 }
        var s = Substring(text.lowercased())
        if s.hasSuffix("ib") { s = s.dropLast(2) } else if s.hasSuffix("b") { s = s.dropLast() }
        var multiplier: Double = 1
        if let last = s.last, let power = ["k": 1, "m": 2, "g": 3, "t": 4, "p": 5][String(last)] {
            multiplier = (0..<power).reduce(1.0) { value, _ in value * 1024 }
            s = s.dropLast()
        }
        if s.hasSuffix(" ") { s = s.dropLast() }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), s.first != ".",
              let value = Double(s) else { return nil }
        let bytes = value * multiplier
        guard bytes < 9.2e18 else { return nil }
        return Int64(bytes)
    }
}
