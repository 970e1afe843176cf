import OCI
import Testing
@testable import SwiftletCore

/// `swiftlet --version` (BuildInfo) and where a swiftlet finds its swiftlet-init (InitBinary):
/// what packaging and engines rely on.
@Suite struct BuildInfoTests {
    /// runc's layout, which `docker info` parses: `NAME version V`, then `key: value` lines.
    @Test func versionTextLayout() {
        let text = BuildInfo.versionText(version: "1.2.3", commit: "0123456789ab-dirty", spec: "1.3.0",
                                         compiler: "6.3.1", libseccomp: "2.5.4", configuration: "release")
        #expect(text == """
            swiftlet version 1.2.3
            commit: 0123456789ab-dirty
            spec: 1.3.0
            swift: 6.3.1
            libseccomp: 2.5.4
            build: release
            """)
    }

    /// One runtime-spec version everywhere: `--version`'s `spec:`, `features`' ociVersionMax,
    /// and the ociVersion of hooks' state and of `spec`'s config.
    @Test func oneSpecVersion() {
        #expect(BuildInfo.specVersion == OCIVersion.current)
        #expect(Runtime.ociVersion == OCIVersion.current)
        #expect(Runtime.features().ociVersionMax == BuildInfo.specVersion)
        #expect(BuildInfo.versionText.contains("\nspec: \(OCIVersion.current)\n"))
        #expect(BuildInfo.versionText.hasPrefix("swiftlet version \(BuildInfo.version)\n"))
    }

    /// `features` carries what `--version` prints (runc: org.opencontainers.runc.version/.commit).
    @Test func featuresAnnotations() {
        let annotations = Runtime.features().annotations ?? [:]
        #expect(annotations["run.swiftlet.version"] == BuildInfo.version)
        #expect(annotations["run.swiftlet.commit"] == BuildInfo.commit)
        #expect(annotations["io.github.seccomp.libseccomp.version"] == BuildInfo.libseccomp)
    }

    @Test func versionIsSemVer() {
        #expect(SemanticVersion(BuildInfo.version) != nil)
    }

    /// Beside the binary (the build directory), then its install prefix's libexec/swiftlet/;
    /// never another install's fixed path.
    @Test(arguments: [
        ("/work/x/.build/release/swiftlet", ["/work/x/.build/release/swiftlet-init", "/work/x/.build/libexec/swiftlet/swiftlet-init"]),
        ("/usr/bin/swiftlet", ["/usr/bin/swiftlet-init", "/usr/libexec/swiftlet/swiftlet-init"]),
        ("/usr/local/bin/swiftlet", ["/usr/local/bin/swiftlet-init", "/usr/local/libexec/swiftlet/swiftlet-init"]),
        ("/opt/swiftlet/bin/swiftlet", ["/opt/swiftlet/bin/swiftlet-init", "/opt/swiftlet/libexec/swiftlet/swiftlet-init"]),
        ("/bin/swiftlet", ["/bin/swiftlet-init", "/libexec/swiftlet/swiftlet-init"]),
        ("/swiftlet", ["/swiftlet-init"]),
        ("swiftlet", []),
        ("", []),
    ])
    func initCandidates(executable: String, expected: [String]) {
        #expect(InitBinary.candidates(executable: executable) == expected)
    }
}
