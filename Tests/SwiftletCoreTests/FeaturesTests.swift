import FoundationEssentials
import OCI
import Testing
@testable import SwiftletCore

/// `features`: derived from the code's own tables, and consistent with what `create` accepts.
@Suite struct FeaturesTests {
    static let features = Runtime.features(version: "9.9.9")

    @Test func versionsAndHooks() {
        let f = Self.features
        #expect(f.ociVersionMin == OCIVersion.minimum)
        #expect(f.ociVersionMax == OCIVersion.current)
        #expect(OCIVersion.isSupported(f.ociVersionMin) && OCIVersion.isSupported(f.ociVersionMax))
        #expect(f.hooks == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"])
        #expect(f.annotations?["run.swiftlet.version"] == "9.9.9")
        #expect(f.potentiallyUnsafeConfigAnnotations == [Runtime.noInitAnnotation, SeccompRecorder.annotation])
    }

    /// Every listed mount option is one MountOptions turns into a flag, propagation or
    /// attribute (never filesystem data), and the refused ones are not listed.
    @Test func mountOptionsAreRecognised() throws {
        let options = try #require(Self.features.mountOptions)
        #expect(options == options.sorted())
        for name in ["ro", "rw", "bind", "rbind", "nosuid", "rprivate", "rro", "strictatime", "nosymfollow"] {
            #expect(options.contains(name), "\(name)")
        }
        for name in options {
            let parsed = try MountOptions([name], field: "mounts[0].options")
            #expect(parsed.data.isEmpty, "\(name) would be passed as filesystem data")
        }
        for refused in MountOptions.unsupported { #expect(!options.contains(refused)) }
    }

    @Test func namespacesAndCapabilities() {
        let linux = Self.features.linux
        #expect(linux?.namespaces == ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"])
        #expect(linux?.capabilities?.count == Capability.allCases.count)
        for name in linux?.capabilities ?? [] { #expect(Capability.number(of: name) != nil) }
    }

    /// What swiftlet does not implement says so.
    @Test func unimplementedIsDisabled() {
        let linux = Self.features.linux
        #expect(linux?.cgroup?.systemd == false && linux?.cgroup?.systemdUser == false)
        #expect(linux?.cgroup?.v1 == true && linux?.cgroup?.v2 == true)
    }

    /// linux.intelRdt with schemata and monitoring (Resctrl/IntelRdt.swift).
    @Test func intelRdt() {
        #expect(Self.features.linux?.intelRdt == Features.IntelRdt(enabled: true, schemata: true, monitoring: true))
    }

    /// linux.netDevices (Namespaces/NetDevices.swift).
    @Test func networkDevices() {
        #expect(Self.features.linux?.netDevices?.enabled == true)
    }

    /// Id-mapped mounts (Rootfs/IdmappedMounts.swift), with both options.
    @Test func idmappedMounts() {
        #expect(Self.features.linux?.mountExtensions?.idmap?.enabled == true)
        #expect(Set(Self.features.mountOptions ?? []).isSuperset(of: ["idmap", "ridmap"]))
    }

    /// config-linux.md "Memory policy": every mode and flag (Security/MemoryPolicy.swift).
    @Test func memoryPolicies() {
        let policy = Self.features.linux?.memoryPolicy
        #expect(policy?.modes == ["MPOL_BIND", "MPOL_DEFAULT", "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED",
                                  "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE"])
        #expect(policy?.flags == ["MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"])
    }

    /// Each seccomp name listed is one the compiler accepts; with seccomp enabled the usual
    /// ones are all there, and supported flags are a subset of known ones.
    @Test func seccompListsOnlyWhatCompiles() throws {
        let seccomp = try #require(Self.features.linux?.seccomp)
        guard seccomp.enabled == true else {
            #expect(seccomp.actions == [] && seccomp.archs == [])
            return
        }
        #expect(Set(seccomp.actions ?? []).isSuperset(of: ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL"]))
        #expect(seccomp.operators?.count == LinuxSeccompOperator.allCases.count)
        #expect(Set(seccomp.supportedFlags ?? []).isSubset(of: Set(seccomp.knownFlags ?? [])))
        for name in seccomp.archs ?? [] {
            let arch = try #require(Arch(rawValue: name))
            #expect(try SeccompCompiler.compile(LinuxSeccomp(defaultAction: .allow, architectures: [arch])) != nil)
        }
    }

    /// The document encodes and decodes as features.md JSON.
    @Test func roundTrips() throws {
        let data = try Self.features.encoded(prettyPrinted: true)
        #expect(try Features.decode(data) == Self.features)
    }
}
