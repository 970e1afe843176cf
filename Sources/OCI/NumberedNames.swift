/// A kernel constant numbered 0, 1, 2, ... whose config.json spelling is a name from a fixed
/// table (`CAP_SYS_ADMIN`, `RLIMIT_NOFILE`): `names[n]` is the name of number `n`.
public protocol NumberedNames: RawRepresentable, CaseIterable, Sendable where RawValue == Int32 {
    /// Every name, at the position of its number.
    static var names: [String] { get }
}

extension NumberedNames {
    /// Every name and its number; building it hashes every entry, so lookups use `number(of:)`.
    public static var byName: [String: Int32] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0.rawValue) })
    }

    /// The number called `name` (exact, upper-case), or nil if unknown. A scan of `names`: a
    /// create looks up a handful of names, and building `byName` cost more than all of them.
    @inlinable
    public static func number(of name: String) -> Int32? {
        for (number, candidate) in names.enumerated() where candidate == name {
            return Int32(number)
        }
        return nil
    }

    /// The constant called `name`, or nil if unknown.
    @inlinable
    public init?(name: String) {
        guard let number = Self.number(of: name) else { return nil }
        self.init(rawValue: number)
    }

    /// Its name (`CAP_CHOWN`, `RLIMIT_CPU`).
    @inlinable
    public var name: String { Self.names[Int(rawValue)] }
}
