import FoundationEssentials
import Testing
@testable import OCI

@Suite("State and features")
struct StateTests {
    @Test("runtime.md state example decodes and round-trips")
    func stateExample() throws {
        let json = #"{"ociVersion": "0.2.0", "id": "oci-container1", "status": "running", "pid": 4422, "bundle": "/containers/redis", "annotations": {"myKey": "myValue"}}"#
        let state = try State.decode(Data(json.utf8))
        #expect(state == State(ociVersion: "0.2.0", id: "oci-container1", status: .running, pid: 4422,
                               bundle: "/containers/redis", annotations: ["myKey": "myValue"]))
        #expect(try State.decode(state.encoded()) == state)
        let stopped = try String(decoding: State(ociVersion: "1.3.0", id: "c", status: .stopped, bundle: "/b").encoded(), as: UTF8.self)
        #expect(stopped == #"{"bundle":"/b","id":"c","ociVersion":"1.3.0","status":"stopped"}"#)
    }

    @Test("unknown status is an error naming status")
    func unknownStatus() throws {
        let json = #"{"ociVersion": "1.2.0", "id": "c", "status": "zombie", "bundle": "/b"}"#
        let error = try #require(Fixtures.specError { _ = try State.decode(Data(json.utf8)) })
        #expect(error.description == #"status: unknown container status "zombie""#)
    }

    @Test("a state JSON syntax error names the document")
    func stateSyntax() throws {
        let error = try #require(Fixtures.specError { _ = try State.decode(Data("{".utf8)) })
        #expect(error.path == "state")
    }

    @Test("container process state round-trips")
    func processState() throws {
        let value = ContainerProcessState(fds: [ContainerProcessState.seccompFdName], pid: 7, metadata: "m",
                                          state: State(id: "c", status: .creating, pid: 7, bundle: "/b"))
        #expect(try OCIJSON.decode(ContainerProcessState.self, from: OCIJSON.encode(value), document: "state") == value)
    }

    @Test("features.md example decodes and round-trips")
    func featuresExample() throws {
        let json = #"""
        {
          "ociVersionMin": "1.0.0",
          "ociVersionMax": "1.1.0-rc.2",
          "hooks": ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
          "mountOptions": ["async", "atime", "bind", "rbind", "ro"],
          "linux": {
            "namespaces": ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"],
            "capabilities": ["CAP_CHOWN", "CAP_KILL"],
            "cgroup": {"v1": true, "v2": true, "systemd": true, "systemdUser": true, "rdma": true},
            "seccomp": {
              "enabled": true,
              "actions": ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"],
              "operators": ["SCMP_CMP_EQ"],
              "archs": ["SCMP_ARCH_X86_64"],
              "knownFlags": ["SECCOMP_FILTER_FLAG_LOG"],
              "supportedFlags": ["SECCOMP_FILTER_FLAG_LOG"]
            },
            "apparmor": {"enabled": true},
            "selinux": {"enabled": true},
            "intelRdt": {"enabled": true, "schemata": true, "monitoring": true},
            "memoryPolicy": {"modes": ["MPOL_DEFAULT"], "flags": ["MPOL_F_STATIC_NODES"]},
            "mountExtensions": {"idmap": {"enabled": true}},
            "netDevices": {"enabled": true}
          },
          "annotations": {"io.github.seccomp.libseccomp.version": "2.5.4"},
          "potentiallyUnsafeConfigAnnotations": ["com.example.foo.bar", "org.systemd.property."]
        }
        """#
        let features = try Features.decode(Data(json.utf8))
        #expect(features.ociVersionMax == "1.1.0-rc.2")
        #expect(features.linux?.cgroup == Features.Cgroup(v1: true, v2: true, systemd: true, systemdUser: true, rdma: true))
        #expect(features.linux?.seccomp?.archs == ["SCMP_ARCH_X86_64"])
        #expect(features.linux?.mountExtensions?.idmap?.enabled == true)
        #expect(features.linux?.intelRdt == Features.IntelRdt(enabled: true, schemata: true, monitoring: true))
        #expect(features.potentiallyUnsafeConfigAnnotations?.last == "org.systemd.property.")
        #expect(try Features.decode(features.encoded(prettyPrinted: true)) == features)
    }

    @Test("features without ociVersionMax is rejected")
    func featuresMissingMax() throws {
        let error = try #require(Fixtures.specError { _ = try Features.decode(Data(#"{"ociVersionMin": "1.0.0"}"#.utf8)) })
        #expect(error.description == "ociVersionMax: required")
    }
}
