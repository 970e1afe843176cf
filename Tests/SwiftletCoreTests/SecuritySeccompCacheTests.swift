import OCI
import Testing
@testable import SwiftletCore

/// The seccomp cache's file format: a stored filter comes back only for exactly the same key.
@Suite struct SecuritySeccompCacheTests {
    static let profile = LinuxSeccomp(defaultAction: .errno, defaultErrnoRet: 1, syscalls: [
        LinuxSyscall(names: ["read", "write", "exit_group"], action: .allow),
    ])

    @Test func roundTrip() throws {
        let program = try #require(try SeccompCompiler.compile(Self.profile))
        let key = try #require(SeccompCache.key(Self.profile))
        let bytes = SeccompCache.encode(program, key: key)
        #expect(SeccompCache.decode(bytes, key: key) == program)
    }

    @Test func anotherProfileIsAMiss() throws {
        let program = try #require(try SeccompCompiler.compile(Self.profile))
        let key = try #require(SeccompCache.key(Self.profile))
        var other = Self.profile
        other.defaultErrnoRet = 38
        let otherKey = try #require(SeccompCache.key(other))
        #expect(otherKey != key)
        #expect(SeccompCache.decode(SeccompCache.encode(program, key: key), key: otherKey) == nil)
    }

    @Test func truncatedOrForeignFilesAreMisses() throws {
        let program = try #require(try SeccompCompiler.compile(Self.profile))
        let key = try #require(SeccompCache.key(Self.profile))
        let bytes = SeccompCache.encode(program, key: key)
        #expect(SeccompCache.decode(Array(bytes.dropLast(3)), key: key) == nil)
        #expect(SeccompCache.decode(Array(bytes.prefix(10)), key: key) == nil)
        #expect(SeccompCache.decode(Array("not a cache file".utf8), key: key) == nil)
    }

    @Test func fileNameIsStableHex() throws {
        let key = try #require(SeccompCache.key(Self.profile))
        let name = SeccompCache.fileName(key)
        #expect(name == SeccompCache.fileName(key))
        #expect(name.count == 16 + 4 && name.hasSuffix(".bpf"))
    }
}
