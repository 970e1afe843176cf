import OCI
import Testing
@testable import SwiftletCore

/// Mount `options` -> mount(2) flags, propagation, mount_setattr(2) attributes and the data
/// string. runtime-spec config.md "Mounts" and "Linux mount options" (the same table as runc's
/// `mountFlags`, `mountPropagationMapping` and `recAttrFlags`).
@Suite struct MountOptionsTests {
    static let field = "mounts[3].options"

    static func parse(_ options: [String]) throws -> MountOptions {
        try MountOptions(options, field: field)
    }

    /// Options that set a mount(2) flag.
    @Test(arguments: [
        ("bind", Linux.MS_BIND), ("rbind", Linux.MS_BIND | Linux.MS_REC), ("dirsync", Linux.MS_DIRSYNC),
        ("iversion", Linux.MS_I_VERSION), ("lazytime", Linux.MS_LAZYTIME), ("mand", Linux.MS_MANDLOCK),
        ("noatime", Linux.MS_NOATIME), ("nodev", Linux.MS_NODEV), ("nodiratime", Linux.MS_NODIRATIME),
        ("noexec", Linux.MS_NOEXEC), ("nosuid", Linux.MS_NOSUID), ("nosymfollow", Linux.MS_NOSYMFOLLOW),
        ("relatime", Linux.MS_RELATIME), ("remount", Linux.MS_REMOUNT), ("ro", Linux.MS_RDONLY),
        ("silent", Linux.MS_SILENT), ("strictatime", Linux.MS_STRICTATIME), ("sync", Linux.MS_SYNCHRONOUS),
    ])
    func setsFlag(option: String, flag: UInt) throws {
        let o = try Self.parse([option])
        #expect(o.flags == flag)
        #expect(o.clearedFlags == 0)
        #expect(o.propagation.isEmpty && o.data.isEmpty && o.recursiveSet == 0 && o.recursiveClear == 0)
    }

    /// Options that clear a mount(2) flag, and their opposite.
    @Test(arguments: [
        ("async", "sync", Linux.MS_SYNCHRONOUS), ("atime", "noatime", Linux.MS_NOATIME), ("dev", "nodev", Linux.MS_NODEV),
        ("diratime", "nodiratime", Linux.MS_NODIRATIME), ("exec", "noexec", Linux.MS_NOEXEC),
        ("loud", "silent", Linux.MS_SILENT), ("nomand", "mand", Linux.MS_MANDLOCK),
        ("noiversion", "iversion", Linux.MS_I_VERSION), ("nolazytime", "lazytime", Linux.MS_LAZYTIME),
        ("norelatime", "relatime", Linux.MS_RELATIME), ("nostrictatime", "strictatime", Linux.MS_STRICTATIME),
        ("rw", "ro", Linux.MS_RDONLY), ("suid", "nosuid", Linux.MS_NOSUID), ("symfollow", "nosymfollow", Linux.MS_NOSYMFOLLOW),
    ])
    func clearsFlag(option: String, opposite: String, flag: UInt) throws {
        let alone = try Self.parse([option])
        #expect(alone.flags == 0)
        #expect(alone.clearedFlags == flag)

        // The last one wins, either way round.
        let cleared = try Self.parse([opposite, option])
        #expect(cleared.flags & flag == 0)
        #expect(cleared.clearedFlags == flag)
        let set = try Self.parse([option, opposite])
        #expect(set.flags & flag == flag)
        #expect(set.clearedFlags == 0)
    }

    @Test func defaultsIsNothing() throws {
        let empty = try Self.parse([])
        #expect(empty.flags == 0 && empty.clearedFlags == 0 && empty.propagation.isEmpty && empty.data.isEmpty)
        #expect(empty.recursiveSet == 0 && empty.recursiveClear == 0)
        #expect(try Self.parse(["defaults"]) == empty)
        #expect(try Self.parse(["defaults", "defaults"]) == empty)
    }

