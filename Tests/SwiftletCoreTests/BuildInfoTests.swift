import OCI
import Testing
@testable import SwiftletCore

/// `swiftlet --version` (BuildInfo): what packaging and engines rely on.
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
}
