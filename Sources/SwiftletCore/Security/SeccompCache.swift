import CLibseccomp
import OCI

/// Compiled seccomp filters, kept under the state root (`<root>/@seccomp/`), so that a profile
/// is compiled by libseccomp once and not on every create and exec. Compiling Docker's default
/// profile costs about 34 M instructions (docs/performance.md); loading a cached one a few
/// thousand.
///
/// The key is the profile as canonical JSON (sorted keys) plus the libseccomp version and the
/// machine, so a libseccomp upgrade or another architecture compiles afresh. The file name is
/// a 64-bit FNV-1a hash of the key, and the file holds the whole key: a lookup compares it byte
/// for byte, so a hash collision is a miss, never another profile's filter. Files are written
/// atomically in a 0700 directory; an unreadable or malformed entry is a miss and is rewritten.
/// `@` cannot appear in a container id, so the directory never shows up in `list`. It goes
/// with the last container (`StateStore.removeCacheIfNoContainers`): the root holds only
/// containers once they are all deleted.
struct SeccompCache {
    let directory: String

    init(root: String) { directory = root + "/@seccomp" }

    static let magic = Array("swiftlet-seccomp-1\n".utf8)
    /// Raised whenever the compiler makes a different program from the same profile, so older
    /// entries are misses (2: the -ENOSYS stub, SeccompEnosysStub).
    static let compilerVersion = 2

    /// The program for `seccomp`: from the cache, or compiled by `compile` and stored.
    func program(for seccomp: LinuxSeccomp?, debug: (String) -> Void, compile: () throws -> SeccompProgram?) throws -> SeccompProgram? {
        guard let seccomp, let key = Self.key(seccomp) else { return try compile() }
        let path = directory + "/" + Self.fileName(key)
        // A missing or unreadable entry is simply a miss.
        if let bytes = try? Sys.readFile(path), let cached = Self.decode(bytes, key: key) {
            debug("linux.seccomp: \(cached.instructionCount) BPF instructions from the cache (\(path))")
            return cached
        }
        guard let program = try compile() else { return nil }
        // A cache that cannot be written (read-only root) only costs the next create a compile.
        _ = try? Sys.mkdirAll(directory, mode: 0o700)
        _ = try? Sys.writeFileAtomically(path, Self.encode(program, key: key), mode: 0o600)
        return program
    }

    static func key(_ seccomp: LinuxSeccomp) -> [UInt8]? {
        guard let json = try? OCIJSON.encode(seccomp) else { return nil }
        let version = seccomp_version()?.pointee
        let header = "libseccomp \(version?.major ?? 0).\(version?.minor ?? 0).\(version?.micro ?? 0) arch \(seccomp_arch_native())"
            + " compiler \(compilerVersion)\n"
        return Array(header.utf8) + Array(json)
    }

    static func fileName(_ key: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + ".bpf"
    }

    /// magic, key length (UInt32), key, flags (UInt32), BPF instructions.
    static func encode(_ program: SeccompProgram, key: [UInt8]) -> [UInt8] {
        var out = magic
        withUnsafeBytes(of: UInt32(key.count).littleEndian) { out += $0 }
        out += key
        withUnsafeBytes(of: program.flags.littleEndian) { out += $0 }
        out += program.instructions
        return out
    }

    static func decode(_ bytes: [UInt8], key: [UInt8]) -> SeccompProgram? {
        var offset = magic.count
        guard bytes.count >= offset + 4, bytes[0..<offset].elementsEqual(magic) else { return nil }
        let keyLength = Int(readUInt32(bytes, at: offset))
        offset += 4
        guard keyLength == key.count, bytes.count >= offset + keyLength + 4,
              bytes[offset..<(offset + keyLength)].elementsEqual(key) else { return nil }
        offset += keyLength
        let flags = readUInt32(bytes, at: offset)
        offset += 4
        let instructions = Array(bytes[offset...])
        guard !instructions.isEmpty, instructions.count % 8 == 0,
              instructions.count / 8 <= SeccompCompiler.maxInstructions else { return nil }
        return SeccompProgram(flags: flags, instructions: instructions)
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}