    @Test func tablesAreDisjoint() {
        let tables: [Set<String>] = [
            Set(MountOptions.setFlags.keys), Set(MountOptions.clearFlags.keys), Set(MountOptions.propagationFlags.keys),
            Set(MountOptions.recursiveAttributes.keys), MountOptions.unsupported, Set(MountOptions.idmapOptions.keys),
        ]
        for i in tables.indices {
            for j in tables.indices where j > i { #expect(tables[i].isDisjoint(with: tables[j])) }
        }
    }

    @Test(arguments: [
        ("private", Linux.MS_PRIVATE), ("rprivate", Linux.MS_PRIVATE | Linux.MS_REC),
        ("shared", Linux.MS_SHARED), ("rshared", Linux.MS_SHARED | Linux.MS_REC),
        ("slave", Linux.MS_SLAVE), ("rslave", Linux.MS_SLAVE | Linux.MS_REC),
        ("unbindable", Linux.MS_UNBINDABLE), ("runbindable", Linux.MS_UNBINDABLE | Linux.MS_REC),
    ])
    func propagation(option: String, flags: UInt) throws {
        let o = try Self.parse([option])
        #expect(o.propagation == [flags])
        #expect(o.flags == 0 && o.clearedFlags == 0 && o.data.isEmpty)
    }

    /// Propagation changes are separate mount(2) calls, applied in the order given.
    @Test func propagationKeepsOrder() throws {
        let o = try Self.parse(["rshared", "bind", "private", "rslave"])
        #expect(o.propagation == [Linux.MS_SHARED | Linux.MS_REC, Linux.MS_PRIVATE, Linux.MS_SLAVE | Linux.MS_REC])
        #expect(o.flags == Linux.MS_BIND)
    }

    /// Recursive attributes (mount_setattr with AT_RECURSIVE): what each sets and clears.
    @Test(arguments: [
        ("rro", Linux.MOUNT_ATTR_RDONLY, UInt64(0)), ("rrw", 0, Linux.MOUNT_ATTR_RDONLY),
        ("rnosuid", Linux.MOUNT_ATTR_NOSUID, 0), ("rsuid", 0, Linux.MOUNT_ATTR_NOSUID),
        ("rnodev", Linux.MOUNT_ATTR_NODEV, 0), ("rdev", 0, Linux.MOUNT_ATTR_NODEV),
        ("rnoexec", Linux.MOUNT_ATTR_NOEXEC, 0), ("rexec", 0, Linux.MOUNT_ATTR_NOEXEC),
        ("rnodiratime", Linux.MOUNT_ATTR_NODIRATIME, 0), ("rdiratime", 0, Linux.MOUNT_ATTR_NODIRATIME),
        ("rrelatime", Linux.MOUNT_ATTR_RELATIME, Linux.MOUNT_ATTR__ATIME), ("rnorelatime", 0, Linux.MOUNT_ATTR__ATIME),
        ("rnoatime", Linux.MOUNT_ATTR_NOATIME, Linux.MOUNT_ATTR__ATIME), ("ratime", 0, Linux.MOUNT_ATTR__ATIME),
        ("rstrictatime", Linux.MOUNT_ATTR_STRICTATIME, Linux.MOUNT_ATTR__ATIME), ("rnostrictatime", 0, Linux.MOUNT_ATTR__ATIME),
        ("rnosymfollow", Linux.MOUNT_ATTR_NOSYMFOLLOW, 0), ("rsymfollow", 0, Linux.MOUNT_ATTR_NOSYMFOLLOW),
    ])
    func recursiveAttribute(option: String, set: UInt64, clear: UInt64) throws {
        let o = try Self.parse([option])
        #expect(o.recursiveSet == set)
        #expect(o.recursiveClear == clear)
        #expect(o.flags == 0 && o.clearedFlags == 0 && o.propagation.isEmpty && o.data.isEmpty)
    }

    /// Later recursive options override earlier ones on the same attribute; others accumulate.
    @Test(arguments: [
        (["rro", "rrw"], UInt64(0), Linux.MOUNT_ATTR_RDONLY),
        (["rrw", "rro"], Linux.MOUNT_ATTR_RDONLY, 0),
        (["rro", "rnosuid", "rnodev"], Linux.MOUNT_ATTR_RDONLY | Linux.MOUNT_ATTR_NOSUID | Linux.MOUNT_ATTR_NODEV, 0),
        (["rnoatime", "ratime"], 0, Linux.MOUNT_ATTR__ATIME),
        (["ratime", "rnoatime"], Linux.MOUNT_ATTR_NOATIME, Linux.MOUNT_ATTR__ATIME),
        (["rnoatime", "rstrictatime"], Linux.MOUNT_ATTR_STRICTATIME, Linux.MOUNT_ATTR__ATIME),
        (["rnoexec", "rexec", "rnoexec"], Linux.MOUNT_ATTR_NOEXEC, 0),
        (["rnodiratime", "rnoatime"], Linux.MOUNT_ATTR_NODIRATIME | Linux.MOUNT_ATTR_NOATIME, Linux.MOUNT_ATTR__ATIME),
    ] as [([String], UInt64, UInt64)])
    func recursiveCombinations(options: [String], set: UInt64, clear: UInt64) throws {
        let o = try Self.parse(options)
        #expect(o.recursiveSet == set)
        #expect(o.recursiveClear == clear)
    }

    /// Anything else is filesystem data, passed through in order (tmpfs `mode=`, `size=`, ...).
    @Test func dataPassesThrough() throws {
        let o = try Self.parse(["nosuid", "mode=755", "size=65536k", "rprivate", "uid=1000,gid=5", "newinstance", "ro"])
        #expect(o.data == ["mode=755", "size=65536k", "uid=1000,gid=5", "newinstance"])
        #expect(o.flags == Linux.MS_NOSUID | Linux.MS_RDONLY)
        #expect(o.propagation == [Linux.MS_PRIVATE | Linux.MS_REC])
    }

    /// `tmpcopyup` (runc's extension, podman's --tmpfs) is a request to copy, not mount data.
    @Test func tmpcopyupIsNotData() throws {
        let o = try Self.parse(["nosuid", "tmpcopyup", "mode=755"])
        #expect(o.copyUp)
        #expect(o.data == ["mode=755"])
        #expect(try !Self.parse(["nosuid"]).copyUp)
    }

    /// `idmap` and `ridmap` ask for an id-mapped bind (Rootfs/IdmappedMounts.swift): never data.
    @Test(arguments: [
        (["rbind", "idmap"], MountOptions.IDMap.top), (["bind", "ridmap"], .recursive),
        (["ridmap", "idmap"], .recursive), (["idmap", "ridmap"], .recursive),
    ] as [([String], MountOptions.IDMap)])
    func idmapIsNotData(options: [String], expected: MountOptions.IDMap) throws {
        let o = try Self.parse(options)
        #expect(o.idmap == expected && o.data.isEmpty)
        #expect(try Self.parse(["bind"]).idmap == nil)
    }

    @Test(arguments: ["copy-symlink", "src-nofollow", "dest-nofollow"])
    func unsupportedOptionNamesItsPath(option: String) {
        #expect {
            try Self.parse(["nosuid", "mode=755", option])
        } throws: { error in
            guard let e = error as? SpecError else { return false }
            return e.path == "\(Self.field)[2]" && e.message.contains("\"\(option)\"") && e.message.contains("not supported")
        }
    }

