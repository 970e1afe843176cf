import OCI
import Testing
@testable import SwiftletCore

/// Which mapping an id-mapped mount gets (Rootfs/IdmappedMounts.swift): its own, else the
/// container's user namespace; only binds; idmap without either is an error.
@Suite struct IdmappedMountsTests {
    static let own = [LinuxIDMapping(containerID: 0, hostID: 5000, size: 100)]
    static let container = [LinuxIDMapping(containerID: 0, hostID: 100_000, size: 65536)]

    static func spec(_ mount: Mount, user: LinuxNamespace? = nil) -> Spec {
        Spec(process: Process(args: ["sh"], cwd: "/"), root: Root(path: "rootfs"), mounts: [mount],
             linux: Linux(uidMappings: user == nil ? nil : container, gidMappings: user == nil ? nil : container,
                          namespaces: [LinuxNamespace(type: .mount)] + (user.map { [$0] } ?? [])))
    }

    static func bind(_ options: [String], mappings: [LinuxIDMapping]? = nil) -> Mount {
        Mount(destination: "/data", type: "bind", source: "/src", options: options, uidMappings: mappings, gidMappings: mappings)
    }

    @Test(arguments: [
        (bind(["bind"]), nil, nil),
        (bind(["rbind", "ro"]), LinuxNamespace(type: .user), nil),
        (bind(["bind", "idmap"], mappings: own), nil, IdmappedMounts.Mapping.mappings(uid: own, gid: own)),
        (bind(["bind"], mappings: own), nil, .mappings(uid: own, gid: own)),
        (bind(["rbind", "ridmap"], mappings: own), LinuxNamespace(type: .user), .mappings(uid: own, gid: own)),
        (bind(["bind", "idmap"]), LinuxNamespace(type: .user), .mappings(uid: container, gid: container)),
        (bind(["bind", "ridmap"]), LinuxNamespace(type: .user, path: "/run/userns/x"), .userNamespace(path: "/run/userns/x")),
    ] as [(Mount, LinuxNamespace?, IdmappedMounts.Mapping?)])
    func mapping(mount: Mount, user: LinuxNamespace?, expected: IdmappedMounts.Mapping?) throws {
        #expect(try IdmappedMounts.mapping(of: mount, index: 0, spec: Self.spec(mount, user: user)) == expected)
    }

    @Test(arguments: [
        (Mount(destination: "/data", type: "tmpfs", source: "tmpfs", options: ["idmap"], uidMappings: own, gidMappings: own),
         "mounts[0] (/data): id-mapped mounts (idmap, ridmap, uidMappings) need a bind mount"),
        (bind(["bind", "idmap"]), "mounts[0].options: \"idmap\" needs uidMappings and gidMappings or a user namespace"),
    ] as [(Mount, String)])
    func refused(mount: Mount, message: String) {
        #expect { try IdmappedMounts.mapping(of: mount, index: 0, spec: Self.spec(mount)) } throws: { "\($0)" == message }
    }

    @Test func relativeSourcesAreInTheBundle() {
        #expect(IdmappedMounts.sourcePath("vol", bundle: "/b") == "/b/vol")
        #expect(IdmappedMounts.sourcePath("/vol", bundle: "/b") == "/vol")
    }
}