    @Test func bindAndRecursiveBind() throws {
        let bind = try Self.parse(["bind"])
        #expect(bind.isBind && !bind.isRecursiveBind)
        let rbind = try Self.parse(["rbind"])
        #expect(rbind.isBind && rbind.isRecursiveBind)
        let plain = try Self.parse(["nosuid"])
        #expect(!plain.isBind && !plain.isRecursiveBind)
    }

    /// A bind mount ignores these flags on the first call: they need MS_REMOUNT|MS_BIND.
    @Test(arguments: [
        (["bind"], UInt(0)),
        (["bind", "ro"], Linux.MS_RDONLY),
        (["rbind", "ro", "nosuid", "nodev", "noexec"], Linux.MS_RDONLY | Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC),
        (["bind", "noatime", "nodiratime"], Linux.MS_NOATIME | Linux.MS_NODIRATIME),
        (["bind", "relatime"], Linux.MS_RELATIME),
        (["bind", "strictatime", "nosymfollow"], Linux.MS_STRICTATIME | Linux.MS_NOSYMFOLLOW),
        (["bind", "ro", "rw"], 0),
        (["bind", "sync", "dirsync", "mand", "silent", "lazytime"], 0),
    ] as [([String], UInt)])
    func remountFlags(options: [String], remount: UInt) throws {
        #expect(try Self.parse(options).remountFlags == remount)
    }
}
